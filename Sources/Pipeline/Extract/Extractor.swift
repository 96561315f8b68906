import Foundation
import Kafka
import Logging
import MySQL
import SluiceSupport

/// `sluice extract`: a consistent snapshot of the source tables, then the
/// binlog, published to Kafka as change events. See the README for the
/// topics, the event format and the checkpoint semantics.
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

    let producer: KafkaProducer
    var registry: SchemaRegistry!
    var schemas: [String: TableSchema] = [:]
    var checkpoint: ExtractCheckpoint!
    var serverID: UInt32 = 0
    var summary = ExtractSummary()

    public init(config: SluiceConfig, options: ExtractOptions, observer: any ExtractProgressObserver,
                stop: StopSignal, logger: Logger = Logger(label: "sluice.extract")) throws {
        self.settings = try config.mysql()
        self.kafka = try config.kafka()
        self.options = options
        self.observer = observer
        self.stop = stop
        self.logger = logger
        self.topics = ExtractTopics(prefix: options.topicPrefix ?? settings.database ?? "sluice")
        var producerConfiguration = kafka
        // Java clients' partitioner, so a key lands where other tools expect it.
        producerConfiguration.properties["partitioner"] = producerConfiguration.properties["partitioner"] ?? "murmur2_random"
        self.producer = try KafkaProducer(configuration: producerConfiguration, logger: logger)
    }

    /// Runs the extract to its end (no `follow`) or until `stop` is set.
    public func run() throws -> ExtractSummary {
        let connection = try MySQLConnection.connectBlocking(settings)
        let binlog = try connection.binlogSettingsBlocking()
        if let problem = binlog.problem {
            throw MySQLError(code: .unsupportedServer, message: "\(settings.displayName): \(problem)")
        }
        serverID = binlog.serverID
        let database = settings.database ?? ""
        let tableNames = try resolveTables(connection: connection, database: database)
        try producer.prepareTopics([topics.schemas, topics.offsets] + tableNames.map(topics.table))
        let reader = KafkaTopicReader(configuration: kafka, logger: logger)
        registry = try SchemaRegistry(producer: producer, reader: reader, topic: topics.schemas)
        for name in tableNames {
            let definition = try connection.tableDefinitionBlocking(database: database, table: name)
            let schema = try TableSchema(definition)
            if !schema.hasPrimaryKey {
                logger.warning("table \(name) has no primary key: its messages are keyed by all columns")
            }
            schemas[name] = try registry.register(schema)
        }
        try producer.flush()
        observer.schemasPublished(tables: tableNames)

        checkpoint = options.reset ? nil : try loadCheckpoint(reader: reader)
        if let existing = checkpoint {
            let missing = tableNames.filter { existing.tables[$0] == nil }
            if !missing.isEmpty {
                throw ConfigError("table \(missing.joined(separator: ", ")) is not in the existing snapshot of \(topics.prefix); run sluice extract --reset to take a new snapshot of every table")
            }
            try requireBinlogAvailable(connection: connection, from: existing)
        }

        if checkpoint == nil || !checkpoint.snapshotComplete {
            try runSnapshot(tables: tableNames, database: database)
        }
        if !stop.isStopped {
            try followBinlog(database: database, tables: Set(tableNames))
        }
        producer.flushQuietly()
        summary.position = "\(checkpoint.binlogFile):\(checkpoint.binlogPosition)"
        return summary
    }

    /// Every base table, or the requested ones (all must exist).
    func resolveTables(connection: MySQLConnection, database: String) throws -> [String] {
        let existing = try connection.baseTablesBlocking(in: database)
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

    func loadCheckpoint(reader: KafkaTopicReader) throws -> ExtractCheckpoint? {
        guard let value = try reader.latestByKey(topic: topics.offsets)[ExtractTopics.checkpointKey] else { return nil }
        return try ExtractCheckpoint(json: try JSONValue.parse(value))
    }

    /// Records progress durably: every message before it is acknowledged first.
    func saveCheckpoint() throws {
        try producer.flush()
        try producer.send(topic: topics.offsets, key: ExtractTopics.checkpointKey, value: checkpoint.json.serialized)
        try producer.flush()
    }

    /// The binlog file a checkpoint resumes from must still exist.
    func requireBinlogAvailable(connection: MySQLConnection, from checkpoint: ExtractCheckpoint) throws {
        let files = try connection.binaryLogsBlocking().map(\.file)
        if !files.contains(checkpoint.binlogFile) {
            throw MySQLError(code: .unsupportedServer,
                             message: "binlog \(checkpoint.binlogFile), needed to resume \(topics.prefix) at position \(checkpoint.binlogPosition), has been purged (the server keeps \(files.first ?? "none") onwards)",
                             hint: "take a new snapshot with sluice extract --reset (and keep binlogs longer: binlog_expire_logs_seconds)")
        }
    }
}

extension KafkaProducer {
    /// Flushes at shutdown, logging instead of throwing (the checkpoint already says what is safe).
    func flushQuietly() {
        do { try flush(timeout: .seconds(30)) } catch {}
    }
}
