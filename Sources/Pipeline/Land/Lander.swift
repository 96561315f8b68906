import Foundation
import Kafka
import Logging
import Parquet
import S3
import SluiceSupport

/// `sluice land`: a consumer group that turns change-event topics into lake
/// objects, exactly once per offset.
///
/// Per partition, rows are cut into batches by rules that depend only on the
/// messages (row count, bytes, event-time interval, schema version), so the
/// same input always makes the same batches. A batch becomes one object keyed
/// by its first offset; the partition's offset is committed only after the
/// object is stored. A crash anywhere therefore at worst rewrites the same
/// key, and a rebalance drops uncommitted batches for the new owner to redo.
public final class Lander: @unchecked Sendable {
    let options: LandOptions
    let topics: ExtractTopics
    let layout: LakeLayout
    let consumer: KafkaConsumer
    let kafka: KafkaConfiguration
    let s3: S3Client
    let bucket: String
    let observer: any LandProgressObserver
    let stop: StopSignal
    let logger: Logger
    var catalog: SchemaCatalog!
    /// The tables this run lands (set by `prepare()`).
    var tables: [String] = [] {
        didSet { topicTables = Dictionary(tables.map { (topics.table($0), $0) }, uniquingKeysWith: { first, _ in first }) }
    }
    /// Topic → table, for the tables landed.
    var topicTables: [String: String] = [:]
    var batches: [TopicPartition: PartitionBatch] = [:]
    /// Message bytes held by all open batches.
    var bufferedBytes = 0
    var summary = LandSummary()
    /// Schema sidecars written by this process (JSON Lines only).
    var schemasWritten: Set<String> = []
    /// Where each owned partition's next batch must start: its committed offset when assigned, then
    /// the end of the last batch written.
    var starts: [TopicPartition: Int64] = [:]
    /// Tables that cannot be landed exactly, with the reason; their messages wait (uncommitted) for the next run.
    var stoppedTables: [String: String] = [:]
    /// Producer for the dead-letter topic (made on first use).
    var deadLetters: KafkaProducer?
    /// Dead letters sent and not yet flushed: flushed before any commit.
    var deadLettersPending = false
    /// Tables with a stop marker in the lake (from this run or an earlier one).
    var stoppedMarkers: Set<String> = []
    /// Batches being encoded and stored in the background, in the order they were handed over.
    let uploads = UploadsInFlight()
    var inflight: [PendingWrite] {
        get { uploads.all }
        set { uploads.all = newValue }
    }
    /// Rows, bytes, files, lag and stopped tables, for `--metrics-address`.
    let metrics = StageMetrics(stage: "land")

    public init(config: SluiceConfig, options: LandOptions, observer: any LandProgressObserver, stop: StopSignal,
                logger: Logger = Logger(label: "sluice.land")) throws {
        self.options = options
        let prefix = try options.topicPrefix ?? config.mysql().database ?? "sluice"
        self.topics = ExtractTopics(prefix: prefix)
        self.layout = LakeLayout(root: options.lakeRoot)
        var kafka = try config.kafka()
        // A committed offset that retention removed must stop land, not skip data.
        kafka.properties["auto.offset.reset"] = "error"
        self.kafka = kafka
        self.consumer = try KafkaConsumer(configuration: kafka, groupID: options.groupID ?? "sluice-land-\(prefix)", logger: logger)
        self.s3 = S3Client(configuration: try config.s3(), logger: logger)
        self.bucket = try config.bucket()
        self.observer = observer
        self.stop = stop
        self.logger = logger
        finishUploadsOnRevoke()
    }

    /// Checks the bucket and reads the table schemas; `run()` does it if not done yet.
    public func prepare() async throws {
        try await s3.headBucket(bucket)
        let reader = KafkaTopicReader(configuration: kafka, logger: logger)
        let schemasTopic = topics.schemas
        catalog = try await runBlocking { try SchemaCatalog(reader: reader, topic: schemasTopic) }
        tables = try resolveTables()
        try await loadStopMarkers()
    }

    /// Runs until caught up (or, with `follow`, until stopped).
    public func run() async throws -> LandSummary {
        do {
            return try await StageHealth.track("land") { try await consume() }
        } catch {
            // Failing: the uploads in flight are not committed (their partitions are redone), so a
            // revoke while the consumer closes need not wait for them.
            uploads.abandon()
            let consumer = self.consumer
            try? await runBlocking { consumer.close() }
            throw error
        }
    }

    private func consume() async throws -> LandSummary {
        let started = Date()
        metrics.stopped([String: String]())
        if tables.isEmpty { try await prepare() }
        guard try await waitForWork() else {
            logger.info("nothing new to land for \(topics.prefix)")
            consumer.close()
            summary.seconds = Date().timeIntervalSince(started)
            return summary
        }
        try consumer.subscribe(topics: tables.map(topics.table))
        logger.info("landing \(tables.count) tables of \(topics.prefix) into s3://\(bucket)/\(layout.root)/ as \(options.format.rawValue)")

        var quietPolls = 0
        var lastCatalogCheck = Date()
        while !stop.isStopped {
            if options.tables == nil, Date().timeIntervalSince(lastCatalogCheck) >= options.newTableCheckSeconds {
                // Tables created while running (extract snapshots them on their own) join the subscription.
                lastCatalogCheck = Date()
                try await subscribeToNewTables()
            }
            let consumer = self.consumer
            let messages: [KafkaMessage]
            do {
                // Shorter waits while something is buffered or being stored, so it is written and committed promptly.
                let wait: Duration = batches.isEmpty && inflight.isEmpty ? .milliseconds(200) : .milliseconds(25)
                messages = try await runBlocking { try consumer.poll(maxMessages: 5_000, timeout: wait) }
            } catch let error as KafkaError where error.code == .offsetOutOfRange {
                throw LandError.retention(error)
            }
            applyRebalances()
            // Messages polled before a revoke may come after it: only partitions owned now count.
            let owned = consumer.ownedPartitions
            for message in messages where owned.contains(TopicPartition(topic: message.topic, partition: message.partition)) {
                try await add(message)
            }
            try await reap()
            try await flushIdle(caughtUp: messages.isEmpty)
            if messages.isEmpty { quietPolls += 1 } else { quietPolls = 0 }
            let finishing = (!options.follow && quietPolls >= 3)
                // Draining after the producer finished: a few more quiet polls, so its last messages are fetched first.
                || (options.follow && options.finishWhenCaughtUp?.isStopped == true && quietPolls >= 6)
            if finishing { try await drain() }
            if finishing, batches.values.allSatisfy(\.isEmpty), try await caughtUp() {
                guard options.tables == nil else { break }
                let before = tables
                try await subscribeToNewTables()
                if tables == before { break }
                quietPolls = 0
            }
        }
        // Stopping: write what is buffered, so the committed offsets reach as far as possible.
        for partition in Array(batches.keys) { try await flush(partition) }
        try await drain()
        let consumer = self.consumer
        try await runBlocking { consumer.close() }   // its revoke runs the hook; nothing is in flight now
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    /// Re-reads `_schemas`; subscribes to every table if new ones appeared.
    func subscribeToNewTables() async throws {
        guard try await refreshTables() else { return }
        try consumer.subscribe(topics: tables.map(topics.table))
    }

    func resolveTables() throws -> [String] {
        let known = catalog.tables
        guard !known.isEmpty else {
            throw LandError(message: "no table schemas in \(topics.schemas); run sluice extract first (or check --topic-prefix)")
        }
        guard let requested = options.tables else { return known }
        let unknown = requested.filter { !known.contains($0) }
        if !unknown.isEmpty {
            throw LandError(message: "unknown table \(unknown.joined(separator: ", ")) in \(topics.prefix); extracted tables are: \(known.joined(separator: ", "))")
        }
        return requested
    }

    /// Revoked partitions lose their unwritten batches (the new owner redoes them); newly assigned
    /// ones start at the offset the group committed, whatever was buffered for them before.
    func applyRebalances() {
        for revoked in consumer.takeRevoked() {
            starts[revoked] = nil
            guard let dropped = batches.removeValue(forKey: revoked) else { continue }
            bufferedBytes -= dropped.bytes
            logger.info("\(revoked) was revoked: its unwritten batch is left to the new owner")
        }
        for (partition, start) in consumer.takeAssigned() {
            if let dropped = batches.removeValue(forKey: partition) { bufferedBytes -= dropped.bytes }
            starts[partition] = start
        }
    }

    /// Adds a message to its partition's batch, writing the batch first or after when a cut rule says so.
    /// A batch starts exactly where the partition's landed offsets end: earlier offsets are a redelivery
    /// of what is already landed or held, a later one a hole.
    func add(_ message: KafkaMessage) async throws {
        let partition = TopicPartition(topic: message.topic, partition: message.partition)
        if stoppedTables[table(of: partition)] != nil { return }   // not landed, not committed: read again next run
        let expected = batches[partition]?.nextOffset ?? starts[partition] ?? message.offset
        if message.offset != expected {
            if message.offset < expected { return }
            throw LandError.gap(partition, expected: expected, found: message.offset)
        }
        guard message.value != nil else {
            // Tombstones carry no row (the delete event before them does); they only advance the offset.
            skip(message, in: partition)
            return
        }
        var value = message.value!
        if ClaimCheck.marks(message) {
            guard let claimed = try await claimedValue(message, in: partition) else { return }
            value = claimed
        }
        let event: DecodedEvent
        do { event = try value.withUnsafeBytes { try DecodedEvent($0, message: message) } } catch let error as LandError {
            // Not a change event at all: kept in the dead-letter topic, and the offset counts as landed.
            try deadLetter(message, reason: error.message)
            skip(message, in: partition)
            return
        }
        let bucket = event.row.sourceTimestampMilliseconds / Int64(options.rotateIntervalSeconds * 1000)
        if let batch = batches[partition], !batch.rows.isEmpty,
           batch.schemaVersion != event.row.schemaVersion || batch.timeBucket != bucket {
            try await flush(partition)
        }
        let table = table(of: partition)
        let schema: TableSchema
        if let current = batches[partition]?.columns?.schema, !batches[partition]!.rows.isEmpty {
            schema = current
        } else if let exact = try catalog.schema(table: table, version: event.row.schemaVersion) {
            schema = exact
        } else {
            try await stopTable(table, at: partition, offset: message.offset, because: "schema version \(event.row.schemaVersion) of \(table) is not in \(topics.schemas), so its rows cannot be read as written; the schema history was deleted. Take a new snapshot of the table with sluice extract --resnapshot \(table)")
            return
        }
        do {
            // Mutated in place: copying the batch out and back would copy its rows on every message.
            let keepImage = options.format == .jsonl
            try value.withUnsafeBytes { bytes in
                try openBatch(partition, at: message.offset).append(event, in: bytes, schema: schema, bucket: bucket, keepImage: keepImage)
            }
        } catch let refusal as LakeColumnBuilder.Refusal {
            let reason = "\(refusal.reason) at \(partition) offset \(message.offset) cannot be stored exactly"
            if let floor = catalog.floor(table: table), event.row.order < floor {
                // A later snapshot or truncate of the table supersedes this row: it need not land.
                try deadLetter(message, reason: "\(reason); a later snapshot or truncate of \(table) supersedes it (floor \(floor))")
                skip(message, in: partition)
            } else {
                try await stopTable(table, at: partition, offset: message.offset, because: reason)
            }
            return
        }
        bufferedBytes += event.row.size
        if batches[partition]!.rows.count >= options.flushRows || batches[partition]!.bytes >= options.flushBytes {
            try await flush(partition)
        }
        if bufferedBytes > options.maxBufferBytes {
            // Memory, not the data, decides this cut; like an idle flush it keeps exactly-once
            // (the next batch starts where this one ends and is committed the same way).
            if let largest = batches.max(by: { $0.value.bytes < $1.value.bytes })?.key { try await flush(largest) }
        }
    }

    /// The partition's open batch, or a new one starting at `offset`.
    private func openBatch(_ partition: TopicPartition, at offset: Int64) -> PartitionBatch {
        if let batch = batches[partition] { return batch }
        let batch = PartitionBatch(partition: partition, firstOffset: offset)
        batches[partition] = batch
        return batch
    }

    /// Counts a message as landed without a row (a tombstone, a dead letter).
    private func skip(_ message: KafkaMessage, in partition: TopicPartition) {
        let batch = openBatch(partition, at: message.offset)
        batch.nextOffset = message.offset + 1
        batch.lastActivity = Date()
    }

    /// The table a partition's topic carries.
    func table(of partition: TopicPartition) -> String {
        topicTables[partition.topic] ?? String(partition.topic.dropFirst(topics.topicPrefix.count + 1))
    }

    /// Not following, or following until the producer finished and it has: write batches as soon as polls come back empty.
    var draining: Bool { !options.follow || options.finishWhenCaughtUp?.isStopped == true }

    /// Writes batches whose partition went quiet, whose first message waited `maxBatchSeconds`, or
    /// (when not following) that reached the partition's end.
    func flushIdle(caughtUp: Bool) async throws {
        let now = Date()
        for (partition, batch) in batches
        where (draining && caughtUp) || now.timeIntervalSince(batch.lastActivity) >= options.idleFlushSeconds
            || options.maxBatchSeconds.map({ now.timeIntervalSince(batch.opened) >= $0 }) == true {
            try await flush(partition)
        }
    }

    /// Hands a batch to the background: it is encoded and stored while consuming goes on; its
    /// partition's offset is committed (by `reap`) once it and every earlier batch of the partition
    /// are stored.
    func flush(_ partition: TopicPartition) async throws {
        guard let batch = batches.removeValue(forKey: partition) else { return }
        bufferedBytes -= batch.bytes
        // The next batch starts where this one ends (stored or not, it is this member's to store).
        starts[partition] = batch.nextOffset
        let table = table(of: partition)
        let schema: TableSchema
        do { schema = try lakeSchema(of: batch, table: table) } catch let error as LandError {
            try await stopTable(table, at: partition, offset: batch.firstOffset, because: error.message)
            return
        }
        if options.format == .jsonl {
            let schemaKey = layout.schemaKey(table: table, version: schema.version)
            if !schemasWritten.contains(schemaKey) {
                try await s3.putObject(bucket: bucket, key: schemaKey, body: schema.json.serialized)
                schemasWritten.insert(schemaKey)
            }
        }
        let write = PendingWrite(partition: partition, table: table, next: batch.nextOffset, rows: batch.rows.count)
        let key = layout.key(table: table, day: batch.day ?? "1970-01-01", topic: partition.topic,
                             partition: partition.partition, firstOffset: batch.firstOffset, format: options.format)
        let (s3, bucket, format, compression) = (self.s3, self.bucket, options.format, options.compression)
        write.start {
            let body = try LakeFileEncoder.encode(batch, schema: schema, format: format, compression: compression)
            try await s3.putObject(bucket: bucket, key: key, body: body)
            return (key, body.count)
        }
        inflight.append(write)
        if inflight.count > options.maxWritesInFlight { try await inflight[0].wait() }
        try await reap()
    }

    /// The schema a batch is stored with: exactly its version, or (tombstones only) the newest,
    /// without a floor.
    func lakeSchema(of batch: PartitionBatch, table: String) throws -> TableSchema {
        if let version = batch.schemaVersion {
            if let exact = try batch.columns?.schema ?? catalog.schema(table: table, version: version) { return exact }
            throw LandError(message: "schema version \(version) of \(table) (at \(batch.partition) offset \(batch.firstOffset)) is not in \(topics.schemas), so its rows cannot be read as written; the schema history was deleted. Take a new snapshot of the table with sluice extract --resnapshot \(table)")
        }
        guard var latest = catalog.latest(table: table) else {
            throw LandError(message: "no schema of \(table) in \(topics.schemas); run sluice extract first")
        }
        latest.floor = nil
        latest.dropped = false
        return latest
    }

    /// Records the stored batches and commits, in one request, each partition's offset up to the
    /// last batch stored with none before it still in flight. A partition revoked meanwhile is its
    /// new owner's: it rewrites the same keys and commits.
    func reap() async throws {
        var blocked = Set<TopicPartition>()
        var commits: [TopicPartition: Int64] = [:]
        var waiting: [PendingWrite] = []
        for write in inflight {
            guard !blocked.contains(write.partition), let result = write.result else {
                blocked.insert(write.partition)
                waiting.append(write)
                continue
            }
            let (key, bytes) = try result.get()
            summary.record(table: write.table, rows: write.rows, bytes: bytes)
            metrics.table(write.table).add(rows: write.rows, bytes: bytes)
            metrics.files.increment()
            observer.landed(table: write.table, key: key, rows: write.rows, totalRows: summary.tables[write.table]?.rows ?? 0)
            try await clearStop(write.table)
            commits[write.partition] = write.next
        }
        inflight = waiting
        guard !commits.isEmpty else { return }
        if deadLettersPending, let deadLetters {
            try await runBlocking { try deadLetters.flush() }
            deadLettersPending = false
        }
        let owned = consumer.ownedPartitions
        let offsets = commits.filter { owned.contains($0.key) }
            .map { KafkaTopicPartitionOffset(topic: $0.key.topic, partition: $0.key.partition, offset: $0.value) }
        for revoked in commits.keys where !owned.contains(revoked) {
            logger.info("\(revoked) was revoked while its batch was written; its new owner commits it")
        }
        guard !offsets.isEmpty else { return }
        let consumer = self.consumer
        do {
            try await runBlocking { try consumer.commit(offsets) }
            recordLag(offsets)
        } catch let error as KafkaError where [22, 25, 27].contains(error.rawCode) {
            // ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS: the partitions moved on; their new owners rewrite the same keys.
            logger.warning("offsets not committed (\(error.message)); the new owners redo these batches")
        }
    }

    /// Waits for every batch in flight, then commits.
    func drain() async throws {
        while let first = inflight.first {
            try await first.wait()
            try await reap()
        }
    }

    /// Whether every assigned partition is read up to its current end (with
    /// nothing buffered, that is landed and committed). Uses librdkafka's
    /// local positions and cached watermarks; asks the broker only for
    /// partitions it has not fetched from yet.
    func caughtUp() async throws -> Bool {
        let consumer = self.consumer
        return try await runBlocking {
            let assigned = try consumer.assignment()
            guard !assigned.isEmpty else { return false }
            var unread: [KafkaTopicPartitionOffset] = []
            for position in try consumer.positions(assigned) {
                if position.offset >= 0, let high = consumer.cachedHighWatermark(topic: position.topic, partition: position.partition) {
                    if position.offset < high { return false }
                } else {
                    unread.append(position)
                }
            }
            // Partitions nothing was read from this run: done if the group's commit reaches their end.
            guard !unread.isEmpty else { return true }
            let pairs = unread.map { ($0.topic, $0.partition) }
            let ends = try consumer.endOffsets(pairs)
            for (committed, end) in zip(try consumer.committed(pairs), ends) where max(committed.offset, 0) < end.offset {
                return false
            }
            return true
        }
    }
}

/// The rows buffered for one partition: their metadata, their column values (typed, per column),
/// and for JSON Lines their images as sent. A class, so the dictionary of open batches never
/// copies one; `@unchecked Sendable` because once handed to the background writer (`flush`) it
/// is only read there and nothing else touches it again.
final class PartitionBatch: @unchecked Sendable {
    let partition: TopicPartition
    let firstOffset: Int64
    var nextOffset: Int64
    var rows: [LakeRow] = []
    var columns: LakeBatchColumns?
    var images: [[UInt8]] = []
    var bytes = 0
    var schemaVersion: Int?
    var timeBucket: Int64?
    /// `dt` of the first row's event time.
    var day: String?
    var lastActivity = Date()
    /// When the batch's first message arrived.
    let opened = Date()

    init(partition: TopicPartition, firstOffset: Int64) {
        self.partition = partition
        self.firstOffset = firstOffset
        self.nextOffset = firstOffset
    }

    var isEmpty: Bool { rows.isEmpty && nextOffset == firstOffset }

    /// Adds an event's row: its values go into the columns of `schema` (the batch's version).
    func append(_ event: DecodedEvent, in bytes: UnsafeRawBufferPointer, schema: TableSchema, bucket: Int64,
                         keepImage: Bool) throws {
        if rows.isEmpty {
            schemaVersion = event.row.schemaVersion
            timeBucket = bucket
            day = LakeTime.dateText(milliseconds: event.row.sourceTimestampMilliseconds)
            columns = LakeBatchColumns(schema: schema)
        }
        try columns!.append(image: event.image, in: bytes)
        rows.append(event.row)
        if keepImage { images.append(event.image.map { Array(UnsafeRawBufferPointer(rebasing: bytes[$0])) } ?? []) }
        self.bytes += event.row.size
        nextOffset = event.row.offset + 1
        lastActivity = Date()
    }
}

/// One batch being encoded and stored in the background. The task fills `result` under a lock
/// (the consuming loop reads it), which is what makes the `@unchecked Sendable` sound.
final class PendingWrite: @unchecked Sendable {
    let partition: TopicPartition
    let table: String
    /// The offset committed once this batch is stored.
    let next: Int64
    let rows: Int
    private let lock = NSLock()
    private var outcome: Result<(key: String, bytes: Int), any Error>?
    private var task: Task<Void, Never>?

    init(partition: TopicPartition, table: String, next: Int64, rows: Int) {
        self.partition = partition
        self.table = table
        self.next = next
        self.rows = rows
    }

    /// Entered when the batch is handed over, left once its outcome is known (for blocking waits).
    private let finished = DispatchGroup()

    func start(_ body: @escaping @Sendable () async throws -> (key: String, bytes: Int)) {
        finished.enter()
        task = Task.detached { [self] in
            let outcome: Result<(key: String, bytes: Int), any Error>
            do { outcome = .success(try await body()) } catch { outcome = .failure(error) }
            lock.withLock { self.outcome = outcome }
            finished.leave()
        }
    }

    /// Blocks (off the cooperative pool only) until the batch is stored or failed, or `deadline`;
    /// whether it finished.
    func waitBlocking(until deadline: DispatchTime) -> Bool {
        finished.wait(timeout: deadline) == .success
    }

    /// The outcome, once the batch is stored or failed.
    var result: Result<(key: String, bytes: Int), any Error>? { lock.withLock { outcome } }

    func wait() async throws { await task?.value }
}
