import Foundation
import MySQL

extension Extractor {
    /// Starts (or restarts) a snapshot of `table`: a new schema version whose floor is the
    /// binlog position now, a `t` event if the table had data downstream (everything older
    /// is superseded), then chunks as the reader reaches them. `since` is the DDL position
    /// that caused it: the table's row images from there to the floor are covered by the snapshot.
    func startSnapshot(_ table: String, since: BinlogPosition?, reason: String? = nil) throws {
        jobs[table]?.close()
        jobs[table] = nil
        guard let current = try currentSchema(table, stoppingAt: nil) else { return }
        var schema = current.schema
        let definition = current.definition, floor = current.position
        if !schema.hasPrimaryKey {
            logger.warning("table \(table) has no primary key: its messages are keyed by all columns")
        }
        schema.since = since ?? floor
        schema.floor = floor
        let hadData = registry.latest(table) != nil
        try producer.prepareTopics([topics.table(table)])
        let version = try registry.register(schema, epoch: checkpoint.epoch)
        if hadData { try sendTruncate(version, at: floor) }
        jobs[table] = SnapshotJob(table: table, schema: version)
        jobs[table]?.estimatedRows = definition.estimatedRows
        checkpoint.tables[table] = .init(state: .snapshotting, position: floor, snapshot: .init(version: version.version))
        logger.notice("table \(table): snapshot from binlog \(floor) (schema version \(version.version))\(reason.map { ": \($0)" } ?? "")")
        observer.snapshotStarted(table: table, estimatedRows: definition.estimatedRows, rowsAlreadySent: 0)
    }

    /// Picks up a snapshot a checkpoint recorded as in progress (its version and last key).
    func resumeSnapshot(_ table: String, progress: ExtractCheckpoint.Snapshot) throws {
        guard let schema = registry.version(table, progress.version) else {
            try startSnapshot(table, since: nil, reason: "its snapshot's schema version \(progress.version) is not in \(topics.schemas)")
            return
        }
        guard schema.hasPrimaryKey else {
            // Without a key there is no place to resume from: a new snapshot supersedes the partial one.
            try startSnapshot(table, since: nil, reason: "its snapshot was interrupted and it has no primary key to resume from")
            return
        }
        jobs[table] = SnapshotJob(table: table, schema: schema, lastKey: progress.lastKey, rows: progress.rows)
        observer.snapshotStarted(table: table, estimatedRows: 0, rowsAlreadySent: progress.rows)
    }

    /// The table's definition now, as a schema, and a binlog position at which it held. `nil`
    /// when there is nothing to capture: the table is gone (a later DROP or RENAME in the binlog;
    /// it is marked dropped) or has a type Sluice cannot carry (it stops, at `stoppingAt` or that position).
    func currentSchema(_ table: String, stoppingAt stop: BinlogPosition?) throws
        -> (schema: TableSchema, definition: MySQLTableDefinition, position: BinlogPosition)? {
        guard let (definition, position) = try stableDefinition(table) else {
            try markDropped(table, at: try metadata.currentBinlogPositionBlocking(), next: nil)
            return nil
        }
        do {
            return (try TableSchema(definition), definition, position)
        } catch let error as MySQLError {
            stopTable(table, at: stop ?? position, .unmappable(error, table: table))
            return nil
        }
    }

    /// The table's definition and a binlog position at which it held: read twice around the
    /// position, so a DDL in between is noticed (and the read retried). `nil` if the table is gone.
    func stableDefinition(_ table: String) throws -> (MySQLTableDefinition, BinlogPosition)? {
        for _ in 0..<5 {
            let first: MySQLTableDefinition
            do { first = try metadata.tableDefinitionBlocking(database: database, table: table) } catch let error as MySQLError
                where error.code == .unknownTable { return nil }
            let position = try metadata.currentBinlogPositionBlocking()
            let second = try metadata.tableDefinitionBlocking(database: database, table: table)
            if first.columns == second.columns && first.primaryKey == second.primaryKey { return (second, position) }
        }
        throw MySQLError(code: .queryFailed, message: "table \(database).\(table) kept changing while its definition was read")
    }

    /// Advances the snapshot in progress as far as the reader allows: opens a chunk (a
    /// consistent read at a binlog position), and sends it once `position` has reached that
    /// position, between transactions. Works for at most `budget`, so the binlog keeps flowing.
    /// Returns the rows sent.
    @discardableResult
    func stepSnapshots(readerAt position: BinlogPosition, budget: Duration = .milliseconds(250)) throws -> Int {
        let clock = ContinuousClock()
        let deadline = clock.now + budget
        var sent = 0
        let watermarks = try !jobs.isEmpty && usesWatermarks()
        if watermarks {
            // Chunks are read by other connections, between two marks; the reader sends each when it passes the high one.
            try stepWatermarkSnapshots(wait: budget >= .seconds(1) && jobs.values.contains { $0.schema.hasPrimaryKey })
        }
        // A table without a key is one consistent read in either mode: marks cannot tell which
        // of two identical rows a change between them touched.
        func next() -> SnapshotJob? {
            jobs.keys.sorted().lazy.compactMap { self.jobs[$0] }.first { !watermarks || !$0.schema.hasPrimaryKey }
        }
        while let job = next(), clock.now < deadline, !stop.isStopped {
            guard Date() >= job.retryAfter else { return sent }
            if job.chunkPosition == nil {
                do {
                    let connection = try job.connection ?? MySQLConnection.connectBlocking(settings)
                    job.connection = connection
                    job.chunkPosition = try connection.beginConsistentSnapshotBlocking()
                } catch let error as MySQLError where watermarks && error.isPrivilegeRefusal {
                    // Watermark mode was chosen for want of a lock-free read position; a table without a key still needs one.
                    job.close()
                    stopTable(job.table, at: checkpoint.tables[job.table]?.position ?? checkpoint.binlog,
                              .needsConsistentRead(error, user: settings.user, table: job.table))
                    return sent
                } catch let error as MySQLError {
                    try chunkFailed(job, error)
                    return sent
                }
            }
            guard let chunk = job.chunkPosition, chunk.sameLog(as: position), chunk <= position else { return sent }
            let before = job.rows
            do {
                try sendChunk(job, at: chunk)
            } catch let error as TableStop {
                stopTable(job.table, at: chunk, error)
                return sent
            } catch let error as MySQLError {
                try chunkFailed(job, error)
                return sent
            }
            sent += max(0, job.rows - before)
            checkRetention(job)
        }
        return sent
    }

    /// Every 30 s of a snapshot: warns once if it may outlast the binlog retention (see `BinlogRetentionGuard`).
    func checkRetention(_ job: SnapshotJob) {
        guard !job.retentionWarned, Date().timeIntervalSince(job.retentionCheckedAt) >= 30 else { return }
        job.retentionCheckedAt = Date()
        if binlogRetention == nil { binlogRetention = .some(try? metadata.binlogRetentionSecondsBlocking()) }
        if let warning = BinlogRetentionGuard.warning(table: job.table, elapsed: Date().timeIntervalSince(job.started),
                                                      rowsSent: job.rows, rowsAtStart: job.rowsAtStart,
                                                      estimatedRows: job.estimatedRows, retentionSeconds: binlogRetention ?? nil) {
            job.retentionWarned = true
            logger.warning("\(warning)")
        }
    }

    /// A chunk that could not be read (the table changed under it, the connection broke):
    /// tried again a second later, after the reader has moved on (a DDL it meets restarts
    /// the snapshot). Twenty failures in a row stop the table.
    func chunkFailed(_ job: SnapshotJob, _ error: MySQLError) throws {
        job.close()
        job.failures += 1
        job.retryAfter = Date().addingTimeInterval(1)
        logger.warning("table \(job.table): snapshot chunk failed (\(error.summary)); trying again", metadata: ["table": "\(job.table)"])
        metrics.error("snapshot_chunk")
        if job.failures >= 20 {
            stopTable(job.table, at: checkpoint.tables[job.table]?.position ?? checkpoint.binlog,
                      .snapshotFailing(error, times: job.failures, table: job.table))
        }
    }

    /// Sends one chunk (rows after the last key, in key order) as `r` events at the chunk's position.
    private func sendChunk(_ job: SnapshotJob, at chunk: BinlogPosition) throws {
        guard let connection = job.connection else { return }
        let schema = job.schema
        let limit = schema.hasPrimaryKey ? options.snapshotChunkRows : nil
        let sender = SnapshotRowSender(extractor: self, job: job, at: chunk)
        var sent = 0
        let query = snapshotQuery(schema, after: job.lastKey) + (limit.map { " LIMIT \($0)" } ?? "")
        try connection.streamRowsBlocking(query, batchSize: options.snapshotBatchRows) { _, rows in
            for raw in rows {
                if zeroDates == .stop, let column = schema.zeroDateColumn(textProtocol: raw) {
                    throw TableStop.zeroDate(column, table: schema.table)
                }
                let values = zip(raw, schema.columns).map { FieldValue(textProtocol: $0, column: $1) }
                try sender.send(values)
                sent += 1
                if schema.hasPrimaryKey { job.lastKey = sender.layout.keyText(values) }
            }
            observer.snapshotProgress(table: schema.table, rowsSent: job.rows)
            return !stop.isStopped
        }
        job.closeChunk()
        if stop.isStopped {
            // Stopped part-way through a chunk: the rows sent are newer than the checkpoint's last
            // key, and are sent again from there next time.
            job.lastKey = checkpoint.tables[job.table]?.snapshot?.lastKey
            job.rows = checkpoint.tables[job.table]?.snapshot?.rows ?? 0
            return
        }
        try chunkSent(job, isLast: limit.map { sent < $0 } ?? true)
    }

    /// After a chunk: the table's snapshot ends with its last chunk; otherwise its progress is recorded.
    /// An empty table's snapshot ends with an `s` event, so staging has the table.
    func chunkSent(_ job: SnapshotJob, isLast: Bool) throws {
        job.failures = 0
        if isLast {
            // A first snapshot that found no rows still shapes staging: an `s` at its floor.
            if job.rows == 0, let floor = job.schema.floor { try sendMarker(.schema, job.schema, at: floor) }
            job.close()
            jobs[job.table] = nil
            checkpoint.tables[job.table]?.state = .streaming
            checkpoint.tables[job.table]?.snapshot = nil
            let seconds = Date().timeIntervalSince(job.started)
            summary.snapshot.append(.init(name: job.table, rows: job.rows - job.rowsAtStart, seconds: seconds))
            observer.snapshotFinished(table: job.table, rowsSent: job.rows, seconds: seconds)
        } else {
            checkpoint.tables[job.table]?.snapshot = job.progress
        }
    }

    /// A `t` event: everything of the table before `position` is superseded. `timestamp` is the
    /// commit time of the DDL that emptied it (seconds since 1970; now for a new snapshot).
    func sendTruncate(_ schema: TableSchema, at position: BinlogPosition, timestamp: UInt32? = nil) throws {
        try sendMarker(.truncate, schema, at: position, timestamp: timestamp)
    }

    /// A row-less event (`t` or `s`) of `schema`'s version at `position`.
    func sendMarker(_ operation: ChangeEvent.Operation, _ schema: TableSchema, at position: BinlogPosition,
                    timestamp: UInt32? = nil) throws {
        let committed = timestamp.map { Int64($0) * 1000 } ?? Int64(Date().timeIntervalSince1970 * 1000)
        let event = ChangeEvent(operation: operation, before: nil, after: nil,
                                source: SourcePosition(file: position.file, position: position.position, gtid: position.gtid,
                                                       row: 0, timestampMilliseconds: committed,
                                                       snapshot: false, epoch: checkpoint.epoch))
        try producer.send(topic: topics.table(schema.table), key: nil,
                          value: event.value(schema: schema, connectorName: topics.prefix, serverID: serverID,
                                             nowMilliseconds: Int64(Date().timeIntervalSince1970 * 1000)))
    }

    /// `SELECT … ORDER BY key`, starting after `lastKey` when resuming, and ending at `through` (included) if given.
    func snapshotQuery(_ schema: TableSchema, after lastKey: [String?]?, through: [String?]? = nil) -> String {
        let quote = MySQLConnection.quoteIdentifier
        let columns = schema.columns.map { quote($0.name) }.joined(separator: ", ")
        var sql = "SELECT \(columns) FROM \(quote(schema.database)).\(quote(schema.table))"
        guard schema.hasPrimaryKey else { return sql }
        if let range = keyRange(schema, after: lastKey, through: through) { sql += " WHERE " + range }
        return sql + " ORDER BY " + schema.key.map(quote).joined(separator: ", ")
    }

    /// The condition for keys after `lastKey` and up to `through` (included), in key order;
    /// `nil` when both are open.
    func keyRange(_ schema: TableSchema, after lastKey: [String?]?, through: [String?]?) -> String? {
        let quote = MySQLConnection.quoteIdentifier
        let keyColumns = schema.keyIndexes.map { schema.columns[$0] }
        // (k1 > v1) OR (k1 = v1 AND k2 > v2) OR …; for the end, < and a last clause of all equal.
        func compare(_ key: [String?], _ op: String, including: Bool) -> String {
            let literals = zip(keyColumns, key).map { column, value in Self.literal(value, type: column.type) }
            var clauses = keyColumns.indices.map { index -> String in
                let equal = (0..<index).map { "\(quote(keyColumns[$0].name)) = \(literals[$0])" }
                return "(" + (equal + ["\(quote(keyColumns[index].name)) \(op) \(literals[index])"]).joined(separator: " AND ") + ")"
            }
            if including {
                clauses.append("(" + keyColumns.indices.map { "\(quote(keyColumns[$0].name)) = \(literals[$0])" }.joined(separator: " AND ") + ")")
            }
            return "(" + clauses.joined(separator: " OR ") + ")"
        }
        let bounds = [lastKey.flatMap { $0.count == keyColumns.count ? compare($0, ">", including: false) : nil },
                      through.flatMap { $0.count == keyColumns.count ? compare($0, "<", including: true) : nil }].compactMap { $0 }
        return bounds.isEmpty ? nil : bounds.joined(separator: " AND ")
    }

    /// A SQL literal for a key value in its event form.
    static func literal(_ value: String?, type: ColumnType) -> String {
        guard let value else { return "NULL" }
        switch type {
        case .binary: return "FROM_BASE64('\(MySQLConnection.escapeLiteral(value))')"
        case .timestamp, .datetime:
            let plain = value.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: "")
            return "'\(MySQLConnection.escapeLiteral(plain))'"
        default: return "'\(MySQLConnection.escapeLiteral(value))'"
        }
    }
}
