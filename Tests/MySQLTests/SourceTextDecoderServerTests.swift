import MySQL
@testable import Pipeline
import SluiceTestSupport
import Testing

/// `SourceTextDecoder` against the stack's server: every character set it offers but `binary`
/// decodes every byte (0x00 included, which the pipeline test cannot stage) and every two-byte
/// sequence exactly as the server's `CONVERT(… USING utf8mb4)` does.
@Suite struct SourceTextDecoderServerTests {
    /// The server, counting the whole values the decoder asks it to convert.
    final class CountingServer: CharacterSetConverting {
        let connection: MySQLConnection
        var valuesConverted = 0

        init(_ connection: MySQLConnection) { self.connection = connection }

        func utf8OfEachByte(after prefixes: [[UInt8]], in characterSet: String) throws -> [[UInt8]] {
            try connection.utf8OfEachByteBlocking(after: prefixes, in: characterSet)
        }

        func utf8(of value: [UInt8], in characterSet: String) throws -> [UInt8] {
            valuesConverted += 1
            return try connection.utf8Blocking(of: value, in: characterSet)
        }
    }

    @Test func everyCharacterSetDecodesAsTheServerConverts() async throws {
        let connection = try await MySQLConnection.connect(try TestStack.config().mysql())
        let collations = try connection.collationsBlocking()
        let sets = collations.maxBytes.keys.filter { $0 != "binary" }.sorted()
        #expect(sets.count >= 30)
        for name in sets {
            let server = CountingServer(connection)
            let decoder = SourceTextDecoder(server: server, maxBytes: collations.maxBytes)
            let maxLength = collations.maxBytes[name] ?? 1
            var values = [(0...255).map(UInt8.init), Array("plain ASCII text".utf8)]
            if maxLength > 1 {
                values += (0...255).map { [UInt8($0)] }
                values += (0...255).map { lead in (0...255).flatMap { [UInt8(lead), UInt8($0)] } }
            }
            var wrong: [String] = []
            for value in values {
                let expected = String(decoding: try connection.utf8Blocking(of: value, in: name), as: UTF8.self)
                let decoded = try decoder.decode(value, characterSet: name)
                if decoded != expected { wrong.append("\(value.prefix(4).map { String($0, radix: 16) })…: \(decoded.debugDescription) ≠ \(expected.debugDescription)") }
            }
            #expect(wrong.isEmpty, "\(name): \(wrong.count) values differ: \(wrong.prefix(3))")
            // One byte a character: the table holds every answer, the server is never asked again.
            if maxLength == 1 { #expect(server.valuesConverted == 0, "\(name)") }
        }
    }
}
