import Foundation
import Parquet

/// One table column of a lake batch, built value by value straight from the
/// event's JSON tokens into its Parquet type: no JSON tree, no dictionary per
/// row, numbers and dates parsed from the bytes. A value that cannot be stored
/// exactly throws (the caller names the column, partition and offset).
struct LakeColumnBuilder {
    /// How the column's values are stored (decided once per batch from the schema).
    enum Kind {
        case int32(signed: Bool)
        case int64(signed: Bool)
        case decimal32(scale: Int)
        case decimal64(scale: Int)
        case decimalFixed(scale: Int, length: Int)
        case date
        case timestamp
        case float
        case double
        case text
        case binary
    }

    let kind: Kind
    private(set) var int32: [Int32?] = []
    private(set) var int64: [Int64?] = []
    private(set) var floats: [Float?] = []
    private(set) var doubles: [Double?] = []
    private(set) var bytes: [[UInt8]?] = []

    init(column: ColumnSchema, parquet: ParquetColumn) {
        switch (parquet.physicalType, parquet.logicalType) {
        case (.int32, .decimal(_, let scale)?): kind = .decimal32(scale: scale)
        case (.int64, .decimal(_, let scale)?): kind = .decimal64(scale: scale)
        case (.fixedLenByteArray, .decimal(_, let scale)?): kind = .decimalFixed(scale: scale, length: parquet.typeLength ?? 16)
        case (.int32, .date?): kind = .date
        case (.int64, .timestamp?): kind = .timestamp
        case (.int32, .integer(_, let signed)?): kind = .int32(signed: signed)
        case (.int64, .integer(_, let signed)?): kind = .int64(signed: signed)
        case (.float, _): kind = .float
        case (.double, _): kind = .double
        case (.byteArray, .string?): kind = .text
        default: kind = .binary
        }
    }

    var count: Int {
        switch kind {
        case .int32, .decimal32, .date: return int32.count
        case .int64, .decimal64, .timestamp: return int64.count
        case .float: return floats.count
        case .double: return doubles.count
        case .decimalFixed, .text, .binary: return bytes.count
        }
    }

    mutating func reserve(_ capacity: Int) {
        switch kind {
        case .int32, .decimal32, .date: int32.reserveCapacity(capacity)
        case .int64, .decimal64, .timestamp: int64.reserveCapacity(capacity)
        case .float: floats.reserveCapacity(capacity)
        case .double: doubles.reserveCapacity(capacity)
        case .decimalFixed, .text, .binary: bytes.reserveCapacity(capacity)
        }
    }

    /// Drops values past `count` (a row that failed part-way).
    mutating func truncate(to count: Int) {
        while self.count > count {
            switch kind {
            case .int32, .decimal32, .date: int32.removeLast()
            case .int64, .decimal64, .timestamp: int64.removeLast()
            case .float: floats.removeLast()
            case .double: doubles.removeLast()
            case .decimalFixed, .text, .binary: bytes.removeLast()
            }
        }
    }

    mutating func appendNull() {
        switch kind {
        case .int32, .decimal32, .date: int32.append(nil)
        case .int64, .decimal64, .timestamp: int64.append(nil)
        case .float: floats.append(nil)
        case .double: doubles.append(nil)
        case .decimalFixed, .text, .binary: bytes.append(nil)
        }
    }

    /// The reason a token cannot be stored, as part of one line.
    struct Refusal: Error { var reason: String }

    /// Appends one value given as a JSON token of `scanner`.
    mutating func append(_ token: JSONScanner.Token, from scanner: JSONScanner) throws {
        if case .null = token { appendNull(); return }
        func refuse() -> Refusal { Refusal(reason: "value \(Self.describe(token, scanner))") }
        func numberRange() throws -> Range<Int> {
            switch token {
            case .number(let range): return range
            case .string(let range, false): return range
            default: throw refuse()
            }
        }
        func stringRange() throws -> Range<Int> {
            guard case .string(let range, false) = token else { throw refuse() }
            return range
        }
        switch kind {
        case .int32(let signed):
            let range = try numberRange()
            if signed {
                guard let value = scanner.integer(range).flatMap({ Int32(exactly: $0) }) else { throw refuse() }
                int32.append(value)
            } else {
                guard let value = scanner.unsignedInteger(range).flatMap({ UInt32(exactly: $0) }) else { throw refuse() }
                int32.append(Int32(bitPattern: value))
            }
        case .int64(let signed):
            let range = try numberRange()
            if signed {
                guard let value = scanner.integer(range) else { throw refuse() }
                int64.append(value)
            } else {
                guard let value = scanner.unsignedInteger(range) else { throw refuse() }
                int64.append(Int64(bitPattern: value))
            }
        case .decimal32(let scale):
            guard let value = Self.unscaled(scanner, try stringRange(), scale: scale).flatMap({ Int32(exactly: $0) }) else { throw refuse() }
            int32.append(value)
        case .decimal64(let scale):
            guard let value = Self.unscaled(scanner, try stringRange(), scale: scale).flatMap({ Int64(exactly: $0) }) else { throw refuse() }
            int64.append(value)
        case .decimalFixed(let scale, let length):
            guard let value = Self.unscaled(scanner, try stringRange(), scale: scale) else { throw refuse() }
            bytes.append(ParquetDecimal.bytes(value, length: length))
        case .date:
            guard let days = LakeTime.days(scanner, try stringRange()).flatMap({ Int32(exactly: $0) }) else { throw refuse() }
            int32.append(days)
        case .timestamp:
            guard let micros = LakeTime.microseconds(scanner, try stringRange()) else { throw refuse() }
            int64.append(micros)
        case .float:
            guard let value = Float(scanner.text(try numberRange())) else { throw refuse() }
            floats.append(value)
        case .double:
            guard let value = Double(scanner.text(try numberRange())) else { throw refuse() }
            doubles.append(value)
        case .text:
            switch token {
            case .string(let range, let escaped): bytes.append(try scanner.stringBytes(range, escaped: escaped))
            case .number(let range): bytes.append(Array(UnsafeRawBufferPointer(rebasing: scanner.bytes[range])))
            default: throw refuse()
            }
        case .binary:
            guard let value = Base64.decode(scanner, try stringRange()) else { throw refuse() }
            bytes.append(value)
        }
    }

    /// The values, for the Parquet writer (`range` of rows, or all).
    func values(_ range: Range<Int>? = nil) -> ParquetColumnValues {
        let rows = range ?? 0..<count
        switch kind {
        case .int32, .decimal32, .date: return .int32(Array(int32[rows]))
        case .int64, .decimal64, .timestamp: return .int64(Array(int64[rows]))
        case .float: return .float(Array(floats[rows]))
        case .double: return .double(Array(doubles[rows]))
        case .decimalFixed, .text, .binary: return .bytes(Array(bytes[rows]))
        }
    }

    static func describe(_ token: JSONScanner.Token, _ scanner: JSONScanner) -> String {
        switch token {
        case .null: return "null"
        case .bool(let flag): return "\(flag)"
        case .number(let range): return scanner.text(range)
        case .string(let range, _): return "string(\"\(scanner.text(range).prefix(60))\")"
        case .object: return "an object"
        case .array: return "an array"
        }
    }

    /// `-12.5` at scale 2 → -1250, from the bytes; `nil` for anything that is not a decimal with at
    /// most `scale` significant decimals, or overflows 128 bits.
    static func unscaled(_ scanner: JSONScanner, _ range: Range<Int>, scale: Int) -> Int128? {
        let bytes = scanner.bytes
        var index = range.lowerBound
        var negative = false
        if index < range.upperBound, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        var value = Int128(0)
        var digits = 0, decimals = 0
        var afterPoint = false
        while index < range.upperBound {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: ".") && !afterPoint { afterPoint = true; continue }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            digits += 1
            if afterPoint {
                if decimals == scale {
                    if byte != UInt8(ascii: "0") { return nil }   // more decimals than the scale holds
                    continue
                }
                decimals += 1
            }
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(Int128(byte - UInt8(ascii: "0")))
            if o1 || o2 { return nil }
            value = sum
        }
        guard digits > 0 else { return nil }
        for _ in decimals..<scale {
            let (times, overflow) = value.multipliedReportingOverflow(by: 10)
            if overflow { return nil }
            value = times
        }
        return negative ? -value : value
    }
}

/// Base64 (RFC 4648, with padding) decoded from bytes in place.
enum Base64 {
    static let table: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, character) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(character)] = UInt8(index)
        }
        return table
    }()

    static func decode(_ scanner: JSONScanner, _ range: Range<Int>) -> [UInt8]? {
        let bytes = scanner.bytes
        guard range.count % 4 == 0 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(range.count / 4 * 3)
        var index = range.lowerBound
        while index < range.upperBound {
            var quad: UInt32 = 0
            var padding = 0
            for offset in 0..<4 {
                let byte = bytes[index + offset]
                if byte == UInt8(ascii: "=") && index + 4 == range.upperBound && offset >= 2 {
                    padding += 1
                    quad <<= 6
                    continue
                }
                let value = table[Int(byte)]
                guard value != 0xFF, padding == 0 else { return nil }
                quad = quad << 6 | UInt32(value)
            }
            output.append(UInt8(truncatingIfNeeded: quad >> 16))
            if padding < 2 { output.append(UInt8(truncatingIfNeeded: quad >> 8)) }
            if padding < 1 { output.append(UInt8(truncatingIfNeeded: quad)) }
            index += 4
        }
        return output
    }
}

extension LakeTime {
    /// `YYYY-MM-DD…` in bytes → days since 1970 (`nil` if it is not a date).
    static func days(_ scanner: JSONScanner, _ range: Range<Int>) -> Int? {
        guard range.count >= 10 else { return nil }
        let b = scanner.bytes, start = range.lowerBound
        guard let year = number(b, start, 4), b[start + 4] == UInt8(ascii: "-"), let month = number(b, start + 5, 2),
              b[start + 7] == UInt8(ascii: "-"), let day = number(b, start + 8, 2) else { return nil }
        return civilDays(year: year, month: month, day: day)
    }

    /// `YYYY-MM-DDTHH:MM:SS[.ffffff][Z]` in bytes → microseconds since 1970, read as UTC.
    static func microseconds(_ scanner: JSONScanner, _ range: Range<Int>) -> Int64? {
        guard range.count >= 19, let days = days(scanner, range) else { return nil }
        let b = scanner.bytes, start = range.lowerBound + 11
        guard let hour = number(b, start, 2), b[start + 2] == UInt8(ascii: ":"), let minute = number(b, start + 3, 2),
              b[start + 5] == UInt8(ascii: ":"), let second = number(b, start + 6, 2) else { return nil }
        var micros: Int64 = 0
        var index = start + 8
        if index < range.upperBound, b[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < range.upperBound, b[index] >= UInt8(ascii: "0"), b[index] <= UInt8(ascii: "9") {
                if digits < 6 { micros = micros * 10 + Int64(b[index] - UInt8(ascii: "0")) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in min(digits, 6)..<6 { micros *= 10 }
        }
        if index < range.upperBound, b[index] == UInt8(ascii: "Z") { index += 1 }
        guard index == range.upperBound else { return nil }
        return ((Int64(days) * 24 + Int64(hour)) * 60 + Int64(minute)) * 60_000_000 + Int64(second) * 1_000_000 + micros
    }

    private static func number(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ count: Int) -> Int? {
        var value = 0
        for index in start..<(start + count) {
            let byte = bytes[index]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }
}
