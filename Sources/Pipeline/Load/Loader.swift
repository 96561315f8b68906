import Foundation
import Logging
import Metrics
import Parquet
import S3
import SluiceSupport
import Warehouse

/// `sluice load` (first part): applies new lake files to `staging.<table>`,
/// the current state of each source table, exactly once per file.
///
/// Each file is applied in one transaction together with its row in
/// `sluice.loaded_files`, so a crash leaves the warehouse as it was before
/// that file, and a rerun skips what is already applied. Changes are merged
/// in source-position order (binlog file, position, row), never by arrival.
public final class Loader: @unchecked Sendable {
    public struct Options: Sendable {
        /// Top folder of the lake in the bucket. Default `raw`.
        public var lakeRoot = "raw"
        /// Tables to load; `nil` means every table in the lake.
        public var tables: [String]?
        /// Update the `mart` star after applying files. Default `true`.
        public var updateStar = true
        /// Drop `mart` and build it again from staging (SCD2 history starts over). Default `false`.
        public var rebuildStar = false
        /// When another loader holds the warehouse: wait for it (`true`, the default) or fail at once.
        public var waitForLock = true
        /// Lake files fetched and decoded ahead of the one being applied. Default 4.
        public var prefetchFiles = 4
        public init() {}
    }

    public struct Summary: Sendable {
        public var files = 0
        public var rows = 0
        public var rowsByTable: [String: Int] = [:]
        public var seconds = 0.0
        /// Seconds spent updating the star; `nil` when it was not updated.
        public var starSeconds: Double?
        /// Why the star was not updated (staging tables it needs are missing).
        public var starSkipped: String?
        /// Tables that stopped loading (this pass or before, not yet resumed), with the reason.
        public var stopped: [String: String] = [:]
    }

    let options: Options
    let warehouse: WarehouseConfiguration
    let s3: S3Client
    let bucket: String
    let stop: StopSignal
    let logger: Logger
    let reportedSkip = Flag()
    /// Source commit times (ms) of the CDC rows applied since the last freshness record.
    let changeTimes = TimestampBuffer()
    /// The star schema the model file declares; `nil` with `--no-star` and no model file configured.
    let star: StarDefinition?
    /// Rows, bytes, files, pass durations and stopped tables, for `--metrics-address`.
    let metrics = StageMetrics(stage: "load")

    public init(config: SluiceConfig, options: Options, stop: StopSignal, logger: Logger = Logger(label: "sluice.load")) throws {
        self.options = options
        self.warehouse = try config.warehouse()
        self.s3 = S3Client(configuration: try config.s3(), logger: logger)
        self.bucket = try config.bucket()
        self.star = options.updateStar || config.hasModel ? try config.star() : nil
        self.stop = stop
        self.logger = logger
    }

    public func run(progress: @escaping @Sendable (String, Int) -> Void = { _, _ in }) async throws -> Summary {
        let started = Date()
        var summary = Summary()
        try await Warehouse.withConnection(warehouse, logger: logger) { connection in
            let session = WarehouseSession(connection: connection, logger: logger)
            try await lockWarehouse(session)
            try await Self.createLedger(session)
            let objects = try await newFiles(ledger: try await Self.ledger(session))
            var ledgerOffsets = try await LedgerOffsets.read(session)
            // A star that does not exist yet (or is rebuilt) starts from all of staging: no keys to record for it.
            let starExists = if let star { try await star.exists(session) } else { try await Self.martExists(session) }
            let starNeedsKeys = !options.rebuildStar && starExists
            // What each staging table looks like, read once per pass and kept up to date by each batch.
            var stagingTables: [String: StagingTable] = [:]
            let layout = LakeLayout(root: options.lakeRoot)
            logger.info("\(objects.count) new lake files under s3://\(bucket)/\(layout.prefix(table: nil))")
            // A table that stopped loading is tried again each pass; the others never wait for it.
            var stopped = try await StagingTable.stopped(session)
            var failed: Set<String> = []
            var open: LoadBatch?
            var openKey = ""

            /// Commits the open batch (or, when it fails for its table's own reasons, rolls it back and stops the table).
            func close() async throws {
                guard var batch = open else { return }
                open = nil
                do {
                    try await finish(&batch, session: session)
                    try await session.execute("COMMIT")
                } catch where Self.isAboutTheTable(error) {
                    try? await session.execute("ROLLBACK")
                    try await stopTable(batch.table, at: openKey, error: error)
                    return
                } catch {
                    try? await session.execute("ROLLBACK")
                    throw error
                }
                stagingTables[batch.table] = batch.staging
                for file in batch.files { if let range = file.offsets { ledgerOffsets.record(range) } }
                if stopped.removeValue(forKey: batch.table) != nil {
                    try await StagingTable.setStopped(batch.table, reason: nil, session: session)
                    logger.notice("table \(batch.table) loads again")
                }
                let rows = batch.files.reduce(0) { $0 + $1.rows }
                summary.files += batch.files.count
                summary.rows += rows
                summary.rowsByTable[batch.table, default: 0] += rows
                metrics.table(batch.table).add(rows: rows, bytes: batch.files.reduce(0) { $0 + $1.object.size })
                metrics.files.increment(by: batch.files.count)
                progress(batch.table, summary.rowsByTable[batch.table] ?? 0)
            }

            /// Records why a table stopped loading (its later files this pass are left for the next).
            func stopTable(_ table: String, at key: String, error: any Error) async throws {
                let reason = "table \(table) stopped loading at \(key): \(oneLine(error)); the other tables go on. Fix the cause; the next load tries it again"
                if stopped[table] != reason {
                    logger.error("\(reason)", metadata: ["table": "\(table)"])
                    metrics.error("table_stopped")
                }
                try await StagingTable.setStopped(table, reason: reason, session: session)
                stagingTables[table] = nil
                stopped[table] = reason
                failed.insert(table)
            }

            // The next files are fetched and decoded while the current one is applied.
            var prefetched: [Int: Task<LakeFileContents, any Error>] = [:]
            func fetch(_ index: Int) -> Task<LakeFileContents, any Error> {
                if let task = prefetched.removeValue(forKey: index) { return task }
                let (object, s3, bucket) = (objects[index], self.s3, self.bucket)
                return Task { try await LakeFileContents.read(object, s3: s3, bucket: bucket, layout: layout) }
            }
            defer { for task in prefetched.values { task.cancel() } }
            for (index, object) in objects.enumerated() {
                if stop.isStopped { break }
                guard let table = LakeLayout.parse(object.key)?.table, !failed.contains(table) else { continue }
                let current = fetch(index)
                for ahead in (index + 1)..<min(index + 1 + options.prefetchFiles, objects.count) where prefetched[ahead] == nil {
                    prefetched[ahead] = fetch(ahead)
                }
                do {
                    let contents = try await current.value
                    if let batch = open, !batch.accepts(contents) { try await close() }
                    if failed.contains(table) { continue }
                    if open == nil {
                        try await session.execute("BEGIN")
                        open = try await openBatch(contents, known: stagingTables[table], starNeedsKeys: starNeedsKeys, session: session)
                    }
                    openKey = object.key
                    try await add(contents, object: object, to: &open!, ledger: ledgerOffsets, session: session)
                } catch where Self.isAboutTheTable(error) {
                    if open != nil { try? await session.execute("ROLLBACK"); open = nil }
                    try await stopTable(table, at: object.key, error: error)
                } catch {
                    if open != nil { try? await session.execute("ROLLBACK") }
                    throw error
                }
            }
            try await close()
            if options.updateStar && !stop.isStopped {
                let missing = try await star?.missingSources(session) ?? []
                if missing.isEmpty {
                    let star = Date()
                    try await updateStar(session, rebuild: options.rebuildStar)
                    summary.starSeconds = Date().timeIntervalSince(star)
                } else {
                    summary.starSkipped = "staging lacks \(missing.joined(separator: ", ")); load those tables to build mart"
                    // Said once per process: `sluice run` passes often while staging fills up.
                    if !reportedSkip.exchange(true) { logger.info("star not updated: \(summary.starSkipped!)") }
                }
            }
            try await Self.recordFreshness(session, sourceTimes: changeTimes.take())
            summary.stopped = stopped
            metrics.stopped(stopped)
            Gauge(label: SluiceMetric.lakeFilesUnloaded.rawValue).record(objects.count - summary.files)
            return ()
        }
        summary.seconds = Date().timeIntervalSince(started)
        Metrics.Timer(label: SluiceMetric.loadPassDuration.rawValue).recordSeconds(summary.seconds)
        return summary
    }

    /// The advisory lock every loader of a warehouse takes for a pass (held by its session, so it
    /// goes with the connection): one writer at a time for staging, the ledger and the star,
    /// whose SCD2 update would otherwise open two current versions of a key.
    static let lockKey: Int64 = 0x536C_7569_6365   // "Sluice"

    func lockWarehouse(_ session: WarehouseSession) async throws {
        if try await session.scalar("SELECT pg_try_advisory_lock(\(Self.lockKey))") == "true" { return }
        guard options.waitForLock else {
            throw LoadError(message: "another sluice load (or run) is loading this warehouse; try again when it is done, or leave out --no-wait to wait for it")
        }
        logger.notice("another sluice load (or run) is loading this warehouse; waiting for it")
        try await session.execute("SELECT pg_advisory_lock(\(Self.lockKey))")
    }

    /// Failures that belong to one table's data or lake files (a value staging refuses, a constraint,
    /// a missing or unreadable object): they stop that table only. Server and network failures do not.
    static func isAboutTheTable(_ error: any Error) -> Bool {
        if error is LoadError || error is ParquetError { return true }
        if let error = error as? WarehouseError, let state = error.sqlState {
            return ["22", "23", "42", "44", "0A"].contains(String(state.prefix(2)))
        }
        return false
    }

    /// Applied lake objects and their entity tags.
    static func ledger(_ session: WarehouseSession) async throws -> [String: String] {
        var loaded: [String: String] = [:]
        for row in try await session.rows("SELECT key, etag FROM sluice.loaded_files").rows {
            if let key = row[0] { loaded[key] = row[1] ?? "" }
        }
        return loaded
    }

    /// Lake objects (Parquet or JSON Lines) of the selected tables not in `ledger` with the same entity tag
    /// (a rewritten object is new), in Kafka order: by topic, partition and first offset. Never by key or
    /// day: event times may go backwards within a partition (a transaction that began before midnight
    /// and committed after, `SET TIMESTAMP`, a clock step), so `dt=` folders do not follow offsets.
    func newFiles(ledger: [String: String]) async throws -> [S3ObjectInfo] {
        let layout = LakeLayout(root: options.lakeRoot)
        return try await layout.dataObjects(s3: s3, bucket: bucket, table: nil)
            .filter { object in options.tables?.contains(LakeLayout.parse(object.key)!.table) ?? true }
            .filter { ledger[$0.key] != $0.etag }
            .sorted { a, b in
                let x = LakeLayout.parse(a.key)!, y = LakeLayout.parse(b.key)!
                return (x.topic, x.partition, x.firstOffset, a.key) < (y.topic, y.partition, y.firstOffset, b.key)
            }
    }

    /// The Redshift script for the new lake files (`--dialect redshift --dry-run`): reads only
    /// Parquet footers. With `useLedger`, files in the warehouse's ledger are left out.
    public func redshiftScript(iamRole: String, useLedger: Bool) async throws -> (manifests: [RedshiftLoadScript.Manifest], sql: String) {
        var ledger: [String: String] = [:]
        if useLedger {
            ledger = try await Warehouse.withConnection(warehouse, logger: logger) { connection in
                let session = WarehouseSession(connection: connection, logger: logger)
                return try await session.exists("sluice.loaded_files") ? try await Self.ledger(session) : [:]
            }
        }
        var files: [RedshiftLoadScript.File] = []
        for object in try await newFiles(ledger: ledger) where object.key.hasSuffix(".parquet") {
            let footer = try await LakeListing.footer(s3: s3, bucket: bucket, key: object.key, size: object.size)
            guard let table = footer.metadata["sluice.table"], let key = footer.metadata["sluice.key"] else {
                throw LoadError(message: "lake file \(object.key) has no sluice.table/sluice.key metadata; was it written by sluice land?")
            }
            files.append(RedshiftLoadScript.File(key: object.key, etag: object.etag, size: object.size, rows: footer.rowCount,
                                                 table: table, keyColumns: key.split(separator: ",").map(String.init),
                                                 columns: footer.columns, floor: SourceOrder.floor(footer: footer.metadata)))
        }
        let stamp = ISO8601DateFormatter().string(from: Date()).filter { $0.isNumber }
        guard let star else { throw LoadError(message: "--dry-run prints the star too: set SLUICE_MODEL (or --model) to the model file") }
        let script = RedshiftLoadScript(bucket: bucket, manifestPrefix: "\(options.lakeRoot)/_manifests/\(stamp)", iamRole: iamRole, star: star)
        return script.render(files)
    }

    static func createLedger(_ session: WarehouseSession) async throws {
        try await session.execute("CREATE SCHEMA IF NOT EXISTS sluice")
        try await session.execute("CREATE SCHEMA IF NOT EXISTS staging")
        try await session.execute("""
            CREATE TABLE IF NOT EXISTS sluice.loaded_files (
                key text PRIMARY KEY, etag text NOT NULL, size bigint NOT NULL, table_name text NOT NULL,
                rows bigint NOT NULL, loaded_at timestamptz NOT NULL DEFAULT now())
            """)
        // Where each file sits in its Kafka partition, to find a missing object (added after the first release).
        for column in ["topic text", "kafka_partition integer", "first_offset bigint", "last_offset bigint"] {
            try await session.execute("ALTER TABLE sluice.loaded_files ADD COLUMN IF NOT EXISTS \(column)")
        }
        try await session.execute("""
            CREATE TABLE IF NOT EXISTS sluice.freshness (
                id bigserial PRIMARY KEY, recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
                source_ms bigint NOT NULL, latency_ms bigint NOT NULL)
            """)
        try await StagingTable.createLedger(session)
        // Deletes applied to tables without a primary key (a replay must not remove a second copy).
        try await session.execute("""
            CREATE TABLE IF NOT EXISTS sluice.applied_deletes (
                table_name text NOT NULL, seq bigint NOT NULL, pos bigint NOT NULL, row_index bigint NOT NULL,
                PRIMARY KEY (table_name, seq, pos, row_index))
            """)
        try await session.execute("""
            CREATE TABLE IF NOT EXISTS sluice.pending_changes (
                table_name text NOT NULL, key_text text NOT NULL, PRIMARY KEY (table_name, key_text))
            """)
        // The source commit time (ms) of the key's latest change: when a dimension version closes for a delete.
        try await session.execute("ALTER TABLE sluice.pending_changes ADD COLUMN IF NOT EXISTS source_ms bigint")
    }

    /// Freshness samples: for each CDC change just committed (to the star, or to staging when
    /// there is no star), the time from its MySQL commit to now. The last 1,000 are kept.
    /// MySQL stamps binlog events in whole seconds, so a sample can read up to 1 s high.
    static func recordFreshness(_ session: WarehouseSession, sourceTimes: [Int64]) async throws {
        guard !sourceTimes.isEmpty else { return }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let freshness = Metrics.Timer(label: SluiceMetric.freshness.rawValue)
        for time in sourceTimes.suffix(1_000) { freshness.recordMilliseconds(max(0, now - time)) }
        let list = sourceTimes.suffix(1_000).map(String.init).joined(separator: ",")
        try await session.execute("""
            INSERT INTO sluice.freshness (source_ms, latency_ms)
            SELECT t, (extract(epoch FROM clock_timestamp()) * 1000)::bigint - t FROM unnest(ARRAY[\(list)]::bigint[]) AS t
            """)
        try await session.execute("DELETE FROM sluice.freshness WHERE id <= (SELECT max(id) - 1000 FROM sluice.freshness)")
    }

    /// Whether a star exists when no model file says which (`--no-star` without one): its keys are still recorded.
    static func martExists(_ session: WarehouseSession) async throws -> Bool {
        try await session.scalar("SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'mart'") != "0"
    }

    /// Creates the star if needed and applies the pending changes in one transaction.
    /// A star created now (first load, or `rebuild`) starts from every order and payment in staging.
    func updateStar(_ session: WarehouseSession, rebuild: Bool) async throws {
        guard let star = self.star else { return }
        try await session.transaction {
            if rebuild { try await session.execute("DROP SCHEMA IF EXISTS mart CASCADE") }
            let isNew = try await !star.exists(session)
            for statement in star.createStatements(.postgres) { try await session.execute(statement) }
            if isNew {
                for statement in star.markEverything() { try await session.execute(statement) }
            }
            for statement in star.updateStatements(.postgres) { try await session.execute(statement) }
        }
    }

    /// Applies `incoming` to a table without a primary key, as a multiset: each insert adds a row
    /// (a replayed one, same source order, is already there); each delete removes one row with
    /// exactly its values (NULLs equal), the n-th delete of some values the n-th oldest such row, and
    /// is recorded so a replay removes nothing more. Identical updates change nothing; an update that
    /// changes values arrives as a delete and an insert.
    func applyMultiset(table: String, columns: [StagingColumn], into staging: StagingTable,
                       session: WarehouseSession) async throws {
        let q = WarehouseSession.quote
        let literal = WarehouseSession.literal(table)
        let names = columns.map(\.name).filter { staging.columns[$0] != nil }
        let targets = names.map(q) + ["_src_file"] + SourceOrder.columns + ["_src_ms"]
        try await session.execute("""
            INSERT INTO \(staging.relation) (\(targets.joined(separator: ", ")))
            SELECT \(targets.joined(separator: ", ")) FROM incoming WHERE _op IN ('c', 'r')
            ON CONFLICT (\(SourceOrder.columns.joined(separator: ", "))) DO NOTHING
            """)
        let partition = names.isEmpty ? "1" : names.map(q).joined(separator: ", ")
        // The helper columns' names are chosen apart from the table's, whatever its columns are called.
        let rank = q(Self.alias("n", avoiding: names)), row = q(Self.alias("row_id", avoiding: names))
        let same = names.map { "s.\(q($0)) IS NOT DISTINCT FROM d.\(q($0))" } + ["s.\(rank) = d.\(rank)"]
        try await session.execute("""
            DELETE FROM \(staging.relation) AS t USING (
                SELECT s.\(row) FROM (
                    SELECT ctid AS \(row), \(names.map(q).joined(separator: ", ")), row_number() OVER (PARTITION BY \(partition)
                           ORDER BY _src_seq, _src_pos, _src_row) AS \(rank)
                    FROM \(staging.relation)) AS s
                JOIN (
                    SELECT i.*, row_number() OVER (PARTITION BY \(partition) ORDER BY _src_seq, _src_pos, _src_row) AS \(rank)
                    FROM incoming AS i WHERE _op = 'd' AND NOT EXISTS (
                        SELECT 1 FROM sluice.applied_deletes AS a
                        WHERE a.table_name = \(literal) AND a.seq = i._src_seq AND a.pos = i._src_pos AND a.row_index = i._src_row)
                ) AS d ON \(same.joined(separator: " AND "))
            ) AS gone WHERE t.ctid = gone.\(row)
            """)
        try await session.execute("""
            INSERT INTO sluice.applied_deletes (table_name, seq, pos, row_index)
            SELECT \(literal), _src_seq, _src_pos, _src_row FROM incoming WHERE _op = 'd' ON CONFLICT DO NOTHING
            """)
    }

    /// `base`, or `base` with as many `_` in front as it takes to differ from every name in `names`:
    /// a name for a helper column of a statement over a table with those columns.
    static func alias(_ base: String, avoiding names: [String]) -> String {
        var alias = base
        while names.contains(alias) { alias = "_" + alias }
        return alias
    }

    /// A file must continue its partition: the applied files before it end right before its first offset
    /// (or it is the partition's first file, starting at 0). Otherwise a lake object is missing, or
    /// retention removed data before land read it, and loading on would hide the hole. `ledger` holds
    /// every applied file's offsets by partition; `batchEnd` is the last offset of the partition among
    /// the files before it in the same batch.
    func requireNoGap(before key: String, range: LakeFileContents.Offsets, ledger: LedgerOffsets, batchEnd: Int64?) throws {
        let previous = [ledger.lastOffset(before: range), batchEnd].compactMap { $0 }.max()
        let expected = previous.map { $0 + 1 } ?? 0
        if range.first > expected {
            throw LoadError(message: "offsets \(expected)…\(range.first - 1) of \(range.topic)[\(range.partition)] are in no lake object before \(key) (an object was deleted, or Kafka retention removed the data before land read it); load stops so the warehouse does not hide the hole. Restore the object, or re-extract with sluice extract --reset")
        }
    }
}

/// A thread-safe boolean.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    /// Sets the flag; returns what it was.
    func exchange(_ new: Bool) -> Bool { lock.withLock { defer { value = new }; return value } }
}

/// Source commit times gathered while files are applied, bounded to the most recent 1,000.
final class TimestampBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var times: [Int64] = []

    func append(_ more: [Int64]) {
        lock.withLock {
            times += more
            if times.count > 2_000 { times.removeFirst(times.count - 1_000) }
        }
    }

    func take() -> [Int64] { lock.withLock { defer { times = [] }; return times } }
}

/// The Kafka offsets every applied lake file covers, by partition, read once per pass.
struct LedgerOffsets {
    private var ranges: [String: [(first: Int64, last: Int64)]] = [:]

    static func read(_ session: WarehouseSession) async throws -> LedgerOffsets {
        var ledger = LedgerOffsets()
        for row in try await session.rows("""
            SELECT topic, kafka_partition, first_offset, last_offset FROM sluice.loaded_files WHERE topic IS NOT NULL
            """).rows {
            guard let topic = row[0], let partition = row[1].flatMap({ Int32($0) }), let first = row[2].flatMap({ Int64($0) }),
                  let last = row[3].flatMap({ Int64($0) }) else { continue }
            ledger.ranges[LoadBatch.partitionKey(topic: topic, partition: partition), default: []].append((first, last))
        }
        return ledger
    }

    mutating func record(_ range: LakeFileContents.Offsets) {
        ranges[LoadBatch.partitionKey(range), default: []].append((range.first, range.last))
    }

    /// The highest offset of `range`'s partition that applied files cover: the gap check keeps a
    /// partition's applied files contiguous from its first offset, so every offset up to it is applied.
    func appliedThrough(_ range: LakeFileContents.Offsets) -> Int64? {
        ranges[LoadBatch.partitionKey(range)]?.map(\.last).max()
    }

    /// The highest last offset among applied files that start before `range`.
    func lastOffset(before range: LakeFileContents.Offsets) -> Int64? {
        ranges[LoadBatch.partitionKey(range)]?.filter { $0.first < range.first }.map(\.last).max()
    }
}
