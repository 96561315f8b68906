import MySQL
import SluiceSupport

/// One extract per topic prefix. Two would both write the prefix's schema history and
/// checkpoint, each over the other's. Extract holds the MySQL lock `lockName` on its metadata
/// connection; the server frees it when that connection ends, so a crashed extract never
/// blocks the next one.
extension Extractor {
    /// The session holding this extract's lock: its connection id on the server started then.
    struct FenceHolder {
        var connection: UInt64
        var serverStarted: Int64
    }

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
    /// alone was lost, or the old one is half open): that session is ended first, but only when
    /// it is the same session (same id on a server that has not restarted since).
    func fence(on connection: MySQLConnection) throws {
        let name = Self.lockName(prefix: topics.prefix)
        let started = try connection.serverStartedBlocking()
        var holder = try connection.takeNamedLockBlocking(name, waitSeconds: 2)   // a predecessor just killed may still be ending
        let ours = { (held: UInt64) in
            self.fenceHolder.map { $0.connection == held && abs($0.serverStarted - started) <= 5 } ?? false
        }
        if let held = holder, held == 0 || ours(held) {
            if held != 0 { _ = try? connection.queryBlocking("KILL CONNECTION \(held)") }
            holder = try connection.takeNamedLockBlocking(name, waitSeconds: 5)
        }
        guard let holder else {
            // An idle connection must not be closed by the server (and the lock freed with it).
            _ = try connection.queryBlocking("SET SESSION wait_timeout = 31536000")
            fenceHolder = FenceHolder(connection: try connection.connectionIDBlocking(), serverStarted: started)
            return
        }
        if ours(holder) {
            throw MySQLError(code: .lockHeld, message: "this extract's earlier MySQL session \(holder) on \(settings.displayName) still holds the lock \(name) and did not end when killed",
                             hint: "run again in a moment")
        }
        throw MySQLError(code: .lockHeld,
                         message: "another sluice extract is running for topic prefix \(topics.prefix) on \(settings.displayName) (MySQL connection \(holder) holds the lock \(name)); two would overwrite each other's schema history and checkpoint",
                         hint: "stop the other one (or wait for it to end), or give this pipeline its own --topic-prefix")
    }

    /// Before a checkpoint is written: the lock is still this extract's (its session may have
    /// ended without the binlog noticing); if not, it is taken again or extract stops.
    func requireFence() throws {
        let name = Self.lockName(prefix: topics.prefix)
        if try metadata.queryBlocking("SELECT IS_USED_LOCK('\(MySQLConnection.escapeLiteral(name))') = CONNECTION_ID()").scalar == "1" { return }
        logger.warning("the lock \(name) is no longer held by this extract's session; taking it again")
        try fence(on: metadata)
    }
}
