import Foundation
import MySQL

/// Watermark snapshots (the DBLog algorithm Debezium and Flink CDC use), for servers that cannot
/// report a read view's binlog position without a lock.
///
/// For each chunk: write a low mark to the watermark table, read the chunk (plain autocommit
/// reads, no long transaction), write a high mark. The binlog reader meets the low mark, notes
/// every key of the table that changes from there, and at the high mark sends the chunk's rows
/// except those keys, at the high mark's position. A row that changed between the marks is
/// left to its binlog event, which already went out in order; every other row held the value
/// read from the low mark to the high mark, so the snapshot is consistent with the stream.
extension Extractor {
    /// Whether this run makes chunks with watermarks (decided once, from the option and the server).
    func usesWatermarks() throws -> Bool {
        if let decided = watermarkMode { return decided }
        let decided: Bool
        switch options.snapshotMode {
        case .transaction: decided = false
        case .watermark: decided = true
        case .auto:
            // MariaDB reports a consistent read's binlog position (`binlog_snapshot_file`) lock-free.
            decided = (try metadata.queryBlocking("SHOW STATUS LIKE 'binlog_snapshot_file'")).rows.isEmpty
        }
        if decided { try createWatermarkTable() }
        logger.info("snapshot chunks use \(decided ? "watermarks in \(database).\(options.watermarkTable)" : "consistent reads at their binlog position")")
        watermarkMode = decided
        return decided
    }

    func createWatermarkTable() throws {
        let q = MySQLConnection.quoteIdentifier
        let ddl = "CREATE TABLE IF NOT EXISTS \(q(database)).\(q(options.watermarkTable)) "
            + "(snapshot_table VARCHAR(64) NOT NULL PRIMARY KEY, kind VARCHAR(4) NOT NULL, mark CHAR(36) NOT NULL)"
        // CREATE … IF NOT EXISTS still needs the CREATE privilege: look first.
        if try metadata.baseTablesBlocking(in: database).contains(options.watermarkTable) { return }
        do {
            try metadata.executeBlocking(ddl)
        } catch let error as MySQLError {
            throw MySQLError(code: error.code, errorNumber: error.errorNumber,
                             message: "watermark snapshots need the table \(database).\(options.watermarkTable): \(error.message)",
                             hint: "create it once as an administrator (\(ddl)) and GRANT INSERT, UPDATE ON it to \(settings.user), or use --snapshot-mode transaction")
        }
    }

    /// Reads the job's next chunk between a low and a high mark; the reader sends it later.
    func readWatermarkChunk(_ job: SnapshotJob) throws {
        let connection = try job.connection ?? MySQLConnection.connectBlocking(settings)
        if job.connection == nil {
            try connection.executeBlocking("SET SESSION time_zone = '+00:00'")
            try connection.executeBlocking("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
            job.connection = connection
        }
        let schema = job.schema
        let limit = schema.hasPrimaryKey ? options.snapshotChunkRows : nil
        let mark = UUID().uuidString
        try writeMark(connection, table: job.table, kind: "low", mark: mark)
        var rows: [[FieldValue]] = []
        let layout = self.layout(for: schema)
        try connection.streamRowsBlocking(snapshotQuery(schema, after: job.lastKey) + (limit.map { " LIMIT \($0)" } ?? ""),
                                          batchSize: options.snapshotBatchRows) { _, batch in
            for raw in batch { rows.append(zip(raw, schema.columns).map { FieldValue(textProtocol: $0, column: $1) }) }
            return !stop.isStopped
        }
        guard !stop.isStopped else { return }
        try writeMark(connection, table: job.table, kind: "high", mark: mark)
        job.watermark = WatermarkChunk(mark: mark, rows: rows, lastKey: rows.last.map(layout.keyText) ?? job.lastKey,
                                       isLast: limit.map { rows.count < $0 } ?? true)
    }

    private func writeMark(_ connection: MySQLConnection, table: String, kind: String, mark: String) throws {
        let q = MySQLConnection.quoteIdentifier, literal = MySQLConnection.escapeLiteral
        try connection.executeBlocking("""
            INSERT INTO \(q(database)).\(q(options.watermarkTable)) (snapshot_table, kind, mark)
            VALUES ('\(literal(table))', '\(kind)', '\(mark)') ON DUPLICATE KEY UPDATE kind = VALUES(kind), mark = VALUES(mark)
            """)
    }

    /// Whether a row event is a write to the watermark table.
    func isWatermark(_ rows: BinlogRowsEvent) -> Bool {
        rows.database == database && rows.table == options.watermarkTable
    }

    /// A write to the watermark table: a low mark starts noting changed keys; a high mark sends
    /// the chunk without them. Returns the rows sent.
    func handleWatermark(_ rows: BinlogRowsEvent, at position: BinlogPosition) throws -> Int {
        let images = rows.kind == .update ? stride(from: 1, to: rows.rows.count, by: 2).map { rows.rows[$0] }
            : rows.kind == .insert ? rows.rows : []
        var sent = 0
        for image in images {
            guard image.count >= 3, case .bytes(let table)? = image[0], case .bytes(let kind)? = image[1], case .bytes(let mark)? = image[2],
                  let job = jobs[String(decoding: table, as: UTF8.self)], let chunk = job.watermark,
                  chunk.mark == String(decoding: mark, as: UTF8.self) else { continue }
            switch String(decoding: kind, as: UTF8.self) {
            case "low":
                chunk.seenLow = true
            case "high" where chunk.seenLow:
                let sender = SnapshotRowSender(extractor: self, job: job, at: position)
                for values in chunk.rows where !chunk.changedKeys.contains(sender.layout.keyText(values)) {
                    try sender.send(values)
                    sent += 1
                }
                job.watermark = nil
                if job.schema.hasPrimaryKey { job.lastKey = chunk.lastKey }
                observer.snapshotProgress(table: job.table, rowsSent: job.rows)
                chunkSent(job, isLast: chunk.isLast)
            default:
                continue
            }
        }
        return sent
    }

    /// Notes the keys a row event changes while a chunk of its table waits between its marks.
    func noteChangedKeys(_ rows: BinlogRowsEvent, schema: TableSchema, layout: EventLayout) {
        guard let chunk = jobs[schema.table]?.watermark, chunk.seenLow else { return }
        for row in rows.rows {
            chunk.changedKeys.insert(layout.keyColumns.map { column in
                (row[column.index].map { FieldValue(binlog: $0, column: schema.columns[column.index]) } ?? .null).text
            })
        }
    }
}
