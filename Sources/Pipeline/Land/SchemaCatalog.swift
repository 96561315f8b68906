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

    /// The highest floor of a table's versions: rows older than it are superseded.
    func floor(table: String) -> SourceOrder? { versions[table]?.values.compactMap(\.floorOrder).max() }

    /// The newest version of a table.
    func latest(table: String) -> TableSchema? { versions[table]?.values.max { $0.version < $1.version } }

    /// The schema an event was written with, exactly that version (an unknown one triggers a
    /// re-read of the topic); `nil` if the topic does not have it. Never another version:
    /// reading rows with a definition they were not written with would drop or shift values.
    func schema(table: String, version: Int) throws -> TableSchema? {
        if versions[table]?[version] == nil { try reload() }
        return versions[table]?[version]
    }
}
