/// A character set's conversion to Unicode as the source server does it, learnt from the
/// server one sequence at a time: what each byte converts to alone and, for a multibyte
/// set, each two-byte sequence.
///
/// A value is decoded sequence by sequence. That is exact because a sequence that converts
/// alone to one character (not `?`) is one the server reads whole wherever it stands: its
/// first bytes decide its length, so no other parse starts there. A value holding a
/// sequence the table lacks (one the server turns into `?`, or a longer one, as EUC-JP's
/// three-byte 0x8F…) is not decoded here (`nil`): the caller asks the server for all of it.
/// A single-byte set has no such value: each byte is read alone, so its `?` is the table's.
struct CharacterSetTable: Sendable {
    /// Marks a byte or sequence that converts to no one character.
    private static let none = UInt32.max
    /// The scalar each byte converts to alone.
    private let single: [UInt32]
    /// The scalar each two-byte sequence `first << 8 | second` converts to (multibyte sets; else empty).
    private let double: [UInt32]
    /// Bytes 0x00–0x7F are their own scalars: an ASCII value is its own UTF-8.
    private let asciiIsItself: Bool

    /// Learns `characterSet` from `server`; `maxLength` is its longest character in bytes
    /// (`nil`: not known, read as multibyte).
    init(characterSet: String, maxLength: Int?, server: some CharacterSetConverting) throws {
        let multibyte = maxLength.map { $0 > 1 } ?? true
        let alone = try server.utf8OfEachByte(after: [[]], in: characterSet)
        let single = alone.enumerated().map { byte, utf8 in
            // In a multibyte set `?` alone may be a lead byte cut short, not a character (but `?` itself).
            Self.scalar(of: utf8, allowingQuestionMark: !multibyte || byte == 0x3F)
        }
        self.single = single
        asciiIsItself = (0..<0x80).allSatisfy { single[$0] == UInt32($0) }
        guard multibyte else { double = []; return }
        let leads = (0...255).filter { single[$0] == Self.none }
        let pairs = try server.utf8OfEachByte(after: leads.map { [UInt8($0)] }, in: characterSet)
        var double = [UInt32](repeating: Self.none, count: 65_536)
        for (index, lead) in leads.enumerated() {
            for second in 0...255 {
                double[lead << 8 | second] = Self.scalar(of: pairs[index * 256 + second], allowingQuestionMark: false)
            }
        }
        self.double = double
    }

    /// The text of `bytes`; `nil` when it holds a sequence the table lacks.
    func decode(_ bytes: [UInt8]) -> String? {
        if asciiIsItself && bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        var scalars = String.UnicodeScalarView()
        var index = bytes.startIndex
        while index < bytes.endIndex {
            var value = single[Int(bytes[index])], length = 1
            if value == Self.none && !double.isEmpty && index + 1 < bytes.endIndex {
                value = double[Int(bytes[index]) << 8 | Int(bytes[index + 1])]
                length = 2
            }
            guard value != Self.none, let scalar = Unicode.Scalar(value) else { return nil }
            scalars.append(scalar)
            index += length
        }
        return String(scalars)
    }

    /// The one scalar `utf8` holds, else `none` (also for `?` unless allowed).
    private static func scalar(of utf8: [UInt8], allowingQuestionMark: Bool) -> UInt32 {
        let scalars = String(decoding: utf8, as: UTF8.self).unicodeScalars
        guard scalars.count == 1, let scalar = scalars.first, scalar != "\u{FFFD}" || utf8 == [0xEF, 0xBF, 0xBD] else { return none }
        return scalar == "?" && !allowingQuestionMark ? none : scalar.value
    }
}
