import Parquet
import S3
import Warehouse

/// Consecutive lake files of one table and schema version, applied to staging
/// in one transaction: every file's rows are streamed into one temporary table
/// with `COPY`, then one floor raise, one migration, one merge and the ledger
/// rows of all the files. A pass that loads a snapshot therefore runs a few
/// statements per table, not per file; a crash leaves the warehouse as it was
/// before the batch, and a rerun does the batch again.
struct LoadBatch {
    let table: String
    let version: Int?
    let hasPrimaryKey: Bool
    /// The table columns of the files with rows (all files of a batch have the same).
    let columns: [StagingColumn]
    /// Staging's key: the primary key, or the source order for a table without one.
    let key: [String]
    var staging: StagingTable
    let stagingBefore: StagingTable
    let wasCached: Bool
    var files: [(object: S3ObjectInfo, rows: Int, offsets: LakeFileContents.Offsets?)] = []
    /// The highest floor among the files (their versions' floors and their truncate rows).
    var floor: SourceOrder?
    var truncatedAt: Int64?
    /// Rows streamed into `incoming`.
    var copied = 0
    /// Whether a file of the batch had rows (changes, truncates or schema markers), so `columns`
    /// are its version's and staging takes them even when no change is applied.
    var defined = false
    /// Each partition's last offset among the batch's files (for the gap check of the next one).
    var lastOffsets: [String: Int64] = [:]
    /// Whether the star needs the keys this batch touches (it reads the table and exists already;
    /// a star built afresh starts from all of staging anyway).
    let recordsPending: Bool

    /// Whether `contents` can join this batch (same table, version and columns; or no rows at all).
    func accepts(_ contents: LakeFileContents) -> Bool {
        guard contents.table == table else { return false }
        if contents.rowCount == 0 { return true }
        return contents.schemaVersion == version && contents.hasPrimaryKey == hasPrimaryKey
            && contents.columns.filter { !ReservedColumnNames.isLakeMetadata($0.name) }.map(StagingColumn.init).map(\.name) == columns.map(\.name)
            && contents.columns.filter { !ReservedColumnNames.isLakeMetadata($0.name) }.map(StagingColumn.init).map(\.sqlType) == columns.map(\.sqlType)
    }

    static func partitionKey(_ offsets: LakeFileContents.Offsets) -> String { partitionKey(topic: offsets.topic, partition: offsets.partition) }
    static func partitionKey(topic: String, partition: Int32) -> String { "\(topic)\u{0}\(partition)" }
}

extension Loader {
    /// Opens a batch for `contents` (inside the caller's transaction): reads staging's state and
    /// creates the temporary table its rows are streamed into.
    func openBatch(_ contents: LakeFileContents, known: StagingTable?, starNeedsKeys: Bool,
                   session: WarehouseSession) async throws -> LoadBatch {
        let columns = contents.columns.filter { !ReservedColumnNames.isLakeMetadata($0.name) }.map(StagingColumn.init)
        let key = contents.hasPrimaryKey ? contents.key.map(StagingColumn.snakeCase) : SourceOrder.columns
        let staging: StagingTable
        if let known { staging = known } else { staging = try await StagingTable.load(session, table: contents.table) }
        let definitions = columns.map { "\(WarehouseSession.quote($0.name)) \($0.sqlType)" }
            + ["_op text", "_src_file text", "_src_seq bigint", "_src_pos bigint", "_src_row bigint", "_src_ms bigint"]
        try await session.execute("CREATE TEMP TABLE incoming (\(definitions.joined(separator: ", "))) ON COMMIT DROP")
        return LoadBatch(table: contents.table, version: contents.schemaVersion, hasPrimaryKey: contents.hasPrimaryKey,
                         columns: columns, key: key, staging: staging, stagingBefore: staging, wasCached: known != nil,
                         recordsPending: starNeedsKeys && (star.map { $0.sourceTables.contains(contents.table) } ?? true))
    }

    /// Adds one file: checks it continues its partition, raises the batch's floor with its own, and
    /// streams its rows at or above the floor into `incoming`.
    func add(_ contents: LakeFileContents, object: S3ObjectInfo, to batch: inout LoadBatch, ledger: LedgerOffsets,
             session: WarehouseSession) async throws {
        // Offsets at or below `applied` are in the warehouse already (or earlier in this batch): an
        // object cut again under its key with another range, or overlapping another, applies only
        // the offsets it adds.
        var applied: Int64?
        if let range = contents.offsets {
            let batchEnd = batch.lastOffsets[LoadBatch.partitionKey(range)]
            try requireNoGap(before: object.key, range: range, ledger: ledger, batchEnd: batchEnd)
            applied = [ledger.appliedThrough(range), batchEnd].compactMap { $0 }.max()
            batch.lastOffsets[LoadBatch.partitionKey(range)] = max(batchEnd ?? range.last, range.last)
        }
        guard contents.rowCount > 0 else {
            batch.files.append((object, 0, contents.offsets))   // tombstones only: the ledger covers their offsets
            return
        }
        guard case .bytes(let operations)? = contents.column("_op"), case .bytes(let positions)? = contents.column("_source_pos"),
              case .int64(let times)? = contents.column("_source_ts_ms") else {
            throw LoadError(message: "lake file \(object.key) lacks Sluice's metadata columns")
        }
        let orders = try contents.sourceOrders()
        batch.defined = true
        let isTruncate = operations.map { $0 == Array("t".utf8) }
        let isSchema = operations.map { $0 == Array("s".utf8) }
        if let floor = contents.floor { batch.floor = max(batch.floor ?? floor, floor) }
        for index in orders.indices where isTruncate[index] {
            batch.floor = max(batch.floor ?? orders[index], orders[index])
            batch.truncatedAt = max(batch.truncatedAt ?? 0, times[index] ?? 0)
        }
        // Rows the floor supersedes are not applied (a truncate row is only a floor, a schema row
        // only a version). Rows of
        // earlier files that a later floor supersedes leave `incoming` when the batch finishes.
        let floor = [batch.floor, batch.staging.floor].compactMap { $0 }.max()
        var offsets: [Int64?] = []
        if case .int64(let values)? = contents.column("_kafka_offset") { offsets = values }
        if let applied, let range = contents.offsets, offsets.count != contents.rowCount {
            // Without each row's offset, only an object wholly applied or wholly new can be told apart.
            if range.last <= applied {
                batch.files.append((object, 0, contents.offsets))
                return
            }
            if range.first <= applied {
                throw LoadError(message: "lake file \(object.key) covers offsets \(range.first)…\(range.last) of \(range.topic)[\(range.partition)], of which up to \(applied) are applied, and has no _kafka_offset column to tell its rows apart; land it again with this version of sluice")
            }
        }
        func isNew(_ index: Int) -> Bool {
            guard let applied, index < offsets.count, let offset = offsets[index] else { return true }
            return offset > applied
        }
        let kept = orders.indices.filter { index in
            !isTruncate[index] && !isSchema[index] && (floor.map { orders[index] >= $0 } ?? true) && isNew(index)
        }
        if case .boolean(let snapshot)? = contents.column("_snapshot") {
            changeTimes.append(kept.compactMap { snapshot[$0] == true ? nil : times[$0] })
        }
        batch.files.append((object, kept.count, contents.offsets))
        guard !kept.isEmpty else { return }
        let renderers = batch.columns.map { column in column.render(contents.column(column.source.name)!) }
        let files = kept.map { LakeFileContents.sourcePosition(String(decoding: positions[$0] ?? [], as: UTF8.self)).file }
        let operationTexts = kept.map { operations[$0] ?? [] }
        let keptOrders = kept.map { orders[$0] }, keptTimes = kept.map { times[$0] }
        try await session.copy(into: "incoming", columns: batch.columns.map(\.name) + ["_op", "_src_file"] + SourceOrder.columns + ["_src_ms"],
                               rowCount: kept.count) { row, out in
            let index = kept[row]
            for render in renderers { render(index, &out) }
            out.appendText(operationTexts[row])
            out.appendText(files[row].utf8)
            out.appendInteger(keptOrders[row].sequence)
            out.appendInteger(keptOrders[row].position)
            out.appendInteger(keptOrders[row].row)
            if let time = keptTimes[row] { out.appendInteger(time) } else { out.appendNull() }
            out.endRow()
        }
        batch.copied += kept.count
    }

    /// Applies the batch: the floor, the table's newer version, the merge, the ledger rows.
    func finish(_ batch: inout LoadBatch, session: WarehouseSession) async throws {
        if let floor = batch.floor {
            try await batch.staging.raiseFloor(to: floor, at: batch.truncatedAt, recordPending: batch.recordsPending, session: session)
            if batch.copied > 0 {
                try await session.execute("DELETE FROM incoming WHERE (_src_seq, _src_pos) < (\(floor.sequence), \(floor.position))")
            }
        }
        // Staging follows the schema version, not the rows: an empty table's snapshot, or a column
        // added with no row changed since, shapes it too.
        if batch.copied > 0 || batch.defined {
            try await batch.staging.prepare(columns: batch.columns, key: batch.key, version: batch.version, session: session)
        }
        if batch.copied > 0 {
            if batch.hasPrimaryKey {
                if try await !mergeInVersionRounds(batch, session: session) {
                    try await mergeIncoming(batch, session: session)
                }
            } else {
                try await applyMultiset(table: batch.table, columns: batch.columns, into: batch.staging, session: session)
            }
        }
        if batch.staging != batch.stagingBefore || !batch.wasCached { try await batch.staging.save(session) }
        try await recordLoaded(batch, session: session)
        // Statistics for the planner after a big change (a first load), so the star's joins plan well.
        if batch.copied >= 10_000 { try await session.execute("ANALYZE \(batch.staging.relation)") }
    }

    /// Merges the latest change of each key in `incoming` into staging, where it is newer than the
    /// row there; with `round`, the `round`-th change of each key instead (see ``versionRounds``).
    /// Columns the table no longer has are left out; columns the files' version did not have yet
    /// are NULL (the only columns a version may add in place read NULL).
    func mergeIncoming(_ batch: LoadBatch, round: Int? = nil, session: WarehouseSession) async throws {
        let q = WarehouseSession.quote
        let keyList = batch.key.map(q).joined(separator: ", ")
        if let round {
            try await session.execute("DROP TABLE IF EXISTS pg_temp.latest")
            try await session.execute("CREATE TEMP TABLE latest ON COMMIT DROP AS SELECT * FROM incoming WHERE _src_round = \(round)")
        } else {
            try await session.execute("""
                CREATE TEMP TABLE latest ON COMMIT DROP AS
                SELECT DISTINCT ON (\(keyList)) * FROM incoming
                ORDER BY \(keyList), _src_seq DESC, _src_pos DESC, _src_row DESC
                """)
        }
        let target = batch.staging.relation
        let match = batch.key.map { "t.\(q($0)) = l.\(q($0))" }.joined(separator: " AND ")
        // Into an empty table (a first load) the latest changes go in as they are: nothing to delete or guard.
        let empty = try await session.scalar("SELECT NOT EXISTS (SELECT 1 FROM \(target))") == "true"
        if !empty {
            try await session.execute("""
                DELETE FROM \(target) AS t USING latest AS l WHERE \(match) AND l._op = 'd' AND \(SourceOrder.olderSQL("t", than: "l"))
                """)
        }
        let fileNames = Set(batch.columns.map(\.name))
        let present = batch.columns.map(\.name).filter { batch.staging.columns[$0] != nil }
        let absent = batch.staging.columns.keys.filter { !StagingTable.isMetadata($0) && !fileNames.contains($0) }.sorted()
        let targets = (present + absent).map(q) + ["_src_file"] + SourceOrder.columns + ["_src_ms"]
        let sources = present.map(q) + absent.map { _ in "NULL" } + ["_src_file"] + SourceOrder.columns + ["_src_ms"]
        let updates = targets.map { "\($0) = EXCLUDED.\($0)" }.joined(separator: ", ")
        try await session.execute("""
            INSERT INTO \(target) AS t (\(targets.joined(separator: ", ")))
            SELECT \(sources.joined(separator: ", ")) FROM latest WHERE _op <> 'd'
            """ + (empty ? "" : """

            ON CONFLICT (\(keyList)) DO UPDATE SET \(updates)
            WHERE \(SourceOrder.olderSQL("t", than: "EXCLUDED"))
            """))
        guard batch.recordsPending else { return }
        // Keys the star must revisit, kept until the star update consumes them.
        let keyText = batch.key.map { "l.\(q($0))::text" }.joined(separator: " || '|' || ")
        try await session.execute("""
            INSERT INTO sluice.pending_changes AS p (table_name, key_text, source_ms)
            SELECT \(WarehouseSession.literal(batch.table)), \(keyText), l._src_ms FROM latest AS l
            ON CONFLICT (table_name, key_text) DO UPDATE SET source_ms = GREATEST(p.source_ms, EXCLUDED.source_ms)
            """)
    }

    /// The ledger rows of the batch's files (inside its transaction), in one statement. An object
    /// read again under its key (cut again) adds the rows it applied, and the offsets its key covers
    /// only grow: a shorter cut stored late must not make applied offsets look new.
    func recordLoaded(_ batch: LoadBatch, session: WarehouseSession) async throws {
        let literal = WarehouseSession.literal
        let values = batch.files.map { file in
            let position = file.offsets.map { "\(literal($0.topic)), \($0.partition), \($0.first), \($0.last)" } ?? "NULL, NULL, NULL, NULL"
            return "(\(literal(file.object.key)), \(literal(file.object.etag)), \(file.object.size), \(literal(batch.table)), \(file.rows), \(position))"
        }
        guard !values.isEmpty else { return }
        try await session.execute("""
            INSERT INTO sluice.loaded_files (key, etag, size, table_name, rows, topic, kafka_partition, first_offset, last_offset)
            VALUES \(values.joined(separator: ",\n       "))
            ON CONFLICT (key) DO UPDATE SET etag = EXCLUDED.etag, size = EXCLUDED.size, rows = loaded_files.rows + EXCLUDED.rows,
                loaded_at = now(), topic = EXCLUDED.topic, kafka_partition = EXCLUDED.kafka_partition,
                first_offset = LEAST(loaded_files.first_offset, EXCLUDED.first_offset),
                last_offset = GREATEST(loaded_files.last_offset, EXCLUDED.last_offset)
            """)
    }
}
