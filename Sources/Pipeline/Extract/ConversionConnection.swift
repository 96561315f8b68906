import MySQL

/// The source server's character-set conversions (what `SourceTextDecoder` learns from) over a
/// connection opened again when it was lost: a decoder first asks when it meets a character set
/// in the binlog, which may be just after the server restarted under the binlog reader.
/// Used on extract's own thread only.
final class ConversionConnection: CharacterSetConverting {
    private let settings: MySQLConnection.Configuration
    private var connection: MySQLConnection?

    /// Opens its connection on first use.
    init(settings: MySQLConnection.Configuration) { self.settings = settings }

    func utf8OfEachByte(after prefixes: [[UInt8]], in characterSet: String) throws -> [[UInt8]] {
        try withConnection { try $0.utf8OfEachByteBlocking(after: prefixes, in: characterSet) }
    }

    func utf8(of value: [UInt8], in characterSet: String) throws -> [UInt8] {
        try withConnection { try $0.utf8Blocking(of: value, in: characterSet) }
    }

    /// Runs `body` on the connection; a lost one is opened again and `body` tried once more.
    private func withConnection<T>(_ body: (MySQLConnection) throws -> T) throws -> T {
        do {
            return try body(try open())
        } catch let error as MySQLError where error.code == .connectionLost {
            connection = nil
            return try body(try open())
        }
    }

    private func open() throws -> MySQLConnection {
        if let connection { return connection }
        let opened = try MySQLConnection.connectBlocking(settings)
        connection = opened
        return opened
    }
}
