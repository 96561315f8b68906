/// Opaque values inside binary JSON: a MySQL field type byte, a variable-length
/// length, then the value's bytes. MySQL stores SQL values that JSON has no type
/// for this way (`CAST(x AS JSON)`, `JSON_OBJECT('d', CURDATE())`…).
///
/// Printed as `wrapper_to_string` in MySQL's `sql-common/json_dom.cc` does:
/// - NEWDECIMAL (246): precision byte, scale byte, then MySQL's binary DECIMAL;
///   printed unquoted by `decimal2string`, with exactly `scale` fraction digits (`12.50`).
/// - DATE (10), TIME (11), DATETIME (12), TIMESTAMP (7): an 8-byte little-endian
///   packed value (`TIME_to_longlong_packed`), printed quoted by `my_TIME_to_str`
///   with 6 fraction digits: `"2024-06-01"`, `"10:00:00.000000"`,
///   `"2024-06-01 10:00:00.000000"` (TIMESTAMP unpacks to a DATETIME).
/// - VAR_STRING (253): printed as a JSON string.
/// - anything else: `"base64:type<N>:<base64>"`, MySQL's `base64_encode` breaking
///   the text with a newline (escaped as `\n`) every 76 characters.
extension MySQLBinaryJSON.Printer {
    mutating func opaque(at offset: Int, end: Int) throws {
        let fieldType = UInt8(try integer(at: offset, width: 1, end: end))
        let (length, width) = try variableLength(at: offset + 1, end: end)
        let data = try slice(at: offset + 1 + width, count: length, end: end)
        switch fieldType {
        case 246: append(try MySQLBinaryJSON.decimalText(data))
        case 10, 11, 12, 7: try quoted(ArraySlice(try MySQLBinaryJSON.temporalText(data, fieldType: fieldType).utf8))
        case 253: try quoted(data)
        default: try quoted(ArraySlice(("base64:type\(fieldType):" + MySQLBinaryJSON.base64(data)).utf8))
        }
    }
}

extension MySQLBinaryJSON {
    /// A JSON DECIMAL: precision, scale, then the binary DECIMAL of that precision
    /// and scale (groups of 9 digits in 4 big-endian bytes, a shorter group for the
    /// leading integer and trailing fraction digits, the sign in the top bit with
    /// negative numbers stored inverted). Zero prints without a sign.
    static func decimalText(_ data: ArraySlice<UInt8>) throws -> String {
        let bytes = Array(data)
        guard bytes.count >= 2 else { throw corrupt("a DECIMAL needs its precision and scale") }
        let precision = Int(bytes[0]), scale = Int(bytes[1])
        guard (1...65).contains(precision), scale <= min(30, precision) else {
            throw corrupt("DECIMAL(\(precision),\(scale)) is not a valid DECIMAL type")
        }
        let groupBytes = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4]       // bytes a group of 0…9 digits takes
        let integerDigits = precision - scale
        let size = integerDigits / 9 * 4 + groupBytes[integerDigits % 9] + scale / 9 * 4 + groupBytes[scale % 9]
        guard bytes.count - 2 == size else {
            throw corrupt("a DECIMAL(\(precision),\(scale)) takes \(size) bytes, not \(bytes.count - 2)")
        }
        var digits = Array(bytes[2...])
        let negative = digits[0] & 0x80 == 0
        digits[0] ^= 0x80
        if negative { digits = digits.map { ~$0 } }

        var offset = 0
        func group(_ count: Int) throws -> String {
            let value = digits[offset..<offset + groupBytes[count]].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            offset += groupBytes[count]
            var limit: UInt64 = 1
            for _ in 0..<count { limit *= 10 }
            guard value < limit else { throw corrupt("a DECIMAL digit group holds \(value), more than \(count) digits") }
            let text = String(value)
            return String(repeating: "0", count: count - text.count) + text
        }
        var integer = ""
        if integerDigits % 9 > 0 { integer += try group(integerDigits % 9) }
        for _ in 0..<integerDigits / 9 { integer += try group(9) }
        var fraction = ""
        for _ in 0..<scale / 9 { fraction += try group(9) }
        if scale % 9 > 0 { fraction += try group(scale % 9) }
        integer = String(integer.drop { $0 == "0" })
        if integer.isEmpty { integer = "0" }
        let isZero = integer == "0" && fraction.allSatisfy { $0 == "0" }
        return (negative && !isZero ? "-" : "") + integer + (scale > 0 ? "." + fraction : "")
    }

    /// A packed DATE, TIME, DATETIME or TIMESTAMP (`TIME_from_longlong_*_packed`):
    /// 24 bits of microseconds under the integer part; for TIME the integer part
    /// is hour (10 bits), minute, second (6 bits each), negated for negative
    /// times; for the others it is (year × 13 + month) (17 bits), day (5 bits),
    /// hour (5 bits), minute, second (6 bits each).
    static func temporalText(_ data: ArraySlice<UInt8>, fieldType: UInt8) throws -> String {
        guard data.count == 8 else { throw corrupt("a packed date or time takes 8 bytes, not \(data.count)") }
        let packed = Int64(bitPattern: data.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        let magnitude = packed.magnitude
        let microseconds = magnitude % (1 << 24), clock = magnitude >> 24
        guard microseconds < 1_000_000 else { throw corrupt("a packed time has \(microseconds) microseconds") }
        let fraction = "." + padded(microseconds, 6)
        if fieldType == 11 {                                            // TIME
            let hour = clock >> 12, minute = (clock >> 6) & 63, second = clock & 63
            guard hour < 1024, minute < 60, second < 60 else { throw corrupt("a packed TIME is out of range") }
            return (packed < 0 ? "-" : "") + padded(hour, 2) + ":" + padded(minute, 2) + ":" + padded(second, 2) + fraction
        }
        let yearMonthDay = clock >> 17, yearMonth = yearMonthDay >> 5
        let year = yearMonth / 13, month = yearMonth % 13, day = yearMonthDay & 31
        let time = clock & 0x1FFFF
        let hour = time >> 12, minute = (time >> 6) & 63, second = time & 63
        guard packed >= 0, year <= 9999, hour < 24, minute < 60, second < 60 else {
            throw corrupt("a packed date is out of range")
        }
        let date = padded(year, 4) + "-" + padded(month, 2) + "-" + padded(day, 2)
        if fieldType == 10 { return date }                              // DATE
        return date + " " + padded(hour, 2) + ":" + padded(minute, 2) + ":" + padded(second, 2) + fraction
    }

    private static func padded(_ value: UInt64, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    /// Base64 as MySQL's `base64_encode` writes it: standard alphabet, `=` padding,
    /// a newline before every group that follows 76 characters on a line.
    static func base64(_ data: ArraySlice<UInt8>) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        let bytes = Array(data)
        var text: [UInt8] = []
        var lineLength = 0
        for start in stride(from: 0, to: bytes.count, by: 3) {
            if lineLength == 76 {
                text.append(UInt8(ascii: "\n"))
                lineLength = 0
            }
            let chunk = bytes[start..<min(start + 3, bytes.count)]
            let bits = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << UInt32(16 - 8 * $1.offset) }
            for index in 0..<4 {
                text.append(index <= chunk.count ? alphabet[Int((bits >> UInt32(18 - 6 * index)) & 63)] : UInt8(ascii: "="))
            }
            lineLength += 4
        }
        return String(decoding: text, as: UTF8.self)
    }
}
