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
    public func currentBinlogPositionBlocking() throws -> BinlogPosition {
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
        let mariadbGTID = (try? queryBlocking("SELECT @@gtid_binlog_pos"))?.scalar
        let mysqlGTIDs = row.count > 4 ? row[4]?.replacingOccurrences(of: "\n", with: "") : nil
        let gtid = [mariadbGTID, mysqlGTIDs].compactMap { $0 }.first { !$0.isEmpty }
        return BinlogPosition(file: file, position: position, gtid: gtid)
    }

    /// The binlog files the server still has, with their sizes.
    public func binaryLogsBlocking() throws -> [(file: String, size: UInt64)] {
        try queryBlocking("SHOW BINARY LOGS").rows.compactMap { row in
            guard let name = row[0] else { return nil }
            return (name, row.count > 1 ? UInt64(row[1] ?? "") ?? 0 : 0)
        }
    }
}
