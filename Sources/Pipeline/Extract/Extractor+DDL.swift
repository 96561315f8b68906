import Foundation
import MySQL

/// What each DDL statement does to the capture (see the README's DDL table).
extension Extractor {
    /// Acts on a DDL statement logged at `position` (the event's start; `next` is where it ends).
    /// Names are resolved against the statement's default database; DDL of other databases
    /// changes nothing here.
    /// `timestamp` is the statement's commit time (seconds since 1970). Returns the statement parsed.
    @discardableResult
    func handleDDL(_ statement: String, defaultDatabase: String, at position: BinlogPosition, next: BinlogPosition,
                   timestamp: UInt32? = nil) throws -> DDLStatement {
        let parsed = DDLStatement(statement, defaultDatabase: defaultDatabase)
        for action in parsed.actions.map(storedNames) {
            switch action {
            case .create(let name, let ifNotExists):
                guard name.database == database, wantsToCapture(name.table) else { continue }
                if let entry = checkpoint.tables[name.table], position < entry.position { continue }
                // MySQL logs `CREATE TABLE IF NOT EXISTS` of a table that exists; it changed nothing.
                if ifNotExists, tracked(name, at: position) != nil { continue }
                captured.insert(name.table)
                try startSnapshot(name.table, since: position, reason: "created")
            case .drop(let name):
                guard let table = tracked(name, at: position) else { continue }
                try markDropped(table, at: position, next: next, timestamp: timestamp)
            case .truncate(let name):
                guard let table = tracked(name, at: position) else { continue }
                try truncate(table, at: position, timestamp: timestamp)
            case .rename(let from, let to):
                if let table = tracked(from, at: position) { try markDropped(table, at: position, next: next, timestamp: timestamp) }
                if to.database == database, wantsToCapture(to.table) {
                    captured.insert(to.table)
                    try startSnapshot(to.table, since: position, reason: "renamed from \(from)")
                }
            case .dropDatabase(let name):
                guard name == database else { continue }
                for table in captured.sorted() {
                    if let tracked = tracked(.init(database: name, table: table), at: position) {
                        try markDropped(tracked, at: position, next: next, timestamp: timestamp)
                    }
                }
            case .alter(let name, let clauses):
                guard let table = tracked(name, at: position) else { continue }
                try alter(table, clauses: clauses, at: position, next: next, statement: statement, timestamp: timestamp)
            case .replaceRows(let name, let clause):
                guard let table = tracked(name, at: position) else { continue }
                try startSnapshot(table, since: position, reason: "ALTER TABLE … \(clause) changed its rows without row events")
            case .statementRows(let name, let verb):
                guard let table = tracked(name, at: position) else { continue }
                stopTable(table, at: position, .rowStatement(verb, table: table))
            }
        }
        return parsed
    }

    /// A new table of the captured database is captured when the run takes every table.
    func wantsToCapture(_ table: String) -> Bool {
        table != options.watermarkTable && (captureAll || captured.contains(table))
    }

    /// The captured table `name` refers to, if its changes at `position` are still to be sent.
    func tracked(_ name: DDLStatement.TableName, at position: BinlogPosition) -> String? {
        sendsChanges(of: name.table, in: name.database, at: position) ? name.table : nil
    }

    /// Whether a change of `database.table` at `position` is to be sent: a captured table,
    /// streaming or being snapshotted, whose own position the change is not behind.
    func sendsChanges(of table: String, in database: String, at position: BinlogPosition) -> Bool {
        guard database == self.database, captured.contains(table), let entry = checkpoint.tables[table],
              entry.state == .streaming || entry.state == .snapshotting else { return false }
        return position >= entry.position
    }

    /// DROP TABLE (or renamed away): a last version marked dropped, and a `t` event; nothing more is sent.
    func markDropped(_ table: String, at position: BinlogPosition, next: BinlogPosition?, timestamp: UInt32? = nil) throws {
        jobs[table]?.close()
        jobs[table] = nil
        if var schema = registry.latest(table) {
            schema.since = position
            schema.floor = position
            schema.dropped = true
            let version = try registry.register(schema, epoch: checkpoint.epoch)
            try sendTruncate(version, at: position, timestamp: timestamp)
        }
        checkpoint.tables[table] = .init(state: .dropped, position: next.map { max($0, position) } ?? position)
        logger.notice("table \(table) was dropped at binlog \(position); its rows leave the warehouse")
    }

    /// TRUNCATE: a version with the truncate as its floor, and a `t` event.
    func truncate(_ table: String, at position: BinlogPosition, timestamp: UInt32? = nil) throws {
        if jobs[table] != nil {
            try startSnapshot(table, since: position, reason: "truncated during its snapshot")
            return
        }
        guard var schema = registry.inForce(table, at: position, epoch: checkpoint.epoch) else { return }
        schema.since = position
        schema.floor = position
        let version = try registry.register(schema, epoch: checkpoint.epoch)
        try sendTruncate(version, at: position, timestamp: timestamp)
        logger.notice("table \(table) was truncated at binlog \(position)")
    }

    /// ALTER TABLE: follow the change in place when every existing row keeps its values and the
    /// table's definition right after the statement is known for sure; otherwise snapshot the
    /// table again. The definition is read from the server now; it is the one right after the
    /// statement only if no later DDL of the table is in the binlog up to the server's present
    /// position, which a second reader checks.
    func alter(_ table: String, clauses: DDLStatement.AlterClauses, at position: BinlogPosition, next: BinlogPosition,
               statement: String, timestamp: UInt32? = nil) throws {
        if jobs[table] != nil {
            try startSnapshot(table, since: position, reason: "altered during its snapshot")
            return
        }
        guard let old = registry.inForce(table, at: position, epoch: checkpoint.epoch) else { return }
        guard let current = try currentSchema(table, stoppingAt: position) else { return }
        var new = current.schema
        let definition = current.definition, now = current.position
        let change = SchemaChange.between(old, new, definition: definition, statement: clauses)
        if change == .none && !clauses.touchesColumns { return }
        if case .resnapshot(let reason) = change {
            try startSnapshot(table, since: position, reason: reason)
            return
        }
        guard try definitionIsCurrent(table, after: next, until: now) else {
            try startSnapshot(table, since: position,
                              reason: "the binlog has later DDL of the table, so its definition right after this ALTER is not known")
            return
        }
        guard case .follow(let notes) = change else { return }
        new.since = position
        new.floor = old.floor
        let version = try registry.register(new, epoch: checkpoint.epoch)
        // Staging follows the version, not the rows: a column added now is there before any row uses it.
        try sendMarker(.schema, version, at: position, timestamp: timestamp)
        logger.notice("table \(table) changed at binlog \(position): \(notes.joined(separator: ", ")) (schema version \(version.version))")
    }

    /// Whether no DDL of `table` is in the binlog between `start` and `end`. Reads it with a
    /// second replica connection; more than 64 MiB to read counts as "not known" (`false`).
    func definitionIsCurrent(_ table: String, after start: BinlogPosition, until end: BinlogPosition) throws -> Bool {
        guard start < end else { return true }
        let logs = try metadata.binaryLogsBlocking()
        if let bytes = BinlogDistance.bytes(from: start, to: end, logs: logs), bytes > 64 << 20 { return false }
        let reader = try BinlogReader(configuration: settings, from: start, replicaServerID: replicaServerID &+ 1,
                                      stopAtEnd: true, readTimeoutSeconds: options.readTimeoutSeconds)
        var file = start.file
        while let event = try reader.next() {
            switch event {
            case .rotate(let name, _):
                file = name
            case .query(let db, let statement, let position, _, _):
                if BinlogPosition(file: file, position: position) >= end { return true }
                for action in DDLStatement(statement, defaultDatabase: db).actions.map(storedNames)
                where action.names(database: database, table: table) {
                    return false
                }
            case .commit(let next, _):
                if BinlogPosition(file: file, position: next) >= end { return true }
            default:
                break
            }
        }
        return true
    }
}

extension DDLStatement.Action {
    /// Whether the action is about `database.table`.
    func names(database: String, table: String) -> Bool {
        let target = DDLStatement.TableName(database: database, table: table)
        switch self {
        case .create(let name, _), .alter(let name, _), .drop(let name), .truncate(let name), .replaceRows(let name, _),
             .statementRows(let name, _): return name == target
        case .rename(let from, let to): return from == target || to == target
        case .dropDatabase(let name): return name == database
        }
    }
}
