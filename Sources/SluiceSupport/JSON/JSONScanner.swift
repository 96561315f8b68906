/// Reads JSON in place, without building a tree: each value comes back as a
/// token that points into the bytes (a number's text, a string's contents),
/// so a hot path can look at exactly the members it needs and convert values
/// straight into typed columns. Strings without escapes cost nothing to read.
///
/// The scanner checks structure as it goes and throws `JSONParseError` on
/// anything that is not JSON; it does not validate members it skips beyond
/// their structure.
public struct JSONScanner {
    public enum Token: Equatable {
        case null
        case bool(Bool)
        /// The number's text, as it is in the input.
        case number(Range<Int>)
        /// The string's contents between the quotes; `escaped` when it holds a backslash.
        case string(Range<Int>, escaped: Bool)
        /// An object or array, quotes and brackets included (for a later scanner).
        case object(Range<Int>)
        case array(Range<Int>)
    }

    public let bytes: UnsafeRawBufferPointer
    public private(set) var offset: Int

    public init(_ bytes: UnsafeRawBufferPointer, from offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    func fail(_ reason: String) -> JSONParseError { JSONParseError(offset: offset, reason: reason) }

    public mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x0A, 0x0D, 0x09: offset += 1
            default: return
            }
        }
    }

    /// Consumes `byte` after optional whitespace, or throws.
    public mutating func expect(_ byte: UInt8) throws {
        skipWhitespace()
        guard offset < bytes.count, bytes[offset] == byte else { throw fail("expected '\(Character(Unicode.Scalar(byte)))'") }
        offset += 1
    }

    /// Consumes `byte` if it comes next (after whitespace).
    public mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard offset < bytes.count, bytes[offset] == byte else { return false }
        offset += 1
        return true
    }

    /// Iterates an object's members: `body` gets each key (the contents of its string token) and
    /// must read or skip the value with this scanner.
    public mutating func forEachMember(_ body: (inout JSONScanner, Range<Int>, Bool) throws -> Void) throws {
        try expect(UInt8(ascii: "{"))
        if consume(UInt8(ascii: "}")) { return }
        repeat {
            skipWhitespace()
            guard case .string(let key, let escaped) = try readValue() else { throw fail("an object key must be a string") }
            try expect(UInt8(ascii: ":"))
            try body(&self, key, escaped)
        } while consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "}"))
    }

    /// Whether the bytes in `range` are exactly `text`'s UTF-8.
    public func equals(_ range: Range<Int>, _ text: StaticString) -> Bool {
        guard range.count == text.utf8CodeUnitCount else { return false }
        let pointer = text.utf8Start
        for index in 0..<range.count where bytes[range.lowerBound + index] != pointer[index] { return false }
        return true
    }

    /// Whether the bytes in `range` are exactly `other`.
    public func equals(_ range: Range<Int>, _ other: [UInt8]) -> Bool {
        guard range.count == other.count else { return false }
        for index in 0..<range.count where bytes[range.lowerBound + index] != other[index] { return false }
        return true
    }

    /// Reads one value.
    public mutating func readValue() throws -> Token {
        skipWhitespace()
        guard offset < bytes.count else { throw fail("unexpected end of input") }
        let start = offset
        switch bytes[offset] {
        case UInt8(ascii: "\""):
            offset += 1
            var escaped = false
            while offset < bytes.count {
                let byte = bytes[offset]
                if byte == UInt8(ascii: "\"") {
                    offset += 1
                    return .string((start + 1)..<(offset - 1), escaped: escaped)
                }
                if byte == UInt8(ascii: "\\") { escaped = true; offset += 2; continue }
                if byte < 0x20 { throw fail("a control character inside a string") }
                offset += 1
            }
            throw fail("unterminated string")
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            try skipContainer()
            return bytes[start] == UInt8(ascii: "{") ? .object(start..<offset) : .array(start..<offset)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        default:
            while offset < bytes.count {
                switch bytes[offset] {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                     UInt8(ascii: "e"), UInt8(ascii: "E"):
                    offset += 1
                default:
                    guard offset > start else { throw fail("unexpected character") }
                    return .number(start..<offset)
                }
            }
            guard offset > start else { throw fail("unexpected end of input") }
            return .number(start..<offset)
        }
    }

    private mutating func literal(_ text: StaticString) throws {
        let count = text.utf8CodeUnitCount
        guard offset + count <= bytes.count, equals(offset..<(offset + count), text) else { throw fail("invalid literal") }
        offset += count
    }

    /// Skips a balanced object or array (strings inside may hold brackets).
    private mutating func skipContainer() throws {
        var depth = 0
        while offset < bytes.count {
            let byte = bytes[offset]
            switch byte {
            case UInt8(ascii: "\""):
                _ = try readValue()
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 { offset += 1; return }
            default:
                break
            }
            offset += 1
        }
        throw fail("unterminated object or array")
    }

    /// A string token's contents with escapes resolved, as UTF-8.
    public func stringBytes(_ range: Range<Int>, escaped: Bool) throws -> [UInt8] {
        guard escaped else { return Array(UnsafeRawBufferPointer(rebasing: bytes[range])) }
        return try JSONEscapes.unescape(bytes, range)
    }

    /// A number token as an integer, exactly (`nil` if it is not a plain integer or overflows).
    public func integer(_ range: Range<Int>) -> Int64? {
        var index = range.lowerBound
        var negative = false
        if index < range.upperBound, bytes[index] == UInt8(ascii: "-") { negative = true; index += 1 }
        guard index < range.upperBound else { return nil }
        var value: Int64 = 0
        while index < range.upperBound {
            let byte = bytes[index]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let digit = Int64(byte - UInt8(ascii: "0"))
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = negative ? times.subtractingReportingOverflow(digit) : times.addingReportingOverflow(digit)
            if o1 || o2 { return nil }
            value = sum
            index += 1
        }
        return value
    }

    /// A number token as an unsigned integer, exactly.
    public func unsignedInteger(_ range: Range<Int>) -> UInt64? {
        guard !range.isEmpty else { return nil }
        var value: UInt64 = 0
        for index in range {
            let byte = bytes[index]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            if o1 || o2 { return nil }
            value = sum
        }
        return value
    }

    /// The bytes of a range as text.
    public func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }
}
