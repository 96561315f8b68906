import SluiceSupport
import Testing

/// The tree parser, the in-place scanner and the writer agree on every string: escapes, surrogate
/// pairs, control characters, multi-byte UTF-8; malformed escapes are errors in both readers.
@Suite struct JSONTests {
    static let texts = [
        "", "plain", "quote \" backslash \\ slash /", "tab\tnew\nline\rcr", "\u{08}\u{0C}\u{01}\u{1F}",
        "Zoë, 東京, 🦆 and 𝄞", "O'Brien; DROP TABLE x", String(repeating: "é", count: 300),
    ]

    /// The scanner's reading of one string token.
    static func scanned(_ json: [UInt8]) throws -> String {
        try json.withUnsafeBytes { buffer in
            var scanner = JSONScanner(buffer)
            guard case .string(let range, let escaped) = try scanner.readValue() else { throw JSONParseError(offset: 0, reason: "not a string") }
            return String(decoding: try scanner.stringBytes(range, escaped: escaped), as: UTF8.self)
        }
    }

    @Test(arguments: texts) func writtenStringsReadBackIdentically(text: String) throws {
        var writer = JSONWriter()
        writer.string(text)
        #expect(try JSONValue.parse(writer.bytes) == .string(text))
        #expect(try Self.scanned(writer.bytes) == text)
    }

    @Test func escapesFromOtherWritersResolveTheSameInBothReaders() throws {
        let cases: [(String, String)] = [
            (#""\u00e9\u6771""#, "é東"),
            (#""\ud83e\udd86""#, "🦆"),             // a surrogate pair is one scalar
            (#""a\/b\"c\\d""#, "a/b\"c\\d"),
            (#""\b\f\n\r\t""#, "\u{08}\u{0C}\n\r\t"),
            (#""\u0000""#, "\u{0}"),
        ]
        for (json, expected) in cases {
            #expect(try JSONValue.parse(json) == .string(expected), "\(json)")
            #expect(try Self.scanned(Array(json.utf8)) == expected, "\(json)")
        }
    }

    @Test func malformedEscapesAreErrorsInBothReaders() {
        for json in [#""\x41""#, #""\u12""#, #""\u12G4""#, #""\ud800""#, #""unterminated"#, #""dangling\"#] {
            #expect(throws: JSONParseError.self, "\(json)") { try JSONValue.parse(json) }
            #expect(throws: JSONParseError.self, "\(json)") { try Self.scanned(Array(json.utf8)) }
        }
    }
}
