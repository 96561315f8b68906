extension MySQLConnection {
    /// The server's own conversion to utf8mb4 (`CONVERT(… USING utf8mb4)`) of `prefix + [byte]` for
    /// each prefix and each byte 0x00–0xFF, read as `characterSet`: 256 results a prefix, prefix
    /// by prefix, in byte order. One query, whatever the number of prefixes.
    public func utf8OfEachByteBlocking(after prefixes: [[UInt8]], in characterSet: String) throws -> [[UInt8]] {
        let name = try Self.characterSetName(characterSet)
        guard !prefixes.isEmpty else { return [] }
        let listed = prefixes.enumerated().map { "SELECT \($0.offset), \(Self.hexLiteral($0.element))" }.joined(separator: " UNION ALL ")
        let result = try queryBlocking("""
            WITH RECURSIVE byte(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM byte WHERE n < 255), prefix(i, p) AS (\(listed))
            SELECT HEX(CONVERT(CONVERT(CONCAT(prefix.p, CHAR(byte.n)) USING \(name)) USING utf8mb4))
            FROM prefix, byte ORDER BY prefix.i, byte.n
            """)
        guard result.rows.count == prefixes.count * 256 else {
            throw MySQLError(code: .queryFailed, message: "converting \(name) returned \(result.rows.count) rows, not \(prefixes.count * 256)")
        }
        return result.rows.map { Self.bytes(hex: $0.first.flatMap { $0 } ?? "") }
    }

    /// The server's own conversion to utf8mb4 of one value in `characterSet`.
    public func utf8Blocking(of value: [UInt8], in characterSet: String) throws -> [UInt8] {
        let name = try Self.characterSetName(characterSet)
        let result = try queryBlocking("SELECT HEX(CONVERT(CONVERT(\(Self.hexLiteral(value)) USING \(name)) USING utf8mb4))")
        return Self.bytes(hex: result.scalar ?? "")
    }

    /// A character set name as SQL takes it unquoted: letters, digits and `_` only.
    private static func characterSetName(_ name: String) throws -> String {
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw MySQLError(code: .queryFailed, message: "\(name) is not a character set name")
        }
        return name
    }

    /// `X'…'`, upper-case hex.
    static func hexLiteral(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var text: [UInt8] = Array("X'".utf8)
        text.reserveCapacity(bytes.count * 2 + 3)
        for byte in bytes { text += [digits[Int(byte >> 4)], digits[Int(byte & 0xF)]] }
        text.append(UInt8(ascii: "'"))
        return String(decoding: text, as: UTF8.self)
    }

    /// The bytes `HEX()` printed.
    static func bytes(hex: String) -> [UInt8] {
        func nibble(_ digit: UInt8) -> UInt8 { digit <= UInt8(ascii: "9") ? digit - UInt8(ascii: "0") : (digit | 0x20) - UInt8(ascii: "a") + 10 }
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count - 1, by: 2).map { nibble(digits[$0]) << 4 | nibble(digits[$0 + 1]) }
    }
}
