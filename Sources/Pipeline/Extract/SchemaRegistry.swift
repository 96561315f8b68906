import Kafka

/// Keeps each captured table's schema versions in `<prefix>._schemas`
/// (compacted; key = table name, value = the schema document).
///
/// A table gets version 1 when first seen and a new version whenever its
/// columns or key change; the new version is published (and acknowledged)
/// before the first event that uses it.
final class SchemaRegistry {
    private let producer: KafkaProducer
    private let topic: String
    private(set) var current: [String: TableSchema]

    /// Loads the latest published versions.
    init(producer: KafkaProducer, reader: KafkaTopicReader, topic: String) throws {
        self.producer = producer
        self.topic = topic
        var latest: [String: TableSchema] = [:]
        for (key, value) in try reader.latestByKey(topic: topic) {
            let schema = try TableSchema(json: try JSONValue.parse(value))
            latest[String(decoding: key, as: UTF8.self)] = schema
        }
        current = latest
    }

    /// Returns the schema with its version, publishing a new version first if
    /// the shape differs from the latest published one.
    func register(_ schema: TableSchema) throws -> TableSchema {
        if let known = current[schema.table], known.sameShape(as: schema) { return known }
        var versioned = schema
        versioned.version = (current[schema.table]?.version ?? 0) + 1
        try producer.send(topic: topic, key: Array(schema.table.utf8), value: versioned.json.serialized)
        try producer.flush()
        current[schema.table] = versioned
        return versioned
    }
}
