import Foundation
import Kafka
import Logging
import MySQL
import SluiceSupport

/// `sluice extract`: snapshots of the source tables and the binlog, published
/// to Kafka as change events. See the README for the topics, the event format,
/// the checkpoint and what each kind of DDL does.
///
/// One binlog reader drives everything: row events of the captured tables,
/// DDL (resolved by qualified name), and snapshots, which are read in
/// key-ordered chunks, each a consistent read at a binlog position that is
/// sent when the reader reaches that position, so a table can be snapshotted
/// while the others keep streaming.
///
/// Everything here blocks (Connector/C and librdkafka calls); `run()` is
/// called on a thread of its own.
public final class Extractor: @unchecked Sendable {
    let settings: MySQLConnection.Configuration
    let kafka: KafkaConfiguration
    let options: ExtractOptions
    let observer: any ExtractProgressObserver
    let stop: StopSignal
    let logger: Logger
    let topics: ExtractTopics
    /// The server_id the binlog reader registers with (`replicaServerID + 1`: the DDL checker).
    let replicaServerID: UInt32
    /// What a date with no calendar day does (`SLUICE_ZERO_DATES`).
    let zeroDates: ZeroDatePolicy

    let producer: KafkaProducer
    var registry: SchemaRegistry!
    var checkpoint: ExtractCheckpoint!
    var collations: MySQLCollations!
    /// Text in the binlog, decoded as the server converts it (learnt over a `ConversionConnection` of its own).
    var textDecoder: SourceTextDecoder!
    /// The database captured.
    var database = ""
    /// Tables this run captures; with `captureAll`, tables created in the database join it.
    var captured: Set<String> = []
    /// The server's `lower_case_table_names`: how names in statements compare with stored ones.
    var lowerCaseTableNames = 0
    var captureAll = true
    /// Snapshots in progress or waiting, by table (one reads at a time, in name order).
    var jobs: [String: SnapshotJob] = [:]
    /// The server's binlog retention in seconds, read at the first snapshot check (`.some(nil)`: kept until purged).
    var binlogRetention: Int??
    /// Whether snapshot chunks use watermarks (`nil` until the first chunk decides).
    var watermarkMode: Bool?
    /// Watermark mode: the connections reading chunks while the binlog streams.
    lazy var snapshotReaders = SnapshotReaders(capacity: options.snapshotParallelism, settings: settings)
    var serverID: UInt32 = 0
    var summary = ExtractSummary()
    /// A connection for metadata reads while the binlog streams.
    var metadata: MySQLConnection!
    /// The session holding this prefix's lock (see `fence`).
    var fenceHolder: FenceHolder?
    /// Rows, bytes, errors and stopped tables, for `--metrics-address`.
    let metrics = StageMetrics(stage: "extract")
    /// Each schema version's event layout (keys and constant members encoded once).
    var layouts: [String: EventLayout] = [:]
    /// The last TABLE_MAP checked against each table's schema version (checked again when either changes).
    var checkedMaps: [String: (map: BinlogTableMap, version: Int)] = [:]
    /// Where events too large for a Kafka message go (see `ClaimCheck`).
    let claims: ClaimStore

    public init(config: SluiceConfig, options: ExtractOptions, observer: any ExtractProgressObserver,
                stop: StopSignal, logger: Logger = Logger(label: "sluice.extract")) throws {
        self.settings = try config.mysql()
        self.kafka = try config.kafka()
        self.claims = ClaimStore(config: config, kafka: kafka)
        self.options = options
        self.observer = ExtractMetricsObserver(forwardingTo: observer)
        self.stop = stop
        self.logger = logger
        self.topics = ExtractTopics(prefix: options.topicPrefix ?? settings.database ?? "sluice")
        self.replicaServerID = try options.replicaServerID ?? config.replicaServerID(topicPrefix: topics.prefix)
        self.zeroDates = try config.zeroDatePolicy()
        var producerConfiguration = kafka
        // Java clients' partitioner, so a key lands where other tools expect it.
        producerConfiguration.properties["partitioner"] = producerConfiguration.properties["partitioner"] ?? "murmur2_random"
        self.producer = try KafkaProducer(configuration: producerConfiguration, logger: logger)
    }

    /// Runs the extract to its end (no `follow`) or until `stop` is set.
    public func run() throws -> ExtractSummary {
        try StageHealth.trackBlocking("extract") { try capture() }
    }

    private func capture() throws -> ExtractSummary {
        let connection = try MySQLConnection.connectBlocking(settings)
        metadata = connection
        try fence(on: connection)
        let binlog = try connection.binlogSettingsBlocking()
        if let problem = binlog.problem {
            throw MySQLError(code: .unsupportedServer, message: "\(settings.displayName): \(problem)")
        }
        serverID = binlog.serverID
        lowerCaseTableNames = binlog.lowerCaseTableNames
        database = settings.database ?? ""
        collations = try connection.collationsBlocking()
        textDecoder = SourceTextDecoder(server: ConversionConnection(settings: settings), maxBytes: collations.maxBytes)
        let tableNames = try resolveTables(connection: connection, database: database)
        captured = Set(tableNames)
        captureAll = options.tables == nil
        try producer.prepareTopics([topics.schemas, topics.offsets] + tableNames.map(topics.table))
        let reader = KafkaTopicReader(configuration: kafka, logger: logger)
        registry = try SchemaRegistry(producer: producer, reader: reader, topic: topics.schemas)

        let current = try connection.currentBinlogPositionBlocking()
        let existing = try loadCheckpoint(reader: reader)
        if !options.reset, let existing {
            checkpoint = existing
            try requireSameServer(current: current)
        } else {
            // A reset starts a new epoch: its positions order after everything sent before it.
            let previous = [existing?.epoch, registry.latestEpoch].compactMap { $0 }.max()
            checkpoint = ExtractCheckpoint(binlog: current, serverID: serverID, tables: [:], epoch: previous.map { $0 + 1 } ?? 0)
            // Every table is snapshotted now: snapshot requests sent before are moot.
            checkpoint.signalsOffset = (try? reader.highWatermark(topic: topics.signals, partition: 0)) ?? 0
        }
        for name in options.resnapshot {
            guard captured.contains(name) else {
                throw ConfigError("--resnapshot names \(name), which this run does not capture (\(tableNames.joined(separator: ", ")))")
            }
            checkpoint.tables[name] = .init(state: .snapshotting, position: current)
        }
        // Tables not captured before (new, or added to --tables) start with a snapshot of their own.
        for name in tableNames where checkpoint.tables[name] == nil || checkpoint.tables[name]?.state == .dropped {
            checkpoint.tables[name] = .init(state: .snapshotting, position: current)
        }
        for name in tableNames where checkpoint.tables[name]?.state == .stopped {
            let reason = checkpoint.tables[name]?.reason ?? "stopped"
            logger.error("\(reason)")
            summary.stopped.append((name, reason))
        }
        // Tables dropped or renamed away while extract was not running are still read from their
        // position, so the binlog's DROP or RENAME reaches them (and their rows leave staging).
        if captureAll {
            for (name, entry) in checkpoint.tables where entry.state == .streaming || entry.state == .snapshotting {
                captured.insert(name)
            }
        }
        let start = startPosition(current: current)
        try requireBinlogAvailable(connection: connection, from: start)
        for name in tableNames.sorted() {
            guard let entry = checkpoint.tables[name] else { continue }
            if entry.state == .snapshotting, let progress = entry.snapshot {
                try resumeSnapshot(name, progress: progress)
            } else if entry.state == .snapshotting || (entry.state == .streaming && registry.latest(name) == nil) {
                // New, or its schema history is gone (the topic was deleted): a snapshot of its own.
                try startSnapshot(name, since: nil)
            }
        }
        try saveCheckpoint()
        try handleSignals()
        observer.schemasPublished(tables: tableNames)

        if !stop.isStopped {
            try followBinlog(from: start)
        }
        producer.flushQuietly()
        summary.position = checkpoint.binlog.description
        summary.stopped = checkpoint.stoppedTables.filter { captured.contains($0.table) }
        return summary
    }

    /// Every base table, or the requested ones (all must exist).
    func resolveTables(connection: MySQLConnection, database: String) throws -> [String] {
        // Sluice's own watermark table is never captured.
        let existing = try connection.baseTablesBlocking(in: database).filter { $0 != options.watermarkTable }
        guard !existing.isEmpty || options.tables != nil else {
            throw MySQLError(code: .unknownDatabase, message: "database \(database) has no tables", hint: "check MYSQL_DATABASE")
        }
        guard let requested = options.tables else { return existing }
        let unknown = requested.filter { !existing.contains($0) }
        if !unknown.isEmpty {
            throw MySQLError(code: .unknownTable,
                             message: "unknown table\(unknown.count > 1 ? "s" : "") \(unknown.joined(separator: ", ")) in database \(database)",
                             hint: "--tables takes names from: \(existing.joined(separator: ", "))")
        }
        return requested
    }

    /// The oldest position any table of this run still needs (the reader starts there).
    func startPosition(current: BinlogPosition) -> BinlogPosition {
        let needed = captured.compactMap { name -> BinlogPosition? in
            guard let table = checkpoint.tables[name], table.state == .streaming || table.state == .snapshotting else { return nil }
            return table.position
        }
        return needed.min() ?? current
    }

    func loadCheckpoint(reader: KafkaTopicReader) throws -> ExtractCheckpoint? {
        guard let value = try reader.latestByKey(topic: topics.offsets)[ExtractTopics.checkpointKey] else { return nil }
        return try ExtractCheckpoint(json: try JSONValue.parse(value))
    }

    /// Records progress durably: every message before it is acknowledged first.
    func saveCheckpoint() throws {
        try requireFence()
        try producer.flush()
        try producer.send(topic: topics.offsets, key: ExtractTopics.checkpointKey, value: checkpoint.json.serialized)
        try producer.flush()
    }

    /// Positions only mean something on the server and log they were read from.
    func requireSameServer(current: BinlogPosition) throws {
        if checkpoint.serverID != 0 && checkpoint.serverID != serverID {
            throw MySQLError(code: .unsupportedServer,
                             message: "the checkpoint of \(topics.prefix) was taken on server_id \(checkpoint.serverID), this server is server_id \(serverID); its binlog positions mean nothing here",
                             hint: "point MYSQL_HOST at the original server, or take a new snapshot with sluice extract --reset")
        }
        if let reset = Self.gtidWentBack(from: checkpoint.binlog.gtid, to: current.gtid) {
            throw MySQLError(code: .unsupportedServer,
                             message: "the server's binlog is at GTID \(reset.now), before the checkpoint of \(topics.prefix) at \(reset.then): the binlog was reset (RESET MASTER) or this is another server",
                             hint: "take a new snapshot with sluice extract --reset")
        }
        if !checkpoint.binlog.sameLog(as: current) {
            throw MySQLError(code: .unsupportedServer,
                             message: "the checkpoint of \(topics.prefix) is in binlog \(checkpoint.binlog.file), the server now writes \(current.file) (another log_basename or server)",
                             hint: "take a new snapshot with sluice extract --reset")
        }
    }

    /// A domain whose GTID sequence is now lower than the checkpoint's: the log started over.
    static func gtidWentBack(from checkpoint: String?, to current: String?) -> (then: String, now: String)? {
        func sequences(_ list: String?) -> [String: (UInt64, String)] {
            var result: [String: (UInt64, String)] = [:]
            for gtid in (list ?? "").split(separator: ",") {
                let parts = gtid.trimmingCharacters(in: .whitespaces).split(separator: "-")
                if parts.count == 3, let sequence = UInt64(parts[2]) { result[String(parts[0])] = (sequence, String(gtid)) }
            }
            return result
        }
        let then = sequences(checkpoint), now = sequences(current)
        for (domain, old) in then {
            let new = now[domain]
            if new == nil || new!.0 < old.0 { return (old.1, new?.1 ?? "none in domain \(domain)") }
        }
        return nil
    }

    /// The binlog file a run resumes from must still exist.
    func requireBinlogAvailable(connection: MySQLConnection, from position: BinlogPosition) throws {
        let files = try connection.binaryLogsBlocking().map(\.file)
        if !files.contains(position.file) {
            throw MySQLError(code: .unsupportedServer,
                             message: "binlog \(position.file), needed to resume \(topics.prefix) at position \(position.position), has been purged (the server keeps \(files.first ?? "none") onwards)",
                             hint: "take a new snapshot with sluice extract --reset (and keep binlogs longer: binlog_expire_logs_seconds)")
        }
    }

    /// The event layout of a schema version, made once.
    func layout(for schema: TableSchema) -> EventLayout {
        let key = "\(schema.table)#\(schema.version)"
        if let layout = layouts[key] { return layout }
        let layout = EventLayout(schema: schema, connectorName: topics.prefix, serverID: serverID)
        layouts[key] = layout
        return layout
    }

    /// Stops one table: it is skipped from here on, the others go on. The line says which table,
    /// where, why and what to run.
    func stopTable(_ table: String, at position: BinlogPosition, _ stop: TableStop) {
        let line = "table \(database).\(table) stopped at binlog \(position): \(stop.reason); its changes are not sent from here on. "
            + stop.remedy
        jobs[table]?.close()
        jobs[table] = nil
        checkpoint.tables[table] = .init(state: .stopped, position: position, reason: line)
        logger.error("\(line)", metadata: ["table": "\(table)"])
        metrics.error("table_stopped")
        metrics.stopped(checkpoint.stoppedTables)
        observer.tableStopped(table: table, reason: line)
    }
}

extension KafkaProducer {
    /// Flushes at shutdown, logging instead of throwing (the checkpoint already says what is safe).
    func flushQuietly() {
        do { try flush(timeout: .seconds(30)) } catch {}
    }
}
