import Foundation
import Kafka
import Logging
import MySQL
import S3
import SluiceSupport
import Warehouse

/// Gathers `sluice status`: reads only (MySQL positions, Kafka offsets and the
/// `_offsets` checkpoint, the lake listing, the warehouse's ledger); joins no group.
public struct StatusProbe: Sendable {
    public struct Options: Sendable {
        public var topicPrefix: String?
        /// Land's consumer group; default `sluice-land-<prefix>`.
        public var groupID: String?
        public var lakeRoot = "raw"
        /// Freshness percentiles over this many of the latest changes. Default 100.
        public var freshnessWindow = 100
        public init() {}
    }

    let config: SluiceConfig
    let options: Options
    let logger: Logger

    public init(config: SluiceConfig, options: Options, logger: Logger = Logger(label: "sluice.status")) {
        self.config = config
        self.options = options
        self.logger = logger
    }

    public func run() async -> PipelineStatus {
        var status = PipelineStatus()
        let prefix = options.topicPrefix ?? (try? config.mysql().database ?? nil) ?? "sluice"
        status.prefix = prefix
        let topics = ExtractTopics(prefix: prefix)
        do { status.extract = try await extract(topics) } catch { status.extract.problem = oneLine(error) }
        do { status.land = try await land(topics) } catch {
            status.land.group = options.groupID ?? "sluice-land-\(prefix)"
            status.land.problem = oneLine(error)
        }
        do { status.load = try await load() } catch { status.load.problem = oneLine(error) }
        return status
    }

    func extract(_ topics: ExtractTopics) async throws -> PipelineStatus.Extract {
        var result = PipelineStatus.Extract()
        let mysql = try await MySQLConnection.connect(try config.mysql())
        let (current, logs, retention) = try await runBlocking {
            (try mysql.currentBinlogPositionBlocking(), try mysql.binaryLogsBlocking(), try mysql.binlogRetentionSecondsBlocking())
        }
        result.binlogRetentionSeconds = retention
        result.sourcePosition = "\(current.file):\(current.position)"
        let kafka = try config.kafka()
        let checkpoint = try await runBlocking { () -> ExtractCheckpoint? in
            let value = try KafkaTopicReader(configuration: kafka, logger: logger).latestByKey(topic: topics.offsets)[ExtractTopics.checkpointKey]
            return try value.map { try ExtractCheckpoint(json: try JSONValue.parse($0)) }
        }
        guard let checkpoint else { return result }
        result.checkpoint = checkpoint.binlog.description
        result.snapshotComplete = checkpoint.snapshotComplete
        result.bytesBehind = BinlogDistance.bytes(from: checkpoint.binlog, to: current, logs: logs)
        result.stoppedTables = checkpoint.stoppedTables.map { PipelineStatus.StoppedTable(table: $0.table, reason: $0.reason) }
        return result
    }

    func land(_ topics: ExtractTopics) async throws -> PipelineStatus.Land {
        var result = PipelineStatus.Land()
        result.group = options.groupID ?? "sluice-land-\(topics.prefix)"
        let kafka = try config.kafka()
        let group = result.group
        let prefix = topics.topicPrefix + "."
        (result.partitions, result.deadLetters) = try await runBlocking { () -> ([PipelineStatus.Partition], Int64) in
            // A consumer that never subscribes does not join the group: it only reads its offsets.
            let consumer = try KafkaConsumer(configuration: kafka, groupID: group, logger: logger)
            defer { consumer.close() }
            let metadata = try KafkaClusterMetadata.fetch(consumer: consumer)
            let dataTopics = metadata.topics.filter { $0.name.hasPrefix(prefix) && !$0.name.dropFirst(prefix.count).hasPrefix("_") }
            var pairs: [(topic: String, partition: Int32)] = []
            for topic in dataTopics.sorted(by: { $0.name < $1.name }) {
                pairs += topic.partitions.sorted().map { (topic.name, $0) }
            }
            var deadLetters: Int64 = 0
            if let topic = metadata.topics.first(where: { $0.name == topics.deadLetters }) {
                deadLetters = try consumer.endOffsets(topic.partitions.map { (topic.name, $0) }).reduce(0) { $0 + max($1.offset, 0) }
            }
            guard !pairs.isEmpty else { return ([], deadLetters) }
            let committed = try consumer.committed(pairs)
            let ends = try consumer.endOffsets(pairs)
            return (pairs.enumerated().map { index, pair in
                let offset = committed[index].offset
                return PipelineStatus.Partition(topic: pair.topic, partition: pair.partition, committed: offset >= 0 ? offset : nil,
                                                end: ends[index].offset)
            }, deadLetters)
        }
        // Tables land stopped leave a marker in the lake saying why and where.
        let s3 = S3Client(configuration: try config.s3(), logger: logger)
        let bucket = try config.bucket()
        for object in try await s3.listAllObjects(bucket: bucket, prefix: LakeLayout(root: options.lakeRoot).landStoppedPrefix) {
            let marker = try JSONValue.parse(try await s3.getObject(bucket: bucket, key: object.key))
            result.stoppedTables.append(.init(table: marker["table"]?.stringValue ?? object.key, reason: marker["reason"]?.stringValue ?? ""))
        }
        return result
    }

    func load() async throws -> PipelineStatus.Load {
        var result = PipelineStatus.Load()
        let s3 = S3Client(configuration: try config.s3(), logger: logger)
        let layout = LakeLayout(root: options.lakeRoot)
        let objects = try await layout.dataObjects(s3: s3, bucket: try config.bucket(), table: nil)
        result.lakeFiles = objects.count
        let window = options.freshnessWindow
        try await Warehouse.withConnection(try config.warehouse(), logger: logger) { connection in
            let session = WarehouseSession(connection: connection, logger: logger)
            guard try await session.exists("sluice.loaded_files") else { return }
            let keys = Set(objects.map(\.key))
            let ledger = try await session.rows("SELECT key FROM sluice.loaded_files").rows.compactMap { $0[0] }
            result.loadedFiles = ledger.filter(keys.contains).count
            result.lastLoadAt = try await session.scalar("SELECT to_char(max(loaded_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM sluice.loaded_files")
            result.pendingKeys = Int(try await session.scalar("SELECT count(*) FROM sluice.pending_changes") ?? "0") ?? 0
            result.stoppedTables = try await StagingTable.stopped(session).sorted { $0.key < $1.key }
                .map { .init(table: $0.key, reason: $0.value) }
            if try await session.exists("sluice.freshness"),
               let row = try await session.rows("""
                   SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms))::bigint,
                          round(percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms))::bigint, count(*)
                   FROM (SELECT latency_ms FROM sluice.freshness ORDER BY id DESC LIMIT \(window)) AS recent
                   """).rows.first {
                result.freshnessP50Milliseconds = row[0].flatMap { Int($0) }
                result.freshnessP95Milliseconds = row[1].flatMap { Int($0) }
                result.freshnessSamples = row[2].flatMap { Int($0) } ?? 0
            }
        }
        return result
    }
}
