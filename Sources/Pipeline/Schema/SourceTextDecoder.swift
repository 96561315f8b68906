import MySQL

/// Decodes text the binlog carries in a column's own character set into the string the
/// snapshot reads for it: exactly what the source server's `CONVERT(… USING utf8mb4)` gives,
/// `?` wherever the server puts one.
///
/// The Unicode sets are decoded as the standard says (`UnicodeCharacterSet`); every other set
/// through a `CharacterSetTable` learnt from the server on first use. A value neither decodes
/// (an unmapped or ill-formed sequence, a three-byte EUC-JP character) is sent to the server
/// whole, and the answer kept for the next time. Used from one thread (the extract's).
final class SourceTextDecoder {
    /// A character set the server would not convert for Sluice: its tables stop with this reason.
    struct Undecodable: Error, CustomStringConvertible {
        var characterSet: String
        var reason: String
        var description: String { "its text in character set \(characterSet) cannot be decoded (\(reason))" }
    }

    /// A value longer than this is not sent to the server to convert (the query would pass
    /// `max_allowed_packet`, and the server would drop the connection).
    static let longestConverted = 4 << 20
    /// How many server conversions are kept (values of at most 4 KiB).
    static let keptConversions = 10_000

    private let server: any CharacterSetConverting
    private let maxBytes: [String: Int]
    private var tables: [String: CharacterSetTable] = [:]
    private var refused: [String: Undecodable] = [:]
    private var converted: [Conversion: String] = [:]

    private struct Conversion: Hashable {
        var characterSet: String
        var bytes: [UInt8]
    }

    /// `maxBytes`: each character set's longest character (`MySQLCollations.maxBytes`).
    init(server: any CharacterSetConverting, maxBytes: [String: Int]) {
        self.server = server
        self.maxBytes = maxBytes
    }

    /// The text of `bytes` in `characterSet` (`nil` or `binary`: the bytes as UTF-8, as the
    /// server sends them). Throws `Undecodable`, or the server's error when the connection is lost.
    func decode(_ bytes: [UInt8], characterSet: String?) throws -> String {
        guard let name = characterSet?.lowercased(), name != "binary" else { return String(decoding: bytes, as: UTF8.self) }
        if let unicode = UnicodeCharacterSet(name) {
            if let text = unicode.decode(bytes) { return text }
        } else if let text = try table(name).decode(bytes) {
            return text
        }
        return try convertedByServer(bytes, characterSet: name)
    }

    /// The table of `name`, learnt from the server the first time.
    private func table(_ name: String) throws -> CharacterSetTable {
        if let table = tables[name] { return table }
        if let refusal = refused[name] { throw refusal }
        do {
            let table = try refusing(name) { try CharacterSetTable(characterSet: name, maxLength: maxBytes[name], server: server) }
            tables[name] = table
            return table
        } catch let refusal as Undecodable {
            refused[name] = refusal
            throw refusal
        }
    }

    private func convertedByServer(_ bytes: [UInt8], characterSet name: String) throws -> String {
        let key = Conversion(characterSet: name, bytes: bytes)
        if let text = converted[key] { return text }
        guard bytes.count <= Self.longestConverted else {
            throw Undecodable(characterSet: name, reason: "a value of \(bytes.count) bytes needs the server's conversion, and Sluice sends it at most \(Self.longestConverted) bytes")
        }
        // Decoded as the snapshot decodes what the server sends (ill-formed UTF-8 repaired the same way).
        let text = String(decoding: try refusing(name) { try server.utf8(of: bytes, in: name) }, as: UTF8.self)
        if bytes.count <= 4096 {
            if converted.count >= Self.keptConversions { converted.removeAll(keepingCapacity: true) }
            converted[key] = text
        }
        return text
    }

    /// Runs a conversion; the server refusing it makes the set `Undecodable` (a lost connection stays what it is).
    private func refusing<T>(_ name: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as MySQLError where error.code == .queryFailed {
            throw Undecodable(characterSet: name, reason: "the server did not convert it: \(error.summary)")
        }
    }
}
