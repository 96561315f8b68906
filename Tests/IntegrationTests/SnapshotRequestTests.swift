import Foundation
import Kafka
import Pipeline
import SluiceTestSupport
import Testing

extension PipelineIntegration {
    /// `sluice snapshot --tables`: a running extract snapshots one table again while another
    /// table's changes keep flowing; a restart does not do the request twice.
    @Suite struct SnapshotRequestTests {
        @Test func oneTableIsSnapshottedAgainWhileAnotherStreams() async throws {
            let database = try await TestDatabase.create(copying: ["offices", "productlines"])
            defer { Task { await database.drop() } }
            let prefix = database.name
            let common = ["--topic-prefix", prefix, "--mysql-database", database.name]
            let extract = try BackgroundSluice(["extract", "--follow"] + common)
            defer { extract.signal(SIGKILL) }
            let offices = try TopicFollower("\(prefix).offices")
            let lines = try TopicFollower("\(prefix).productlines")
            #expect(try offices.waitFor(within: 60) { $0.count >= 7 }, "snapshot did not arrive: \(extract.standardError)")
            #expect(try lines.waitFor(within: 60) { $0.count >= 7 })

            // A changed office row shows the second snapshot reads the table as it is now.
            try await database.execute("UPDATE offices SET city = 'Nantes' WHERE officeCode = '4'")
            let request = try runSluice(["snapshot", "--tables", "offices"] + common)
            #expect(request.status == 0, "\(request.standardError)")
            #expect(request.standardOutput.contains("\(prefix)._signals"))
            try await database.execute("INSERT INTO productlines (productLine, textDescription) VALUES ('Drones', 'flying')")

            func ops(_ messages: [KafkaMessage]) -> [String] { messages.map { $0.json?["op"]?.stringValue ?? "tombstone" } }
            // offices: first snapshot (7 r, version 1), the update (u), then a truncate (t) and 7 r of version 2.
            // (The follower interleaves the topic's partitions, so counts, not order, are compared.)
            func second(_ messages: [KafkaMessage]) -> [KafkaMessage] {
                messages.filter { $0.json?["op"] == .string("r") && $0.json?["schema_version"] == .number("2") }
            }
            #expect(try offices.waitFor(within: 30) { messages in second(messages).count == 7 && ops(messages).contains("t") },
                    "no second snapshot of offices: \(ops(offices.messages)) \(extract.standardError)")
            #expect(ops(offices.messages).filter { $0 == "r" }.count == 14)
            let nantes = second(offices.messages).first { $0.json?["after"]?["officeCode"] == .string("4") }
            #expect(nantes?.json?["after"]?["city"] == .string("Nantes"))
            // productlines kept streaming: its insert arrived, and it was not snapshotted again.
            #expect(try lines.waitFor(within: 30) { $0.contains { $0.json?["op"] == .string("c") } })
            #expect(!ops(lines.messages).contains("t"))

            extract.signal(SIGTERM)
            #expect(extract.wait(seconds: 30) == 0, "\(extract.standardError)")
            // A restart does not act on the same request again.
            let again = try runSluice(["extract"] + common)
            #expect(again.status == 0, "\(again.standardError)")
            #expect(try readTopic("\(prefix).offices").filter { $0.json?["op"] == .string("t") }.count == 1)

            let unknown = try runSluice(["snapshot", "--tables", "nope"] + common)
            #expect(unknown.status != 0)
            #expect(unknown.standardError.contains("no table nope"))
        }
    }
}
