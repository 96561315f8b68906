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
            // MariaDB reports a consistent read's binlog position (`binlog_snapshot_file`) lock-free;
            // chunks read by more than one connection need watermarks.
            decided = try options.snapshotParallelism > 1
                || (try metadata.queryBlocking("SHOW STATUS LIKE 'binlog_snapshot_file'")).rows.isEmpty
        }
        if decided { try createWatermarkTable() }
        logger.info("snapshot chunks use \(decided ? "watermarks in \(database).\(options.watermarkTable), \(options.snapshotParallelism) reader(s)" : "consistent reads at their binlog position")")
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

    /// Collects finished chunk reads, then starts reads while readers are free: each takes the
    /// next key range of a table (tables in name order; at most one chunk more than there are
    /// readers waits per table, so memory stays a few chunks). At the end of the log (`wait`)
    /// it also waits up to 2 s for a read, whose high mark is then there to read.
    func stepWatermarkSnapshots(wait: Bool) throws {
        try collectWatermarkReads()
        try startWatermarkReads()
        guard wait else { return }
        if snapshotReaders.inFlight == 0 {
            usleep(100_000)   // every table waits to retry a failed chunk
        } else {
            snapshotReaders.waitForAny(timeout: 2)
            try collectWatermarkReads()
            try startWatermarkReads()
        }
    }

    private func startWatermarkReads() throws {
        let limit = snapshotReaders.capacity + 1
        while snapshotReaders.hasCapacity, !stop.isStopped,
              let job = jobs.keys.sorted().lazy.compactMap({ self.jobs[$0] })
                .first(where: { $0.schema.hasPrimaryKey && !$0.readAll && $0.chunks.count < limit && Date() >= $0.retryAfter }) {
            let through: [String?]?
            do { through = try chunkEnd(job) } catch let error as MySQLError {
                try chunkFailed(job, error)
                continue
            }
            let chunk = WatermarkChunk(mark: UUID().uuidString, from: job.readFrom, through: through)
            job.chunks.append(chunk)
            job.readFrom = through
            job.readAll = through == nil
            startRead(chunk, of: job.schema)
        }
    }

    /// The key of the chunk's last row: the `snapshotChunkRows`-th key after where the job reads
    /// from, or `nil` when fewer are left. (A table without a key is read as one consistent chunk, see `stepSnapshots`.)
    private func chunkEnd(_ job: SnapshotJob) throws -> [String?]? {
        let schema = job.schema
        guard schema.hasPrimaryKey else { return nil }
        let keyColumns = schema.keyIndexes.map { schema.columns[$0] }
        let quote = MySQLConnection.quoteIdentifier
        var sql = "SELECT " + keyColumns.map { quote($0.name) }.joined(separator: ", ")
            + " FROM \(quote(schema.database)).\(quote(schema.table))"
        if let range = keyRange(schema, after: job.readFrom, through: nil) { sql += " WHERE " + range }
        sql += " ORDER BY " + schema.key.map(quote).joined(separator: ", ") + " LIMIT 1 OFFSET \(options.snapshotChunkRows - 1)"
        var end: [String?]?
        try metadata.streamRowsBlocking(sql, batchSize: 1) { _, rows in
            if let row = rows.first {
                end = zip(row, keyColumns).map { FieldValue(textProtocol: $0, column: $1).text }
            }
            return false
        }
        return end
    }

    /// Reads the chunk on a reader of its own: low mark, the rows of its key range, high mark.
    private func startRead(_ chunk: WatermarkChunk, of schema: TableSchema) {
        let query = snapshotQuery(schema, after: chunk.from, through: chunk.through)
        let mark = chunk.mark, table = schema.table, database = database, markTable = options.watermarkTable
        let batchRows = options.snapshotBatchRows, stop = stop, stopsAtZeroDates = zeroDates == .stop
        snapshotReaders.start(mark: mark) { connection in
            try Self.writeMark(connection, database: database, markTable: markTable, table: table, kind: "low", mark: mark)
            var read = ChunkRead(rows: [])
            try connection.streamRowsBlocking(query, batchSize: batchRows) { _, batch in
                for raw in batch {
                    if stopsAtZeroDates, let column = schema.zeroDateColumn(textProtocol: raw) {
                        read.zeroDateColumn = column
                        return false
                    }
                    read.rows.append(zip(raw, schema.columns).map { FieldValue(textProtocol: $0, column: $1) })
                }
                return !stop.isStopped
            }
            if stop.isStopped { throw MySQLError(code: .queryFailed, message: "stopped") }
            try Self.writeMark(connection, database: database, markTable: markTable, table: table, kind: "high", mark: mark)
            return read
        }
    }

    /// Gives finished reads to their chunks; a failed read fails its table's snapshot for now.
    /// Reads of chunks no longer waiting (the table was snapshotted again or stopped) are dropped.
    private func collectWatermarkReads() throws {
        for (mark, result) in snapshotReaders.takeFinished() where !stop.isStopped {
            guard let job = jobs.values.first(where: { $0.chunks.contains { $0.mark == mark } }),
                  let chunk = job.chunks.first(where: { $0.mark == mark }) else { continue }
            switch result {
            case .success(let read): chunk.read = read
            case .failure(let error): try chunkFailed(job, error)
            }
        }
    }

    private static func writeMark(_ connection: MySQLConnection, database: String, markTable: String,
                                  table: String, kind: String, mark: String) throws {
        let q = MySQLConnection.quoteIdentifier, literal = MySQLConnection.escapeLiteral
        _ = try connection.executeBlocking("""
            INSERT INTO \(q(database)).\(q(markTable)) (snapshot_table, kind, mark)
            VALUES ('\(literal(table))', '\(kind)', '\(mark)') ON DUPLICATE KEY UPDATE kind = VALUES(kind), mark = VALUES(mark)
            """)
    }

    /// Whether a row event is a write to the watermark table.
    func isWatermark(_ rows: BinlogRowsEvent) -> Bool {
        rows.database == database && rows.table == options.watermarkTable
    }

    /// A write to the watermark table: a low mark starts noting changed keys; a high mark sends
    /// every chunk of the table whose high mark, and every earlier chunk's, has passed. Returns the rows sent.
    func handleWatermark(_ rows: BinlogRowsEvent, at position: BinlogPosition) throws -> Int {
        let images = rows.kind == .update ? stride(from: 1, to: rows.rows.count, by: 2).map { rows.rows[$0] }
            : rows.kind == .insert ? rows.rows : []
        var sent = 0
        for image in images {
            guard image.count >= 3, case .bytes(let table)? = image[0], case .bytes(let kind)? = image[1], case .bytes(let mark)? = image[2],
                  let job = jobs[String(decoding: table, as: UTF8.self)] else { continue }
            let markText = String(decoding: mark, as: UTF8.self)
            guard let chunk = job.chunks.first(where: { $0.mark == markText }) else { continue }
            switch String(decoding: kind, as: UTF8.self) {
            case "low":
                chunk.seenLow = true
            case "high" where chunk.seenLow:
                chunk.seenHigh = true
                sent += try sendPassedChunks(job, at: position)
            default:
                continue
            }
        }
        return sent
    }

    /// Sends the job's leading chunks whose high mark has passed, at `position`. A chunk whose
    /// high mark passed before an earlier chunk's is sent with it: its keys changed meanwhile
    /// are noted too, so its other rows still hold the values read.
    private func sendPassedChunks(_ job: SnapshotJob, at position: BinlogPosition) throws -> Int {
        var sent = 0
        while let chunk = job.chunks.first, chunk.seenHigh {
            if chunk.read == nil {
                // The high mark is a read's last step: its result is there or about to be.
                switch snapshotReaders.wait(for: chunk.mark) {
                case .success(let read)?: chunk.read = read
                case .failure(let error)?:
                    try chunkFailed(job, error)
                    return sent
                case nil:
                    try chunkFailed(job, MySQLError(code: .queryFailed, message: "the read of a chunk between its marks was lost"))
                    return sent
                }
            }
            let sender = SnapshotRowSender(extractor: self, job: job, at: position)
            if let column = chunk.read?.zeroDateColumn {
                stopTable(job.table, at: position, .zeroDate(column, table: job.table))
                return sent
            }
            do {
                for values in chunk.read?.rows ?? [] where !chunk.changedKeys.contains(sender.layout.keyText(values)) {
                    try sender.send(values)
                    sent += 1
                }
            } catch let error as TableStop {
                stopTable(job.table, at: position, error)
                return sent
            }
            job.chunks.removeFirst()
            // The next chunk starts after this one's upper bound (the last chunk ends the job).
            if let through = chunk.through { job.lastKey = through }
            observer.snapshotProgress(table: job.table, rowsSent: job.rows)
            try chunkSent(job, isLast: chunk.isLast)
            if chunk.isLast { break }
            checkRetention(job)
        }
        return sent
    }

    /// Notes the keys a row event's images change while chunks of its table are between their low mark and being sent.
    func noteChangedKeys(_ images: [[FieldValue]], table: String, layout: EventLayout) {
        guard let chunks = jobs[table]?.chunks.filter(\.seenLow), !chunks.isEmpty else { return }
        for image in images {
            let key = layout.keyText(image)
            for chunk in chunks { chunk.changedKeys.insert(key) }
        }
    }
}
