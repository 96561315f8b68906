import Foundation
import Kafka
import Pipeline
import SluiceTestSupport
import Testing

extension PipelineIntegration {
    /// `sluice extract --follow`: inserts, updates, deletes and DDL reach Kafka.
    @Suite struct ExtractCDCTests {
        @Test func changesArriveInCommitOrderWithinTwoSeconds() async throws {
            let database = try await TestDatabase.create(copying: ["customers", "payments"])
            defer { Task { await database.drop() } }
            let prefix = database.name
            let extract = try BackgroundSluice(["extract", "--follow", "--topic-prefix", prefix, "--mysql-database", database.name])
            defer { extract.signal(SIGKILL) }

            let topic = "\(prefix).payments"
            let follower = try TopicFollower(topic)
            #expect(try follower.waitFor(within: 60) { $0.count >= 273 }, "snapshot did not arrive: \(extract.standardError)")

            // INSERT, UPDATE, DELETE of one key; time from the last commit.
            try await database.execute("INSERT INTO payments VALUES (103, 'CDC001', '2024-02-29', 100.10)")
            try await database.execute("UPDATE payments SET amount = 200.20 WHERE checkNumber = 'CDC001'")
            try await database.execute("DELETE FROM payments WHERE checkNumber = 'CDC001'")
            let started = Date()
            let key = #"{"customerNumber":103,"checkNumber":"CDC001"}"#
            let arrived = try follower.waitFor(within: 2) { $0.filter { $0.keyText == key }.count >= 4 }
            let changes = follower.messages.filter { $0.keyText == key }
            #expect(arrived, "changes took longer than 2 s (\(Date().timeIntervalSince(started)) s): \(changes.count) seen")
            #expect(changes.map { $0.json?["op"]?.stringValue ?? "tombstone" } == ["c", "u", "d", "tombstone"])
            #expect(changes.last?.value == nil)
            #expect(changes[1].json?["before"]?["amount"] == .string("100.10"))
            #expect(changes[1].json?["after"]?["amount"] == .string("200.20"))
            #expect(changes[2].json?["before"]?["amount"] == .string("200.20"))
            #expect(changes[0].json?["source"]?["snapshot"] == .bool(false))

            // ALTER TABLE, then an UPDATE that uses the new column.
            try await database.execute("ALTER TABLE customers ADD COLUMN loyaltyTier VARCHAR(10)")
            try await database.execute("UPDATE customers SET loyaltyTier = 'gold', city = 'Nantès' WHERE customerNumber = 103")
            let customers = try TopicFollower("\(prefix).customers")
            #expect(try customers.waitFor(within: 30) { messages in messages.contains { $0.json?["op"] == .string("u") } })
            let update = customers.messages.last { $0.json?["op"] == .string("u") }?.json
            #expect(update?["schema_version"] == .number("2"))
            #expect(update?["after"]?["loyaltyTier"] == .string("gold"))
            #expect(update?["after"]?["city"] == .string("Nantès"))
            #expect(update?["before"]?["loyaltyTier"] == .null)
            // Every version is its own message (key `customers#v<N>`), so a compacted topic keeps them all.
            let schemas = try readTopic("\(prefix)._schemas").filter { $0.json?["table"] == .string("customers") }
                .sorted { ($0.json?["version"]?.intValue ?? 0) < ($1.json?["version"]?.intValue ?? 0) }
            #expect(schemas.map(\.keyText) == ["customers#v1", "customers#v2"])
            let versions = try schemas.map { try TableSchema(json: try #require($0.json)) }
            #expect(versions.map(\.version) == [1, 2])
            #expect(versions.last?.columns.last?.name == "loyaltyTier")
            // The new version was published before the event that uses it.
            #expect(try #require(schemas.last?.timestampMilliseconds) <= Int64(update?["ts_ms"]?.intValue ?? 0))

            // SIGTERM: finish, checkpoint, exit 0.
            extract.signal(SIGTERM)
            #expect(extract.wait(seconds: 30) == 0, "\(extract.standardError)")
        }
    }
}
