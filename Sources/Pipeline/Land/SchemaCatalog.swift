import Kafka

/// Every published version of every table's schema, read from `<prefix>._schemas`.
/// Used by one stage task at a time (never concurrently), hence `@unchecked Sendable`.
final class SchemaCatalog: @unchecked Sendable {
    private let reader: KafkaTopicReader
    private let topic: String
    private var versions: [String: [Int: TableSchema]] = [:]

    init(reader: KafkaTopicReader, topic: String) throws {
        self.reader = reader
        self.topic = topic
        try reload()
    }

    func reload() throws {
        var found: [String: [Int: TableSchema]] = [:]
        for message in try reader.readAll(topic: topic) {
            guard let value = message.value else { continue }
            let schema = try TableSchema(json: try JSONValue.parse(value))
            found[schema.table, default: [:]][schema.version] = schema
        }
        versions = found
    }

    var tables: [String] { versions.keys.sorted() }

    /// The schema an event was written with. If that version was compacted
    /// away, the nearest newer one (columns are matched by name, so missing
    /// ones read as null); a version newer than any known triggers a re-read.
    func schema(table: String, version: Int) throws -> TableSchema? {
        if versions[table]?[version] == nil, version > (versions[table]?.keys.max() ?? 0) { try reload() }
        guard let known = versions[table] else { return nil }
        if let exact = known[version] { return exact }
        return known.filter { $0.key > version }.min { $0.key < $1.key }?.value ?? known.values.max { $0.version < $1.version }
    }
}
