import Foundation
import Kafka
import Pipeline
import SluiceTestSupport
import Testing

extension PipelineIntegration {
    /// Conditions that stop extract with one clear line and a non-zero exit.
    @Suite struct ExtractErrorTests {
        @Test func binlogDisabledIsOneClearLine() throws {
            let server = try TemporaryMariaDB(options: ["--skip-log-bin"])
            defer { server.stop() }
            let result = try runSluice(["extract", "--topic-prefix", "nobinlog\(UUID().uuidString.prefix(6))"],
                                       environment: server.environment)
            #expect(result.status != 0)
            #expect(result.standardError.contains("binary logging is off"), "\(result.standardError)")
            #expect(result.standardError.split(separator: "\n").count == 1, "\(result.standardError)")

            let doctor = try runSluice(["doctor"], environment: server.environment)
            #expect(doctor.status != 0)
            #expect(doctor.standardOutput.contains("binary logging is off"))
        }

        @Test func unmappableColumnTypeIsNamed() async throws {
            let database = try await TestDatabase.create()
            defer { Task { await database.drop() } }
            try await database.execute("CREATE TABLE places (id INT PRIMARY KEY, location POINT)")
            let result = try runSluice(["extract", "--topic-prefix", database.name, "--mysql-database", database.name])
            #expect(result.status != 0)
            #expect(result.standardError.contains("places.location"), "\(result.standardError)")
            #expect(result.standardError.contains("point"))
            #expect(result.standardError.split(separator: "\n").count == 1, "\(result.standardError)")
        }

        @Test func purgedBinlogSaysHowToResnapshot() throws {
            let prefix = "purged\(UUID().uuidString.prefix(6).lowercased())"
            // A checkpoint that resumes from a binlog file the server no longer has.
            var checkpoint = ExtractCheckpoint(snapshotFile: "binlog.000000", snapshotPosition: 4, snapshotGTID: nil,
                                               tables: ["customers": .init(done: true, rows: 122, lastKey: nil)])
            checkpoint.binlogFile = "binlog.000000"
            let producer = try KafkaProducer(configuration: try TestStack.config().kafka())
            try producer.send(topic: "\(prefix)._offsets", key: ExtractTopics.checkpointKey, value: checkpoint.json.serialized)
            try producer.flush()

            let result = try runSluice(["extract", "--tables", "customers", "--topic-prefix", prefix])
            #expect(result.status != 0)
            #expect(result.standardError.contains("purged"), "\(result.standardError)")
            #expect(result.standardError.contains("--reset"))
            #expect(result.standardError.split(separator: "\n").count == 1, "\(result.standardError)")
        }
    }
}
