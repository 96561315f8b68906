import ArgumentParser
import MySQL
import Pipeline
import SluiceSupport

/// `sluice snapshot --tables a,b`: snapshot some tables again while the others keep streaming.
struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Snapshot tables again while every other table keeps streaming.",
        discussion: """
            Sends a request to <prefix>._signals. A running `sluice extract --follow` or `sluice run --follow` \
            acts on it within about 5 seconds; otherwise the next extract does, at start. Each table gets a new \
            schema version: a truncate event, then its rows as of now, then its changes from there on.
            """)

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Topic prefix (default: the database name).") var topicPrefix: String?
    @Option(help: "Comma-separated tables to snapshot again.") var tables: String

    func validate() throws {
        if tableList(tables)?.isEmpty != false { throw ValidationError("--tables needs at least one name") }
    }

    func run() async throws {
        let config = try connection.load()
        let settings = try config.mysql()
        let names = tableList(tables) ?? []
        let mysql = try await MySQLConnection.connect(settings)
        let existing = try await mysql.baseTables(in: settings.database ?? "")
        let unknown = names.filter { !existing.contains($0) }
        guard unknown.isEmpty else {
            throw ConfigError("no table \(unknown.joined(separator: ", ")) in \(settings.database ?? ""); its tables are \(existing.joined(separator: ", "))")
        }
        let topics = ExtractTopics(prefix: topicPrefix ?? settings.database ?? "sluice")
        let request = SnapshotRequest(tables: names)
        let kafka = try config.kafka()
        try await runBlocking { try request.send(configuration: kafka, topics: topics) }
        print("snapshot of \(names.joined(separator: ", ")) requested in \(topics.signals); a running extract takes it up within 5 s, else the next one at start")
    }
}
