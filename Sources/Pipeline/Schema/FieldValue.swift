import Foundation

/// A column value in its event form: JSON `null`, a JSON number (exact text)
/// or a JSON string. See the README's type table for which type takes which form.
public enum FieldValue: Sendable, Hashable {
    case null
    case number(String)
    case string(String)

    func write(to writer: inout JSONWriter) {
        switch self {
        case .null: writer.null()
        case .number(let text): writer.number(text)
        case .string(let text): writer.string(text)
        }
    }

    /// From a JSON value in an event.
    public init(_ json: JSONValue) {
        switch json {
        case .number(let text): self = .number(text)
        case .string(let text): self = .string(text)
        case .bool(let flag): self = .number(flag ? "1" : "0")
        default: self = .null
        }
    }

    /// The text of a number or string; `nil` for null.
    public var text: String? {
        switch self {
        case .null: return nil
        case .number(let text), .string(let text): return text
        }
    }
}

extension FieldValue {
    /// Converts a value as the text protocol delivers it (the connection's
    /// character set is utf8mb4, its time zone UTC) into the event form.
    /// `CHAR(n)` loses trailing spaces as MySQL returns it to clients (even under
    /// `PAD_CHAR_TO_FULL_LENGTH`), the same as the binlog path.
    public init(textProtocol bytes: [UInt8]?, column: ColumnSchema) {
        guard let bytes else { self = .null; return }
        if column.isFixedWidthText {
            self = .string(FieldValue.trimmingPadSpaces(String(decoding: bytes, as: UTF8.self)))
            return
        }
        switch column.type {
        case .integer, .float, .double, .year:
            self = .number(String(decoding: bytes, as: UTF8.self))
        case .decimal:
            self = .string(String(decoding: bytes, as: UTF8.self))
        case .bit:
            self = .number(String(bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }))
        case .date:
            let text = String(decoding: bytes, as: UTF8.self)
            self = text.hasPrefix("0000-00-00") ? .null : .string(text)
        case .datetime:
            let text = String(decoding: bytes, as: UTF8.self)
            self = text.hasPrefix("0000-00-00") ? .null : .string(text.replacingOccurrences(of: " ", with: "T"))
        case .timestamp:
            let text = String(decoding: bytes, as: UTF8.self)
            self = text.hasPrefix("0000-00-00") ? .null : .string(text.replacingOccurrences(of: " ", with: "T") + "Z")
        case .time, .string, .enumeration, .set, .json:
            self = .string(String(decoding: bytes, as: UTF8.self))
        case .binary:
            self = .string(Data(bytes).base64EncodedString())
        }
    }
}

extension FieldValue {
    /// `CHAR` text without its trailing pad spaces.
    static func trimmingPadSpaces(_ text: String) -> String {
        var scalars = text.unicodeScalars[...]
        while scalars.last == " " { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}
