import SluiceSupport

/// MySQL's user-level locks (`GET_LOCK`): held by one session until it releases them or ends,
/// so a process that dies, is killed or loses its network gives them up by itself.
extension MySQLConnection {
    /// Tries to take the lock `name` (at most 64 characters), waiting up to `waitSeconds`: `nil`
    /// when taken, else the connection id of the session that holds it (0 if it went away meanwhile).
    public func takeNamedLockBlocking(_ name: String, waitSeconds: Int = 0) throws -> UInt64? {
        let literal = "'\(Self.escapeLiteral(name))'"
        if try queryBlocking("SELECT GET_LOCK(\(literal), \(waitSeconds))").scalar == "1" { return nil }
        return UInt64(try queryBlocking("SELECT IS_USED_LOCK(\(literal))").scalar ?? "") ?? 0
    }

    /// This session's connection id (`CONNECTION_ID()`).
    public func connectionIDBlocking() throws -> UInt64 {
        UInt64(try queryBlocking("SELECT CONNECTION_ID()").scalar ?? "") ?? 0
    }

    /// When the server started (seconds since 1970, from `Uptime`), to tell one server run from the next.
    public func serverStartedBlocking() throws -> Int64 {
        let now = Int64(try queryBlocking("SELECT UNIX_TIMESTAMP()").scalar ?? "") ?? 0
        let uptime = try queryBlocking("SHOW GLOBAL STATUS LIKE 'Uptime'").rows.first.flatMap { $0.count > 1 ? $0[1] : nil }
        return now - (Int64(uptime ?? "") ?? 0)
    }
}
