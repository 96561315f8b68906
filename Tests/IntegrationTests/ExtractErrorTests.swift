import Foundation
import Kafka
import MySQL
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

        @Test func purgedBinlogSaysHowToResnapshot() throws {
            let prefix = "purged\(UUID().uuidString.prefix(6).lowercased())"
            // A checkpoint that resumes from a binlog file the server no longer has.
            let gone = BinlogPosition(file: "binlog.000000", position: 4)
            let checkpoint = ExtractCheckpoint(binlog: gone, serverID: 1, tables: ["customers": .init(state: .streaming, position: gone)])
            let producer = try KafkaProducer(configuration: try TestStack.config().kafka())
            try producer.send(topic: "\(prefix)._offsets", key: ExtractTopics.checkpointKey, value: checkpoint.json.serialized)
            try producer.flush()

            let result = try runSluice(["extract", "--tables", "customers", "--topic-prefix", prefix])
            #expect(result.status != 0)
            #expect(result.standardError.contains("purged"), "\(result.standardError)")
            #expect(result.standardError.contains("--reset"))
            #expect(result.standardError.split(separator: "\n").count == 1, "\(result.standardError)")
        }

        /// Positions are only meaningful on the server that wrote them: a checkpoint from another
        /// server_id stops extract with one line instead of reading the wrong log.
        @Test func checkpointFromAnotherServerStops() throws {
            let prefix = "moved\(UUID().uuidString.prefix(6).lowercased())"
            let position = BinlogPosition(file: "binlog.000001", position: 4)
            let checkpoint = ExtractCheckpoint(binlog: position, serverID: 4242, tables: ["customers": .init(state: .streaming, position: position)])
            let producer = try KafkaProducer(configuration: try TestStack.config().kafka())
            try producer.send(topic: "\(prefix)._offsets", key: ExtractTopics.checkpointKey, value: checkpoint.json.serialized)
            try producer.flush()

            let result = try runSluice(["extract", "--tables", "customers", "--topic-prefix", prefix])
            #expect(result.status != 0)
            #expect(result.standardError.contains("server_id 4242") && result.standardError.contains("--reset"), "\(result.standardError)")
            #expect(result.standardError.split(separator: "\n").count == 1, "\(result.standardError)")
        }
    }
}
