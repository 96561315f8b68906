import ArgumentParser
import Dispatch
import Foundation
import Kafka
import Logging
import Pipeline

/// `sluice dev-kafka`: hosts a Kafka-protocol cluster (librdkafka's mock
/// brokers) on loopback for development and tests, until SIGINT or SIGTERM.
struct DevKafkaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev-kafka",
        abstract: "Run a local Kafka-protocol cluster for development (in memory).",
        discussion: """
            Clients reach it over TCP at the printed bootstrap address, as they would a real \
            cluster. Topics are auto-created with 4 partitions; --topic creates others up front. \
            Each partition keeps about 5 MiB. Everything is lost when the process stops.
            """)

    @Option(help: "Number of brokers.") var brokers: Int = 3
    @Option(help: "Write the bootstrap address to this file once the cluster is up.") var bootstrapFile: String?
    @Option(name: .customLong("topic"), help: "Create a topic as NAME:PARTITIONS (repeatable).") var topics: [String] = []
    @Option(help: "Log level.") var logLevel: String = "notice"

    func validate() throws {
        guard (1...16).contains(brokers) else { throw ValidationError("--brokers must be between 1 and 16") }
        for topic in topics where parseTopic(topic) == nil {
            throw ValidationError("--topic \(topic): expected NAME:PARTITIONS, e.g. orders:6")
        }
    }

    func run() async throws {
        CommandLogging.bootstrap(level: logLevel)
        let cluster = try KafkaDevCluster(brokers: brokers)
        for topic in topics {
            let (name, partitions) = parseTopic(topic)!
            try cluster.createTopic(name, partitions: partitions)
        }
        if let bootstrapFile {
            let temporary = bootstrapFile + ".tmp"
            try (cluster.bootstrapServers + "\n").write(toFile: temporary, atomically: false, encoding: .utf8)
            _ = rename(temporary, bootstrapFile)
        }
        print("dev-kafka: \(brokers) brokers at \(cluster.bootstrapServers)")
        fflush(nil)
        let stop = StopSignal()
        try await withStopOnSignal(stop) {
            while !stop.isStopped { try await Task.sleep(for: .milliseconds(200)) }
        }
        print("dev-kafka: stopping")
        withExtendedLifetime(cluster) {}
    }

    private func parseTopic(_ text: String) -> (String, Int)? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let count = Int(parts[1]), count > 0 else { return nil }
        return (String(parts[0]), count)
    }
}
