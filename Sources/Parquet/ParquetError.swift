import SluiceSupport

/// A Parquet file could not be written or read.
public struct ParquetError: UserFacingError, Sendable {
    public struct Code: Hashable, Sendable {
        fileprivate let name: String
        /// The bytes are not a valid Parquet file (or use a feature Sluice does not read).
        public static let corrupt = Code(name: "corrupt")
        /// The file uses an encoding, codec or schema shape Sluice does not support.
        public static let unsupported = Code(name: "unsupported")
        /// The values given to the writer do not match its schema.
        public static let invalidInput = Code(name: "invalidInput")
    }

    public var code: Code
    public var message: String

    public var summary: String { "Parquet: \(message)" }

    static func corrupt(_ message: String) -> ParquetError { ParquetError(code: .corrupt, message: message) }
    static func unsupported(_ message: String) -> ParquetError { ParquetError(code: .unsupported, message: message) }
    static func invalidInput(_ message: String) -> ParquetError { ParquetError(code: .invalidInput, message: message) }
}
