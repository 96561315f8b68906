import MySQL

/// The source server's own conversion to UTF-8 (`CONVERT(… USING utf8mb4)`), which a
/// `SourceTextDecoder` learns character sets from and falls back on. Blocking: the
/// extract calls it on its own thread.
protocol CharacterSetConverting {
    /// The utf8mb4 bytes of `prefix + [byte]` read as `characterSet`, for each prefix and each
    /// byte 0x00–0xFF: 256 results a prefix, prefix by prefix, in byte order.
    func utf8OfEachByte(after prefixes: [[UInt8]], in characterSet: String) throws -> [[UInt8]]
    /// The utf8mb4 bytes of one value read as `characterSet`.
    func utf8(of value: [UInt8], in characterSet: String) throws -> [UInt8]
}

extension MySQLConnection: CharacterSetConverting {
    func utf8OfEachByte(after prefixes: [[UInt8]], in characterSet: String) throws -> [[UInt8]] {
        try utf8OfEachByteBlocking(after: prefixes, in: characterSet)
    }

    func utf8(of value: [UInt8], in characterSet: String) throws -> [UInt8] {
        try utf8Blocking(of: value, in: characterSet)
    }
}
