import Foundation

/// Converts text bytes in a MySQL character set to a Swift string (UTF-8).
/// The binlog carries text in the column's own character set; the snapshot
/// reads it already converted by the server.
enum SourceCharacterSet {
    /// The character sets Sluice converts; a column in any other is refused up front.
    static let supported: Set<String> = ["latin1", "utf8", "utf8mb3", "utf8mb4", "ascii", "binary", "latin2", "ucs2", "utf16", "utf32", "cp1250", "cp1251"]

    static func decode(_ bytes: [UInt8], characterSet: String?) -> String {
        switch characterSet?.lowercased() {
        case nil, "utf8", "utf8mb3", "utf8mb4", "ascii", "binary":
            return String(decoding: bytes, as: UTF8.self)
        case "latin1":
            // MySQL's latin1 is Windows-1252 (0x80–0x9F are €, ‚, ƒ…).
            return String(data: Data(bytes), encoding: .windowsCP1252) ?? String(decoding: bytes, as: UTF8.self)
        case "latin2":
            return String(data: Data(bytes), encoding: .isoLatin2) ?? String(decoding: bytes, as: UTF8.self)
        case "cp1250":
            return String(data: Data(bytes), encoding: .windowsCP1250) ?? String(decoding: bytes, as: UTF8.self)
        case "cp1251":
            return String(data: Data(bytes), encoding: .windowsCP1251) ?? String(decoding: bytes, as: UTF8.self)
        case "ucs2", "utf16":
            return String(data: Data(bytes), encoding: .utf16BigEndian) ?? ""
        case "utf32":
            return String(data: Data(bytes), encoding: .utf32BigEndian) ?? ""
        default:
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}
