import Foundation
import MySQL

extension Extractor {
    /// Snapshots every table not yet done, in one consistent read view.
    /// Tables are streamed in key order, so a restart resumes after the last
    /// checkpointed key instead of starting over.
    func runSnapshot(tables: [String], database: String) throws {
        let connection = try MySQLConnection.connectBlocking(settings)
        let position = try connection.beginConsistentSnapshotBlocking()
        if checkpoint == nil {
            checkpoint = ExtractCheckpoint(
                snapshotFile: position.file, snapshotPosition: position.position, snapshotGTID: position.gtid,
                tables: Dictionary(uniqueKeysWithValues: tables.map { ($0, .init(done: false, rows: 0, lastKey: nil)) }))
            try saveCheckpoint()
            logger.info("snapshot of \(database) at binlog \(position)")
        } else {
            // Resuming: this read view is newer than the first snapshot, and the
            // binlog from the first snapshot's position replays what changed in
            // between, so every row still ends in its latest state.
            logger.info("resuming the snapshot of \(database) (first taken at \(checkpoint.snapshotFile):\(checkpoint.snapshotPosition))")
        }
        let startedMilliseconds = Int64(Date().timeIntervalSince1970 * 1000)
        for table in tables where checkpoint.tables[table]?.done != true {
            if stop.isStopped { return }
            try snapshotTable(schemas[table]!, connection: connection, database: database,
                              timestampMilliseconds: startedMilliseconds)
        }
        _ = try? connection.executeBlocking("COMMIT")
    }

    private func snapshotTable(_ schema: TableSchema, connection: MySQLConnection, database: String,
                               timestampMilliseconds: Int64) throws {
        var progress = checkpoint.tables[schema.table] ?? .init(done: false, rows: 0, lastKey: nil)
        if !schema.hasPrimaryKey { progress = .init(done: false, rows: 0, lastKey: nil) }
        let definition = try connection.tableDefinitionBlocking(database: database, table: schema.table)
        observer.snapshotStarted(table: schema.table, estimatedRows: definition.estimatedRows, rowsAlreadySent: progress.rows)
        let started = Date()
        let rowsAtStart = progress.rows
        let topic = topics.table(schema.table)
        let nowMilliseconds = Int64(Date().timeIntervalSince1970 * 1000)
        var rowsSinceCheckpoint = 0
        var lastCheckpoint = Date()

        try connection.streamRowsBlocking(snapshotQuery(schema, after: progress.lastKey), batchSize: options.snapshotBatchRows) { _, rows in
            for raw in rows {
                let values = zip(raw, schema.columns).map { FieldValue(textProtocol: $0, type: $1.type) }
                let event = ChangeEvent(
                    operation: .read, before: nil, after: values,
                    source: SourcePosition(file: checkpoint.snapshotFile, position: checkpoint.snapshotPosition,
                                           gtid: checkpoint.snapshotGTID, row: progress.rows,
                                           timestampMilliseconds: timestampMilliseconds, snapshot: true))
                try producer.send(topic: topic, key: event.key(schema: schema),
                                  value: event.value(schema: schema, connectorName: topics.prefix, serverID: serverID,
                                                     nowMilliseconds: nowMilliseconds))
                progress.rows += 1
                if schema.hasPrimaryKey { progress.lastKey = schema.keyIndexes.map { values[$0].text } }
            }
            rowsSinceCheckpoint += rows.count
            observer.snapshotProgress(table: schema.table, rowsSent: progress.rows)
            if rowsSinceCheckpoint >= options.checkpointEveryRows
                || Date().timeIntervalSince(lastCheckpoint) >= Double(options.checkpointInterval.components.seconds) {
                checkpoint.tables[schema.table] = progress
                try saveCheckpoint()
                rowsSinceCheckpoint = 0
                lastCheckpoint = Date()
            }
            return !stop.isStopped
        }
        progress.done = !stop.isStopped
        checkpoint.tables[schema.table] = progress
        try saveCheckpoint()
        let seconds = Date().timeIntervalSince(started)
        summary.snapshot.append(.init(name: schema.table, rows: progress.rows - rowsAtStart, seconds: seconds))
        if progress.done { observer.snapshotFinished(table: schema.table, rowsSent: progress.rows, seconds: seconds) }
    }

    /// `SELECT … ORDER BY key`, starting after `lastKey` when resuming.
    func snapshotQuery(_ schema: TableSchema, after lastKey: [String?]?) -> String {
        let quote = MySQLConnection.quoteIdentifier
        let columns = schema.columns.map { quote($0.name) }.joined(separator: ", ")
        var sql = "SELECT \(columns) FROM \(quote(schema.database)).\(quote(schema.table))"
        guard schema.hasPrimaryKey else { return sql }
        if let lastKey, lastKey.count == schema.key.count {
            // (k1 > v1) OR (k1 = v1 AND k2 > v2) OR …: the rows after lastKey in key order.
            let keyColumns = schema.keyIndexes.map { schema.columns[$0] }
            let literals = zip(keyColumns, lastKey).map { column, value in Self.literal(value, type: column.type) }
            let clauses = keyColumns.indices.map { index -> String in
                let equal = (0..<index).map { "\(quote(keyColumns[$0].name)) = \(literals[$0])" }
                return "(" + (equal + ["\(quote(keyColumns[index].name)) > \(literals[index])"]).joined(separator: " AND ") + ")"
            }
            sql += " WHERE " + clauses.joined(separator: " OR ")
        }
        return sql + " ORDER BY " + schema.key.map(quote).joined(separator: ", ")
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
