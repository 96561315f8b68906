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
            self = FieldValue.isCalendarDate(text) ? .string(text) : .null
        case .datetime:
            let text = String(decoding: bytes, as: UTF8.self)
            self = FieldValue.isCalendarDate(text) ? .string(text.replacingOccurrences(of: " ", with: "T")) : .null
        case .timestamp:
            let text = String(decoding: bytes, as: UTF8.self)
            self = FieldValue.isCalendarDate(text) ? .string(text.replacingOccurrences(of: " ", with: "T") + "Z") : .null
        case .time, .string, .enumeration, .set, .json:
            self = .string(String(decoding: bytes, as: UTF8.self))
        case .binary:
            self = .string(Data(bytes).base64EncodedString())
        }
    }
}

extension FieldValue {
    /// Whether MySQL's `YYYY-MM-DD…` text is a day of the calendar. MySQL also stores zero dates
    /// (`0000-00-00`), dates with a zero month or day (`2015-00-21`, allowed without
    /// NO_ZERO_IN_DATE) and year 0, none of which PostgreSQL, Redshift or Parquet readers have:
    /// Sluice's policy, on the snapshot and the binlog alike, is that such a value arrives as
    /// NULL, as Debezium does (and a primary key holding one stops its table: see `nullKeyColumn`).
    static func isCalendarDate(_ text: String) -> Bool {
        let digits = Array(text.utf8.prefix(10))
        guard digits.count == 10 else { return false }
        func number(_ range: Range<Int>) -> Int { digits[range].reduce(0) { $0 * 10 + Int($1) - 48 } }
        return isCalendarDate(year: number(0..<4), month: number(5..<7), day: number(8..<10))
    }

    static func isCalendarDate(year: Int, month: Int, day: Int) -> Bool { year > 0 && month > 0 && day > 0 }

    /// The first primary key column that holds NULL in `values`: only a zero date can (see
    /// `isCalendarDate`), and a key cannot be NULL downstream, so its table stops.
    static func nullKeyColumn(_ values: [FieldValue], schema: TableSchema) -> String? {
        guard schema.hasPrimaryKey, let index = schema.keyIndexes.first(where: { values[$0] == .null }) else { return nil }
        return schema.columns[index].name
    }

    /// `CHAR` text without its trailing pad spaces.
    static func trimmingPadSpaces(_ text: String) -> String {
        var scalars = text.unicodeScalars[...]
        while scalars.last == " " { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}
