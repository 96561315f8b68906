import MySQL
@testable import Pipeline
import Testing

/// `SourceTextDecoder` against a made-up server whose conversion is a function of the bytes,
/// as MySQL's is: what it learns, when it asks again, and what it refuses.
@Suite struct SourceTextDecoderTests {
    /// A server with two character sets: `toy1`, one byte a character (0x80 → `€`, 0xFF unmapped → `?`),
    /// and `toy2`, ASCII plus two-byte characters led by 0x81 (0x81 0x41 → `あ`, other 0x81 pairs
    /// unmapped → `?`). Counts the whole values it is asked to convert; refuses any other set.
    final class ToyServer: CharacterSetConverting {
        var valuesConverted = 0

        static func convert(_ bytes: [UInt8], in characterSet: String) throws -> [UInt8] {
            var text = "", index = 0
            while index < bytes.count {
                let byte = bytes[index]
                switch (characterSet, byte) {
                case ("toy1", 0x80): text += "€"
                case ("toy1", 0xFF): text += "?"
                case ("toy1", _): text.unicodeScalars.append(Unicode.Scalar(byte))
                case ("toy2", 0x81):
                    // A lead byte: the pair is one (maybe unmapped) character; alone or before ASCII, `?`.
                    if index + 1 < bytes.count, bytes[index + 1] >= 0x40 {
                        text += bytes[index + 1] == 0x41 ? "あ" : "?"
                        index += 1
                    } else { text += "?" }
                case ("toy2", 0..<0x80): text.unicodeScalars.append(Unicode.Scalar(byte))
                case ("toy2", _): text += "?"
                default: throw MySQLError(code: .queryFailed, errorNumber: 1115, message: "Unknown character set: '\(characterSet)'")
                }
                index += 1
            }
            return Array(text.utf8)
        }

        func utf8OfEachByte(after prefixes: [[UInt8]], in characterSet: String) throws -> [[UInt8]] {
            try prefixes.flatMap { prefix in try (0...255).map { try Self.convert(prefix + [UInt8($0)], in: characterSet) } }
        }

        func utf8(of value: [UInt8], in characterSet: String) throws -> [UInt8] {
            valuesConverted += 1
            return try Self.convert(value, in: characterSet)
        }
    }

    static func decoder(_ server: ToyServer = ToyServer()) -> SourceTextDecoder {
        SourceTextDecoder(server: server, maxBytes: ["toy1": 1, "toy2": 2, "latin1": 1])
    }

    @Test func singleByteSetsDecodeEveryByteFromTheTable() throws {
        let server = ToyServer()
        let decoder = Self.decoder(server)
        let every = (0...255).map(UInt8.init)
        #expect(try decoder.decode(every, characterSet: "toy1") == String(decoding: try ToyServer.convert(every, in: "toy1"), as: UTF8.self))
        #expect(try decoder.decode([0x80, 0xFF, 0x41], characterSet: "TOY1") == "€?A")
        #expect(server.valuesConverted == 0)
    }

    @Test func multibyteSetsAskTheServerOnlyForWhatTheTableLacks() throws {
        let server = ToyServer()
        let decoder = Self.decoder(server)
        #expect(try decoder.decode([0x41, 0x81, 0x41, 0x42], characterSet: "toy2") == "AあB")
        #expect(server.valuesConverted == 0)
        // An unmapped pair and a lead byte cut short: the server's `?`, asked once per value.
        for _ in 0..<2 {
            #expect(try decoder.decode([0x81, 0x42, 0x81], characterSet: "toy2") == "??")
            #expect(try decoder.decode([0x81, 0x20], characterSet: "toy2") == "? ")
        }
        #expect(server.valuesConverted == 2)
    }

    @Test func unicodeSetsDecodeWellFormedTextThemselves() throws {
        let server = ToyServer()
        let decoder = Self.decoder(server)
        #expect(try decoder.decode([0x00, 0x41, 0xD8, 0x3D, 0xDE, 0x00], characterSet: "utf16") == "A😀")
        #expect(try decoder.decode([0x41, 0x00, 0x3D, 0xD8, 0x00, 0xDE], characterSet: "utf16le") == "A😀")
        #expect(try decoder.decode([0x00, 0x01, 0xF6, 0x00], characterSet: "utf32") == "😀")
        #expect(try decoder.decode([0x20, 0xAC], characterSet: "ucs2") == "€")
        #expect(try decoder.decode(Array("€😀".utf8), characterSet: "utf8mb4") == "€😀")
        #expect(try decoder.decode(Array("€".utf8), characterSet: "utf8") == "€")
        #expect(server.valuesConverted == 0)
    }

    @Test func illFormedUnicodeIsLeftToTheServer() throws {
        // The toy server refuses these sets: reaching it shows the decoder did not guess.
        let decoder = Self.decoder()
        for (bytes, set) in [([0xD8, 0x00], "ucs2"), ([0xD8, 0x00], "utf16"), ([0x00, 0x00, 0xD8, 0x00], "utf32"),
                             ([0xF0, 0x9F, 0x98, 0x80], "utf8mb3"), ([0xC3], "utf8mb4"), ([0x00], "utf16")] as [([UInt8], String)] {
            #expect(throws: SourceTextDecoder.Undecodable.self, "\(set) \(bytes)") { try decoder.decode(bytes, characterSet: set) }
        }
    }

    @Test func aSetTheServerDoesNotConvertIsUndecodable() throws {
        let decoder = Self.decoder()
        let refusal = #expect(throws: SourceTextDecoder.Undecodable.self) { try decoder.decode([0x41], characterSet: "klingon") }
        #expect(refusal?.description.contains("character set klingon cannot be decoded") == true)
        #expect(refusal?.description.contains("Unknown character set") == true)
        // Binary and text without a set are the bytes as UTF-8, as the server sends them.
        #expect(try decoder.decode(Array("é".utf8), characterSet: "binary") == "é")
        #expect(try decoder.decode(Array("é".utf8), characterSet: nil) == "é")
    }
}
