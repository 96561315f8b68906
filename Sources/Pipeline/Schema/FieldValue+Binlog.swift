import Foundation
import MySQL

extension FieldValue {
    /// Converts a decoded binlog value to the same event form the snapshot
    /// produces for the column, so `r`, `c`, `u` and `d` events agree; `text`
    /// decodes the column's character set as the server does.
    init(binlog value: BinlogValue, column: ColumnSchema, text: SourceTextDecoder) throws {
        switch (value, column.type) {
        case (.null, _):
            self = .null
        case (_, .integer(let bits, let signed)):
            let raw = value.rawBits
            if signed {
                let shift = UInt64(64 - bits)
                self = .number(String(Int64(bitPattern: raw << shift) >> Int64(shift)))
            } else {
                self = .number(String(bits == 64 ? raw : raw & ((1 << UInt64(bits)) - 1)))
            }
        case (.bytes(let bytes), .decimal(_, let scale)):
            self = .string(FieldValue.normalizeDecimal(String(decoding: bytes, as: UTF8.self), scale: scale))
        case (.float(let number), _):
            self = .number(FieldValue.jsonNumber(Double(number), float: true))
        case (.double(let number), _):
            self = .number(FieldValue.jsonNumber(number, float: false))
        case (_, .bit):
            if case .bytes(let bytes) = value {
                self = .number(String(bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }))
            } else {
                self = .number(String(value.rawBits))
            }
        case (_, .year):
            self = .number(String(value.rawBits))
        case (.time(let time), .date):
            self = time.isCalendarDate ? .string(time.dateText) : .null
        case (.time(let time), .datetime(let precision)):
            self = time.isCalendarDate ? .string(time.dateText + "T" + time.clockText(precision: precision)) : .null
        case (.time(let time), .time(let precision)):
            self = .string((time.negative ? "-" : "") + time.durationText(precision: precision))
        case (.timestamp(let seconds, let microseconds), .timestamp(let precision)):
            self = seconds == 0 && microseconds == 0 ? .null : .string(FieldValue.utcText(seconds: seconds, microseconds: microseconds, precision: precision))
        case (_, .enumeration(let values)):
            let index = Int(value.rawBits)
            self = .string(index >= 1 && index <= values.count ? values[index - 1] : "")
        case (_, .set(let values)):
            let mask = value.rawBits
            self = .string(values.indices.filter { mask & (1 << UInt64($0)) != 0 }.map { values[$0] }.joined(separator: ","))
        case (.bytes(var bytes), .binary):
            // BINARY(n) is logged without its trailing 0x00 padding; clients read all n bytes.
            if let length = column.fixedBinaryLength, bytes.count < length {
                bytes += Array(repeating: 0, count: length - bytes.count)
            }
            self = .string(Data(bytes).base64EncodedString())
        case (.bytes(let bytes), .string) where column.binaryText != nil:
            self = .string(column.binaryText!.text(bytes))
        case (.bytes(let bytes), _):
            let decoded = try text.decode(bytes, characterSet: column.characterSet)
            self = .string(column.isFixedWidthText ? FieldValue.trimmingPadSpaces(decoded) : decoded)
        default:
            self = .string(String(describing: value))
        }
    }

    /// `.01` → `0.01`, `-.5` → `-0.50` (scale 2): the digits MySQL prints.
    static func normalizeDecimal(_ text: String, scale: Int) -> String {
        var sign = "", digits = text.trimmingCharacters(in: .whitespaces)
        if digits.hasPrefix("-") { sign = "-"; digits.removeFirst() } else if digits.hasPrefix("+") { digits.removeFirst() }
        var parts = digits.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if parts.isEmpty { parts = ["0"] }
        var integer = parts[0].drop { $0 == "0" }.description
        if integer.isEmpty { integer = "0" }
        var fraction = parts.count > 1 ? parts[1] : ""
        if fraction.count < scale { fraction += String(repeating: "0", count: scale - fraction.count) }
        let isZero = integer == "0" && fraction.allSatisfy { $0 == "0" }
        return (isZero ? "" : sign) + integer + (scale > 0 ? "." + fraction : "")
    }

    /// Shortest text that reads back as the same float or double.
    static func jsonNumber(_ number: Double, float: Bool) -> String {
        let text = float ? "\(Float(number))" : "\(number)"
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }

    static func utcText(seconds: UInt32, microseconds: UInt32, precision: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        let clock = BinlogTime(year: UInt32(parts.tm_year + 1900), month: UInt32(parts.tm_mon + 1), day: UInt32(parts.tm_mday),
                               hour: UInt32(parts.tm_hour), minute: UInt32(parts.tm_min), second: UInt32(parts.tm_sec),
                               microseconds: UInt(microseconds), negative: false)
        return clock.dateText + "T" + clock.clockText(precision: precision) + "Z"
    }
}

extension BinlogValue {
    /// The 64 bits of an integer value, whichever way Connector/C signed it.
    var rawBits: UInt64 {
        switch self {
        case .signed(let value): return UInt64(bitPattern: value)
        case .unsigned(let value): return value
        case .bytes(let bytes): return bytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        default: return 0
        }
    }
}

extension BinlogTime {
    /// Not a zero date, a zero month or day, or year 0 (see `FieldValue.isCalendarDate`).
    var isCalendarDate: Bool { FieldValue.isCalendarDate(year: Int(year), month: Int(month), day: Int(day)) }

    var dateText: String { String(format: "%04u-%02u-%02u", year, month, day) }

    func clockText(precision: Int) -> String {
        String(format: "%02u:%02u:%02u", hour, minute, second) + fraction(precision)
    }

    /// TIME values can exceed 24 hours; days, if reported separately, fold into hours.
    func durationText(precision: Int) -> String {
        String(format: "%02u:%02u:%02u", day * 24 + hour, minute, second) + fraction(precision)
    }

    private func fraction(_ precision: Int) -> String {
        guard precision > 0 else { return "" }
        return "." + String(String(format: "%06lu", microseconds).prefix(precision))
    }
}
