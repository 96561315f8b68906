import Foundation
import Kafka
import Pipeline
import SluiceTestSupport
import Testing

extension PipelineIntegration {
    /// Data lost to Kafka retention is an error, never a silent skip.
    @Suite struct RetentionTests {
        @Test func landStopsWhenRetentionRemovedUnreadData() async throws {
            let database = try await TestDatabase.create()
            defer { Task { await database.drop() } }
            // Hashes barely compress: 150,000 rows are far more than the dev cluster's ~5 MiB per partition.
            try await database.execute("CREATE TABLE noise (id INT PRIMARY KEY, a CHAR(64), b CHAR(64))")
            try await database.execute("INSERT INTO noise SELECT seq, SHA2(RAND(), 256), SHA2(RAND(), 256) FROM seq_1_to_150000")
            let prefix = database.name
            let kafka = try TemporaryDevKafka(brokers: 1, topics: ["\(prefix).noise": 1])
            defer { kafka.stop() }
            let environment = ["KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrapServers]
            let extract = try runSluice(["extract", "--topic-prefix", prefix, "--mysql-database", database.name], environment: environment)
            #expect(extract.status == 0, "\(extract.standardError)")
            let consumer = try KafkaConsumer(configuration: KafkaConfiguration(bootstrapServers: kafka.bootstrapServers), groupID: "probe-\(prefix)")
            let (low, high) = try consumer.watermarks(topic: "\(prefix).noise", partition: 0)
            consumer.close()
            try #require(low > 0, "retention removed nothing (\(high) messages kept); the test needs more data")

            let land = try runSluice(["land", "--topic-prefix", prefix, "--mysql-database", database.name, "--lake-root", "\(prefix)/raw"],
                                     environment: environment)
            #expect(land.status == 1)
            #expect(land.standardError.contains("removed by Kafka retention"), "\(land.standardError.suffix(800))")
            #expect(land.standardError.split(separator: "\n").filter { $0.hasPrefix("Error:") }.count == 1)
            let listing = try runSluice(["lake", "ls", "--lake-root", "\(prefix)/raw", "noise"])
            #expect(!listing.standardOutput.contains(".parquet"), "land wrote objects past the hole: \(listing.standardOutput.suffix(400))")
        }
    }
}
