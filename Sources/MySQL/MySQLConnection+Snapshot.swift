extension MySQLConnection {
    /// Starts a repeatable-read transaction whose view of every table is the
    /// same instant, and returns the binlog position of that instant. On
    /// MariaDB this needs no lock (`binlog_snapshot_file/position`); elsewhere a
    /// brief `FLUSH TABLES WITH READ LOCK` pins the position. The session runs
    /// in UTC so TIMESTAMP values read as UTC.
    public func beginConsistentSnapshotBlocking() throws -> BinlogPosition {
        try executeBlocking("SET SESSION time_zone = '+00:00'")
        try executeBlocking("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        try executeBlocking("START TRANSACTION WITH CONSISTENT SNAPSHOT")
        let status = try queryBlocking("SHOW STATUS LIKE 'binlog_snapshot_%'")
        let values = Dictionary(status.rows.compactMap { row in row[0].map { ($0.lowercased(), row[1] ?? "") } },
                                uniquingKeysWith: { first, _ in first })
        if let file = values["binlog_snapshot_file"], !file.isEmpty,
           let position = values["binlog_snapshot_position"].flatMap(UInt64.init) {
            return BinlogPosition(file: file, position: position)
        }
        // Not MariaDB: lock briefly so the position and the snapshot agree.
        try executeBlocking("ROLLBACK")
        try executeBlocking("FLUSH TABLES WITH READ LOCK")
        defer { _ = try? executeBlocking("UNLOCK TABLES") }
        try executeBlocking("START TRANSACTION WITH CONSISTENT SNAPSHOT")
        return try currentBinlogPositionBlocking()
    }

    /// `SHOW MASTER STATUS` (`SHOW BINARY LOG STATUS` on MySQL ≥ 8.4, which removed the
    /// former): where the server is writing now, with MariaDB's GTID position or MySQL's
    /// executed GTID set.
    ///
    /// MariaDB's GTID position is a separate read. It is read before and after the status and
    /// kept only when both agree: a transaction committed in between would pair a position before
    /// it with its GTID, and a resume there would then meet that GTID again and take it for a reset
    /// log. Under constant writes the GTID is left out (it only guards against reset logs).
    public func currentBinlogPositionBlocking() throws -> BinlogPosition {
        for _ in 0..<20 {
            let before = (try? queryBlocking("SELECT @@gtid_binlog_pos"))?.scalar
            let (file, position, mysqlGTIDs) = try binaryLogStatus()
            let after = (try? queryBlocking("SELECT @@gtid_binlog_pos"))?.scalar
            guard before == after else { continue }
            let gtid = [after, mysqlGTIDs].compactMap { $0 }.first { !$0.isEmpty }
            return BinlogPosition(file: file, position: position, gtid: gtid)
        }
        let (file, position, mysqlGTIDs) = try binaryLogStatus()
        return BinlogPosition(file: file, position: position, gtid: mysqlGTIDs.flatMap { $0.isEmpty ? nil : $0 })
    }

    /// The file and position being written, and MySQL's executed GTID set (read together).
    private func binaryLogStatus() throws -> (file: String, position: UInt64, mysqlGTIDs: String?) {
        let status: MySQLResultSet
        do {
            status = try queryBlocking("SHOW MASTER STATUS")
        } catch let error as MySQLError where error.errorNumber == 1064 {
            status = try queryBlocking("SHOW BINARY LOG STATUS")
        }
        guard let row = status.rows.first, let file = row[0], let position = row[1].flatMap(UInt64.init) else {
            throw MySQLError(code: .unsupportedServer, message: "the server has no binary log (SHOW MASTER STATUS is empty)",
                             hint: "start it with log_bin and binlog_format=ROW")
        }
        return (file, position, row.count > 4 ? row[4]?.replacingOccurrences(of: "\n", with: "") : nil)
    }

    /// The binlog files the server still has, with their sizes.
    public func binaryLogsBlocking() throws -> [(file: String, size: UInt64)] {
        try queryBlocking("SHOW BINARY LOGS").rows.compactMap { row in
            guard let name = row[0] else { return nil }
            return (name, row.count > 1 ? UInt64(row[1] ?? "") ?? 0 : 0)
        }
    }
}
