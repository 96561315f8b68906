import MySQL
import SluiceSupport

/// One extract per topic prefix. Two would both write the prefix's schema history and
/// checkpoint, each over the other's. Extract holds the MySQL lock `lockName` on its metadata
/// connection; the server frees it when that connection ends, so a crashed extract never
/// blocks the next one.
extension Extractor {
    /// `sluice:<prefix>` (a long prefix is shortened with a digest: lock names have at most 64 characters).
    static func lockName(prefix: String) -> String {
        let name = "sluice:" + prefix
        guard name.utf8.count > 64 else { return name }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325   // FNV-1a, stable across runs and machines
        for byte in prefix.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(name.prefix(40)) + "~" + String(hash, radix: 16)
    }

    /// Takes the prefix's lock on `connection`, or throws naming the session that holds it. After
    /// a reconnect, this extract's own earlier session may still hold it (the binlog connection
    /// alone was lost, or the old one is half open): that session is ended first.
    func fence(on connection: MySQLConnection) throws {
        let name = Self.lockName(prefix: topics.prefix)
        var holder = try connection.takeNamedLockBlocking(name, waitSeconds: 2)   // a predecessor just killed may still be ending
        if let held = holder, held == 0 || held == fencedConnectionID {
            if held != 0 { _ = try? connection.queryBlocking("KILL CONNECTION \(held)") }
            holder = try connection.takeNamedLockBlocking(name, waitSeconds: 5)
        }
        guard let holder else {
            fencedConnectionID = try connection.connectionIDBlocking()
            return
        }
        throw MySQLError(code: .lockHeld,
                         message: "another sluice extract is running for topic prefix \(topics.prefix) on \(settings.displayName) (MySQL connection \(holder) holds the lock \(Self.lockName(prefix: topics.prefix))); two would overwrite each other's schema history and checkpoint",
                         hint: "stop the other one (or wait for it to end), or give this pipeline its own --topic-prefix")
    }
}
