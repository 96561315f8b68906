/// JSON string escapes (RFC 8259 section 7), resolved in one place for the parser and the scanner.
enum JSONEscapes {
    /// The bytes of a string token in `range` (between its quotes) with escapes resolved, as UTF-8.
    /// A `\u` escape that is not a Unicode scalar (a lone surrogate) is an error, not a U+FFFD.
    static func unescape(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) throws -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(range.count)
        var index = range.lowerBound
        while index < range.upperBound {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\") else { result.append(byte); index += 1; continue }
            guard index + 1 < range.upperBound else { throw JSONParseError(offset: index, reason: "a dangling escape") }
            let code = bytes[index + 1]
            index += 2
            switch code {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): result.append(code)
            case UInt8(ascii: "n"): result.append(0x0A)
            case UInt8(ascii: "r"): result.append(0x0D)
            case UInt8(ascii: "t"): result.append(0x09)
            case UInt8(ascii: "b"): result.append(0x08)
            case UInt8(ascii: "f"): result.append(0x0C)
            case UInt8(ascii: "u"):
                var scalar = try hex4(bytes, at: index, end: range.upperBound)
                index += 4
                if (0xD800..<0xDC00).contains(scalar), index + 6 <= range.upperBound, bytes[index] == UInt8(ascii: "\\"),
                   bytes[index + 1] == UInt8(ascii: "u") {
                    let low = try hex4(bytes, at: index + 2, end: range.upperBound)
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        index += 6
                    }
                }
                guard let value = Unicode.Scalar(scalar) else { throw JSONParseError(offset: index, reason: "an invalid \\u escape") }
                result.append(contentsOf: String(value).utf8)
            default:
                throw JSONParseError(offset: index, reason: "an invalid escape")
            }
        }
        return result
    }

    private static func hex4(_ bytes: UnsafeRawBufferPointer, at index: Int, end: Int) throws -> UInt32 {
        guard index + 4 <= end else { throw JSONParseError(offset: index, reason: "a short \\u escape") }
        var value: UInt32 = 0
        for offset in 0..<4 {
            let byte = bytes[index + offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw JSONParseError(offset: index, reason: "a \\u escape with a non-hex digit")
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }
}
