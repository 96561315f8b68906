import Foundation
import MySQL

extension Extractor {
    /// Where the binlog reader stands, between events.
    struct ReaderState {
        /// End of the last event read.
        var position: BinlogPosition
        /// End of the last complete transaction (or DDL): where a reconnect resumes and a checkpoint points.
        var boundary: BinlogPosition
        /// Inside a transaction (between its GTID/BEGIN and its commit).
        var inTransaction = false
        /// The current transaction's GTID.
        var gtid: String?
        /// The last row event sent in the current transaction: after a reconnect, the transaction
        /// is read again from its start and events up to this one are not sent twice.
        var sentUpTo: BinlogPosition?
        /// Row events already sent that a reconnect reads again are skipped up to here.
        var skipUpTo: BinlogPosition?
        /// The GTID the first transaction read must follow (same domain, higher sequence).
        var expectedAfterGTID: String?

        /// Moves to the end of an event in the current file (positions 0, of made-up events, do not move it).
        mutating func advance(to next: UInt64) {
            if next > position.position { position.position = next }
        }
    }

    /// Publishes the binlog's changes from `start`: to the current end of the log (and until
    /// every snapshot is done), or, with `follow`, until stopped. The checkpoint only ever
    /// moves to a transaction boundary whose messages are all acknowledged. A lost connection
    /// (server restart, killed dump thread, network) is reopened from the last boundary,
    /// with backoff, for up to `reconnectTimeout`.
    func followBinlog(from start: BinlogPosition) throws {
        logger.info("reading the binlog from \(start) as replica server_id \(replicaServerID)\(options.follow ? " (following)" : "")")
        var state = ReaderState(position: start, boundary: start)
        var rowsSinceCheckpoint = 0
        var lastCheckpoint = Date()
        let started = Date()
        var lostSince: Date?
        var backoff = 0.5
        var lastSignalCheck = Date()
        /// Between transactions, every 5 s: `sluice snapshot` requests.
        func signalsIfDue() throws {
            guard Date().timeIntervalSince(lastSignalCheck) >= 5 else { return }
            lastSignalCheck = Date()
            try handleSignals()
        }

        func checkpointNow() throws {
            for name in captured {
                guard var table = checkpoint.tables[name], table.state == .streaming || table.state == .snapshotting else { continue }
                if state.boundary > table.position { table.position = state.boundary }
                table.snapshot = jobs[name]?.progress ?? table.snapshot
                checkpoint.tables[name] = table
            }
            let active = checkpoint.tables.values.filter { $0.state == .streaming || $0.state == .snapshotting }
            checkpoint.binlog = active.map(\.position).min() ?? state.boundary
            try saveCheckpoint()
            recordCheckpointMetrics(at: state.boundary)
            rowsSinceCheckpoint = 0
            lastCheckpoint = Date()
            observer.binlogProgress(position: state.boundary.description, rowsSent: summary.binlogRows, caughtUp: false)
        }

        /// At a transaction boundary: checkpoint if enough rows or time went by since the last one.
        func checkpointIfDue() throws {
            let due = rowsSinceCheckpoint >= options.checkpointEveryRows
                || Date().timeIntervalSince(lastCheckpoint) >= Double(options.checkpointInterval.components.seconds)
            if due && state.boundary == state.position { try checkpointNow() }
        }

        rowsSinceCheckpoint += try stepSnapshots(readerAt: state.position)
        reading: while !stop.isStopped {
            let blocking = options.follow && jobs.isEmpty
            let reader: BinlogReader
            do {
                reader = try BinlogReader(configuration: settings, from: state.boundary, replicaServerID: replicaServerID,
                                          stopAtEnd: !blocking, readTimeoutSeconds: options.readTimeoutSeconds)
                if lostSince != nil {
                    // The server may have restarted: metadata reads need a fresh connection too.
                    metadata = try MySQLConnection.connectBlocking(settings)
                    // The lock went with the old connection: another extract may have started since.
                    try fence(on: metadata)
                    logger.notice("binlog connection back; reading from \(state.boundary)")
                }
            } catch let error as MySQLError where error.isConnectionFailure {
                try waitToReconnect(error, since: &lostSince, backoff: &backoff)
                continue reading
            }
            state.position = state.boundary
            state.inTransaction = false
            state.expectedAfterGTID = state.boundary.gtid
            do {
                while !stop.isStopped {
                    let event: BinlogEvent?
                    do { event = try reader.next() } catch let error as MySQLError where error.errorNumber == Self.replicaIDTaken {
                        throw MySQLError(code: error.code, errorNumber: error.errorNumber,
                                         message: "another replica registered with server_id \(replicaServerID) on \(settings.displayName), which disconnects this one: another Sluice pipeline given the same id, or a real replica using it",
                                         hint: "give each pipeline on this server its own id with SLUICE_SERVER_ID (or --server-id), unique among the server's replicas; this one resumes from its checkpoint when run again")
                    }
                    lostSince = nil
                    backoff = 0.5
                    guard let event else {
                        // The end of the log: send the snapshot chunks the reader has now reached.
                        rowsSinceCheckpoint += try stepSnapshots(readerAt: state.position, budget: .seconds(2))
                        try checkpointIfDue()
                        try signalsIfDue()
                        if jobs.isEmpty && !options.follow { break reading }
                        continue reading
                    }
                    rowsSinceCheckpoint += try handle(event, state: &state)
                    if !state.inTransaction {
                        rowsSinceCheckpoint += try stepSnapshots(readerAt: state.position)
                        try checkpointIfDue()
                        if options.follow { try signalsIfDue() }
                    }
                    if blocking && !jobs.isEmpty { continue reading }   // a snapshot started: read without blocking
                }
            } catch let error as MySQLError where error.isConnectionFailure {
                // The binlog stream, or a connection decoding or describing its events, broke (a
                // server restart, a killed thread): read again from the last boundary. A second
                // loss inside one transaction must not forget what the first read sent.
                state.skipUpTo = [state.skipUpTo, state.sentUpTo].compactMap { $0 }.max()
                try waitToReconnect(error, since: &lostSince, backoff: &backoff)
                continue reading
            }
        }
        if watermarkMode == true { snapshotReaders.drain() }
        try checkpointNow()
        summary.binlogSeconds = Date().timeIntervalSince(started)
        observer.binlogProgress(position: state.boundary.description, rowsSent: summary.binlogRows, caughtUp: true)
    }

    /// MySQL's and MariaDB's error when a replica with the same server_id connects (ER_SLAVE_SAME_ID).
    static let replicaIDTaken: UInt32 = 4052

    /// Waits before reconnecting, or gives up once the binlog has been unreachable for `reconnectTimeout`.
    private func waitToReconnect(_ error: MySQLError, since lostSince: inout Date?, backoff: inout Double) throws {
        let firstLoss = lostSince ?? Date()
        lostSince = firstLoss
        if Date().timeIntervalSince(firstLoss) >= Double(options.reconnectTimeout.components.seconds) {
            throw MySQLError(code: .connectionLost, errorNumber: error.errorNumber,
                             message: "the binlog connection has been lost for \(options.reconnectTimeout.components.seconds) s (\(error.message))",
                             hint: "check the server; extract resumes from its checkpoint when run again")
        }
        logger.warning("binlog connection lost (\(error.summary)); reconnecting in \(backoff) s")
        metrics.error("binlog_connection")
        let deadline = Date().addingTimeInterval(backoff)
        while Date() < deadline && !stop.isStopped { usleep(50_000) }
        backoff = min(backoff * 2, 10)
    }

    /// Acts on one event; returns how many row changes it sent.
    private func handle(_ event: BinlogEvent, state: inout ReaderState) throws -> Int {
        logger.trace("binlog event \(event) at \(state.position)")
        switch event {
        case .rotate(let name, let position):
            state.position = BinlogPosition(file: name, position: position)
            if !state.inTransaction { state.boundary = state.position }
        case .gtid(let value, let next):
            try requireGTIDContinues(value, state: &state)
            state.gtid = value
            state.inTransaction = true
            state.sentUpTo = nil
            state.advance(to: next)
        case .tableMap(_, let next), .other(_, let next):
            // Events the server makes up at the start of a stream (format description…) carry position 0.
            state.advance(to: next)
            if !state.inTransaction { state.boundary = state.position }
        case .rows(let rows):
            state.advance(to: rows.nextPosition)
            let at = BinlogPosition(file: state.position.file, position: rows.position)
            if let skip = state.skipUpTo, at.sameLog(as: skip), at <= skip { return 0 }
            // Sluice's own marks: snapshot rows go out here, counted with the snapshot, not the binlog.
            if isWatermark(rows) { return try handleWatermark(rows, at: at) }
            let sent = try publish(rows, at: at, gtid: state.gtid)
            if sent > 0 { state.sentUpTo = at }
            summary.binlogRows += sent
            return sent
        case .refusedRows(let map, let reason, let position, let next):
            state.advance(to: next)
            let at = BinlogPosition(file: state.position.file, position: position)
            if sendsChanges(of: map.table, in: map.database, at: at) {
                stopTable(map.table, at: at, .refusedRows(reason, table: map.table))
            }
        case .commit(let next, _):
            state.advance(to: next)
            endTransaction(&state)
        case .query(let db, let statement, let position, let next, let timestamp):
            state.advance(to: next)
            let trimmed = statement.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
            if trimmed == "BEGIN" || trimmed.hasPrefix("XA START") {
                state.inTransaction = true
            } else {
                let at = BinlogPosition(file: state.position.file, position: position, gtid: state.gtid)
                let parsed = trimmed == "COMMIT" ? nil
                    : try handleDDL(statement, defaultDatabase: db, at: at, next: state.position, timestamp: timestamp)
                // A row statement logged as text, a savepoint or XA END is one statement of its
                // transaction, not its end.
                let continues = Self.staysInTransaction(trimmed) || parsed?.writesRows == true
                if !(state.inTransaction && continues) { endTransaction(&state) }
            }
        case .heartbeat:
            break
        }
        return 0
    }

    /// Statements inside a transaction that do not end it (`trimmed` upper-cased).
    static func staysInTransaction(_ trimmed: String) -> Bool {
        ["SAVEPOINT", "ROLLBACK TO", "RELEASE SAVEPOINT", "XA END"].contains { trimmed.hasPrefix($0) }
    }

    private func endTransaction(_ state: inout ReaderState) {
        state.inTransaction = false
        state.boundary = state.position
        state.boundary.gtid = state.gtid
        state.sentUpTo = nil
        state.skipUpTo = nil
    }

    /// The first transaction after a resume must come after the one the checkpoint recorded: a
    /// GTID that goes back (same domain) means the binlog was reset or belongs to another server.
    private func requireGTIDContinues(_ gtid: String, state: inout ReaderState) throws {
        defer { state.expectedAfterGTID = nil }
        guard let previous = state.expectedAfterGTID?.split(separator: ",").first else { return }
        if let goesBack = MySQLGTID.goesBack(from: String(previous), to: gtid) {
            // MySQL's `uuid:n`: the same server's numbers only grow.
            guard goesBack else { return }
            throw MySQLError(code: .unsupportedServer,
                             message: "the binlog at \(state.position.file) continues with GTID \(gtid) after \(previous): it is not the log Sluice was reading (RESET BINARY LOGS AND GTIDS, or another server)",
                             hint: "take a new snapshot with sluice extract --reset")
        }
        let old = previous.split(separator: "-"), new = gtid.split(separator: "-")
        guard old.count == 3, new.count == 3, old[0] == new[0], let oldSequence = UInt64(old[2]), let newSequence = UInt64(new[2]) else { return }
        if newSequence <= oldSequence {
            throw MySQLError(code: .unsupportedServer,
                             message: "the binlog at \(state.position.file) continues with GTID \(gtid) after \(previous): it is not the log Sluice was reading (RESET MASTER, or another server)",
                             hint: "take a new snapshot with sluice extract --reset")
        }
    }

    /// Sends one row event's changes; returns how many row changes it held.
    private func publish(_ rows: BinlogRowsEvent, at position: BinlogPosition, gtid: String?) throws -> Int {
        let table = rows.table
        guard sendsChanges(of: table, in: rows.database, at: position) else { return 0 }
        guard let schema = registry.inForce(table, at: position, epoch: checkpoint.epoch) else {
            stopTable(table, at: position, .noSchemaVersion(topic: topics.schemas, table: table))
            return 0
        }
        if let floor = schema.floor, position < floor { return 0 }   // covered by the snapshot that starts at the floor
        if jobs[table]?.coversChange(at: position) == true { return 0 }   // a keyless table's change its snapshot holds
        guard let images = try images(of: rows, schema: schema, at: position) else { return 0 }
        if let column = images.lazy.compactMap({ FieldValue.nullKeyColumn($0, schema: schema) }).first {
            stopTable(table, at: position, .zeroDateInKey(column, table: table))
            return 0
        }
        let topic = topics.table(schema.table)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let layout = self.layout(for: schema)
        noteChangedKeys(images, table: schema.table, layout: layout)
        let sequence = SourceOrder.sequence(file: position.file, epoch: checkpoint.epoch)
        let counters = metrics.table(schema.table)
        func send(_ event: ChangeEvent) throws {
            let key = event.key(layout: layout)
            let value = event.value(layout: layout, nowMilliseconds: now)
            try sendChange(topic: topic, table: table, key: key, value: value)
            counters.add(rows: 1, bytes: value.count)
            // Compaction removes a deleted key only after a tombstone.
            if event.operation == .delete { try producer.send(topic: topic, key: ClaimCheck.messageKey(key), value: nil) }
        }
        var index = 0
        var changes = 0
        func source() -> SourcePosition {
            defer { index += 1 }
            return SourcePosition(file: position.file, position: position.position, gtid: gtid, row: rows.firstChange + index,
                                  timestampMilliseconds: Int64(rows.timestamp) * 1000, snapshot: false, sequence: sequence)
        }
        do {
            switch rows.kind {
            case .insert:
                for image in images { try send(ChangeEvent(operation: .create, before: nil, after: image, source: source())) }
                changes = images.count
            case .delete:
                for image in images { try send(ChangeEvent(operation: .delete, before: image, after: nil, source: source())) }
                changes = images.count
            case .update:
                for pair in stride(from: 0, to: images.count - 1, by: 2) {
                    let before = images[pair], after = images[pair + 1]
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
        } catch let stop as TableStop {
            // Rows of this event already sent land before the stop; the resnapshot replaces them.
            stopTable(table, at: position, stop)
            return 0
        }
        return changes
    }

    /// The event's row images in event form, once its TABLE_MAP is checked against `schema`;
    /// `nil` when the table stopped instead. Every value is decoded before any is sent, so a
    /// character set that cannot be decoded stops the table whole.
    private func images(of rows: BinlogRowsEvent, schema: TableSchema, at position: BinlogPosition) throws -> [[FieldValue]]? {
        let table = rows.table
        do {
            if checkedMaps[table]?.version != schema.version || checkedMaps[table]?.map != rows.map {
                if let problem = try schema.mismatch(with: rows.map, collations: collations, text: textDecoder) {
                    stopTable(table, at: position, .rowImageMismatch(problem, table: table))
                    return nil
                }
                checkedMaps[table] = (rows.map, schema.version)
            }
            if let absent = rows.rows.lazy.compactMap({ $0.firstIndex(of: nil) }).first {
                let column = absent < schema.columns.count ? schema.columns[absent].name : "#\(absent + 1)"
                stopTable(table, at: position, .absentColumn(column, table: table))
                return nil
            }
            if zeroDates == .stop, let column = rows.rows.lazy.compactMap({ schema.zeroDateColumn(binlog: $0) }).first {
                stopTable(table, at: position, .zeroDate(column, table: table))
                return nil
            }
            return try rows.rows.map { row in
                try zip(row, schema.columns).map { value, column in
                    try value.map { try FieldValue(binlog: $0, column: column, text: textDecoder) } ?? .null
                }
            }
        } catch let refusal as SourceTextDecoder.Undecodable {
            stopTable(table, at: position, .undecodable(refusal, table: table))
            return nil
        }
    }
}
