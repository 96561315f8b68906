import Foundation
import MySQL

extension Extractor {
    /// Publishes the binlog's row changes from the checkpoint on: to the
    /// current end of the log, or (with `follow`) until stopped. The
    /// checkpoint only ever moves to a transaction boundary whose messages are
    /// all acknowledged.
    func followBinlog(database: String, tables: Set<String>) throws {
        let start = BinlogPosition(file: checkpoint.binlogFile, position: checkpoint.binlogPosition)
        let reader = try BinlogReader(configuration: settings, from: start, replicaServerID: options.replicaServerID,
                                      stopAtEnd: !options.follow)
        logger.info("reading the binlog from \(start)\(options.follow ? " (following)" : "")")
        var tracked = tables
        var file = start.file
        var gtid: String?
        var pending = false
        var rowsSinceCheckpoint = 0
        var lastCheckpoint = Date()
        let started = Date()
        let nowMilliseconds = { Int64(Date().timeIntervalSince1970 * 1000) }

        func checkpointNow() throws {
            try saveCheckpoint()
            pending = false
            rowsSinceCheckpoint = 0
            lastCheckpoint = Date()
            observer.binlogProgress(position: "\(checkpoint.binlogFile):\(checkpoint.binlogPosition)",
                                    rowsSent: summary.binlogRows, caughtUp: false)
        }

        while !stop.isStopped {
            guard let event = try reader.next() else { break }
            switch event {
            case .rotate(let name, _):
                file = name
            case .gtid(let value, _):
                gtid = value
            case .rows(let rows):
                guard rows.database == database, tracked.contains(rows.table), var schema = schemas[rows.table] else { continue }
                if let width = rows.rows.first?.count, width != schema.columns.count {
                    schema = try refreshSchema(table: rows.table, database: database)
                }
                let sent = try publish(rows, schema: schema, file: file, gtid: gtid, now: nowMilliseconds())
                summary.binlogRows += sent
                rowsSinceCheckpoint += sent
            case .commit(let next, _):
                checkpoint.binlogFile = file
                checkpoint.binlogPosition = next
                checkpoint.binlogGTID = gtid
                pending = true
            case .query(let db, let statement, let next, _):
                for table in Self.tablesAltered(by: statement, among: tracked) {
                    if (try? refreshSchema(table: table, database: db.isEmpty ? database : db)) == nil {
                        logger.warning("table \(table) is gone after: \(statement); it is no longer captured")
                        tracked.remove(table)
                    }
                }
                checkpoint.binlogFile = file
                checkpoint.binlogPosition = next
                checkpoint.binlogGTID = gtid
                pending = true
            case .heartbeat, .other:
                break
            }
            if pending && (rowsSinceCheckpoint >= options.checkpointEveryRows
                           || Date().timeIntervalSince(lastCheckpoint) >= Double(options.checkpointInterval.components.seconds)) {
                try checkpointNow()
            }
        }
        if pending { try checkpointNow() }
        summary.binlogSeconds = Date().timeIntervalSince(started)
        observer.binlogProgress(position: "\(checkpoint.binlogFile):\(checkpoint.binlogPosition)",
                                rowsSent: summary.binlogRows, caughtUp: true)
    }

    /// Sends one row event's changes; returns how many row changes it held.
    private func publish(_ rows: BinlogRowsEvent, schema: TableSchema, file: String, gtid: String?, now: Int64) throws -> Int {
        let topic = topics.table(schema.table)
        func values(_ row: [BinlogValue?]) -> [FieldValue] {
            zip(row, schema.columns).map { value, column in value.map { FieldValue(binlog: $0, column: column) } ?? .null }
        }
        func send(_ event: ChangeEvent) throws {
            let key = event.key(schema: schema)
            try producer.send(topic: topic, key: key,
                              value: event.value(schema: schema, connectorName: topics.prefix, serverID: serverID, nowMilliseconds: now))
            // Compaction removes a deleted key only after a tombstone.
            if event.operation == .delete { try producer.send(topic: topic, key: key, value: nil) }
        }
        var index = 0
        var changes = 0
        func source() -> SourcePosition {
            defer { index += 1 }
            return SourcePosition(file: file, position: rows.position, gtid: gtid, row: index,
                                  timestampMilliseconds: Int64(rows.timestamp) * 1000, snapshot: false)
        }
        switch rows.kind {
        case .insert:
            for row in rows.rows { try send(ChangeEvent(operation: .create, before: nil, after: values(row), source: source())) }
            changes = rows.rows.count
        case .delete:
            for row in rows.rows { try send(ChangeEvent(operation: .delete, before: values(row), after: nil, source: source())) }
            changes = rows.rows.count
        case .update:
            for pair in stride(from: 0, to: rows.rows.count - 1, by: 2) {
                let before = values(rows.rows[pair]), after = values(rows.rows[pair + 1])
                let keyBefore = schema.keyIndexes.map { before[$0] }, keyAfter = schema.keyIndexes.map { after[$0] }
                if keyBefore == keyAfter {
                    try send(ChangeEvent(operation: .update, before: before, after: after, source: source()))
                } else {
                    // A key change is a delete of the old key and a create of the new one.
                    try send(ChangeEvent(operation: .delete, before: before, after: nil, source: source()))
                    try send(ChangeEvent(operation: .create, before: nil, after: after, source: source()))
                }
                changes += 1
            }
        }
        return changes
    }

    /// Re-reads a table's definition after DDL and publishes a new schema version if it changed.
    @discardableResult
    func refreshSchema(table: String, database: String) throws -> TableSchema {
        let connection = try MySQLConnection.connectBlocking(settings)
        let schema = try registry.register(try TableSchema(connection.tableDefinitionBlocking(database: database, table: table)))
        if schema.version != schemas[table]?.version {
            logger.notice("table \(table) changed: schema version \(schema.version) published")
        }
        schemas[table] = schema
        return schema
    }

    /// Tracked tables named by an `ALTER/CREATE/DROP/RENAME/TRUNCATE TABLE` statement.
    static func tablesAltered(by statement: String, among tables: Set<String>) -> [String] {
        let words = statement.lowercased().split { !($0.isLetter || $0.isNumber || $0 == "_" || $0 == "$") }
        guard words.count >= 2, ["alter", "create", "drop", "rename", "truncate"].contains(words[0]),
              words.contains("table") else { return [] }
        let named = Set(words.map(String.init))
        return tables.filter { named.contains($0.lowercased()) }.sorted()
    }
}
