import Kafka
import MySQL

/// The durable schema history of the captured tables, in `<prefix>._schemas`.
///
/// Every version of every table is one message, keyed `<table>#v<version>`,
/// so a compacted topic keeps all of them (older deployments keyed by table
/// name only; their messages read the same). A version says from which binlog
/// position row images are read with it (`since`) and, when it starts with a
/// snapshot, truncate or drop, where older rows stop counting (`floor`). On a
/// restart extract rebuilds each table's definition at its checkpoint from
/// this history (as Debezium's schema history does), so rows logged before a
/// DDL are read as they were written, whatever the table looks like now.
final class SchemaRegistry {
    private let producer: KafkaProducer
    private let topic: String
    /// Every known version, by table, in version order.
    private(set) var history: [String: [TableSchema]]

    init(producer: KafkaProducer, reader: KafkaTopicReader, topic: String) throws {
        self.producer = producer
        self.topic = topic
        var found: [String: [Int: TableSchema]] = [:]
        for message in try reader.readAll(topic: topic) {
            guard let value = message.value else { continue }
            let schema = try TableSchema(json: try JSONValue.parse(value))
            found[schema.table, default: [:]][schema.version] = schema
        }
        history = found.mapValues { $0.values.sorted { $0.version < $1.version } }
    }

    /// The message key of one version.
    static func key(table: String, version: Int) -> [UInt8] { Array("\(table)#v\(version)".utf8) }

    /// The newest version of a table.
    func latest(_ table: String) -> TableSchema? { history[table]?.last }

    func version(_ table: String, _ number: Int) -> TableSchema? { history[table]?.first { $0.version == number } }

    /// The version that row images of `table` logged at `position` were written with: the newest
    /// registered version whose `since` is at or before it. (A re-registration after a restart
    /// has a higher number than what it replaces, so it wins.)
    /// Only versions of `epoch` count: positions of an earlier epoch belong to another log.
    func inForce(_ table: String, at position: BinlogPosition, epoch: Int) -> TableSchema? {
        history[table]?.last { schema in schema.epoch == epoch && (schema.since.map { $0 <= position } ?? true) }
    }

    /// The highest extract epoch any version was published in (`nil`: no history).
    var latestEpoch: Int? { history.values.flatMap { $0.map(\.epoch) }.max() }

    /// Publishes a new version (acknowledged before this returns) and returns it numbered,
    /// stamped with the extract epoch.
    @discardableResult
    func register(_ schema: TableSchema, epoch: Int) throws -> TableSchema {
        var versioned = schema
        versioned.epoch = epoch
        versioned.version = (latest(schema.table)?.version ?? 0) + 1
        try producer.send(topic: topic, key: Self.key(table: schema.table, version: versioned.version),
                          value: versioned.json.serialized)
        try producer.flush()
        history[schema.table, default: []].append(versioned)
        return versioned
    }
}
