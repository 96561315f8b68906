import Foundation
import Kafka
import Pipeline
import SluiceSupport
import SluiceTestSupport
import Testing

extension PipelineIntegration {
    /// One bad table never stops the others; nothing is skipped without a trace; a rebalance
    /// never loses or doubles an offset.
    @Suite struct TableIsolationTests {
        typealias Exact = SchemaChangeTests

        /// A table the warehouse refuses (here: a CHECK constraint a user added to staging) stops
        /// loading alone; `run`, `status` and `verify` name it; once the cause is gone it resumes.
        /// A message that is no change event goes to the dead-letter topic and land goes on; a
        /// row that cannot be stored exactly stops landing its table only.
        @Test func aPoisonedTableStopsAloneAndResumes() async throws {
            let database = try await TestDatabase.create()
            defer { Task { await database.drop() } }
            let warehouse = try await TestWarehouse.create()
            for table in ["a", "b", "c"] {
                try await database.execute("CREATE TABLE \(table) (id INT PRIMARY KEY, v INT)")
                try await database.execute("INSERT INTO \(table) VALUES (1, 10)")
            }
            try Exact.run(database, warehouse)
            // Where the binlog is now: the unstorable row below claims this position, newer than c's snapshot.
            let master = try #require(try await database.admin.query("SHOW MASTER STATUS").rows.first)
            let (file, position) = (master[0] ?? "", master[1] ?? "0")
            try await warehouse.execute("ALTER TABLE staging.a ADD CONSTRAINT small CHECK (v < 100)")
            try await database.execute("INSERT INTO a VALUES (2, 500)")
            try await database.execute("INSERT INTO b VALUES (2, 20)")

            // Into b's topic: garbage, for the dead-letter topic. Into c's: a change event whose value cannot be stored.
            let topics = ExtractTopics(prefix: database.name)
            let producer = try KafkaProducer(configuration: try TestStack.config().kafka())
            try producer.send(topic: topics.table("b"), key: Array("junk".utf8), value: Array("not json at all".utf8))
            let unstorable = #"{"op":"c","before":null,"after":{"id":99,"v":"ninety-nine"},"source":{"file":""# + file + #"","pos":"#
                + position + #","row":0,"snapshot":false,"ts_ms":1},"ts_ms":1,"schema_version":1}"#
            try producer.send(topic: topics.table("c"), key: Array(#"{"id":99}"#.utf8), value: Array(unstorable.utf8))
            try producer.flush()

            let arguments = Exact.arguments(database.name)
            let poisoned = try runSluice(["run"] + arguments, environment: warehouse.environment)
            #expect(poisoned.status == 1, "\(poisoned.standardError)")
            #expect(poisoned.standardError.contains("table a stopped loading"), "\(poisoned.standardError)")
            #expect(poisoned.standardError.contains("table c stopped landing"), "\(poisoned.standardError)")
            #expect(poisoned.standardOutput.contains("stopped tables"), "\(poisoned.standardOutput)")
            #expect(try await warehouse.scalar("SELECT v FROM staging.b WHERE id = 2") == "20", "b kept loading")

            let status = try runSluice(["status", "--mysql-database", database.name, "--topic-prefix", database.name,
                                        "--lake-root", "\(database.name)/raw"], environment: warehouse.environment)
            #expect(status.status == 1)
            #expect(status.standardOutput.contains("✗ table a stopped loading"), "\(status.standardOutput)")
            #expect(status.standardOutput.contains("✗ table c stopped landing"), "\(status.standardOutput)")
            #expect(status.standardOutput.contains("1 messages in"), "\(status.standardOutput)")
            let verify = try runSluice(["verify", "--mysql-database", database.name, "--topic-prefix", database.name,
                                        "--lake-root", "\(database.name)/raw"], environment: warehouse.environment)
            #expect(verify.status == 1)
            #expect(verify.standardOutput.contains("load stopped") && verify.standardOutput.contains("land stopped"), "\(verify.standardOutput)")

            let letters = try readTopic(topics.deadLetters)
            #expect(letters.count == 1)
            #expect(letters.first?.header("sluice.topic") == topics.table("b"))
            #expect(letters.first?.header("sluice.offset") != nil && letters.first?.header("sluice.reason")?.isEmpty == false)
            #expect(letters.first?.value == Array("not json at all".utf8))

            // The cause of a's stop goes; c is snapshotted again, which supersedes its bad row (it goes to
            // the dead-letter topic too). All resume.
            try await warehouse.execute("ALTER TABLE staging.a DROP CONSTRAINT small")
            try await Exact.expectResumes(database, warehouse)
            #expect(try readTopic(topics.deadLetters).count == 2, "the superseded row is a dead letter too")
        }

        /// Consumers joining while the first holds half-filled batches, again and again: every
        /// offset lands exactly once, and committed offsets never move backwards.
        @Test func rebalancesMidBatchLoseAndDoubleNothing() async throws {
            let database = try await LandTests.bigTable(rows: 30_000)
            defer { Task { await database.drop() } }
            let prefix = database.name
            let kafka = try TemporaryDevKafka(brokers: 1, topics: ["\(prefix).big": 6])
            defer { kafka.stop() }
            let environment = ["KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrapServers]
            #expect(try runSluice(["extract", "--topic-prefix", prefix, "--mysql-database", database.name], environment: environment).status == 0)

            let group = "\(prefix)-rebalance"
            // Big batches written only when idle for long: the first member holds half-filled ones when others join.
            let arguments = ["land", "--follow", "--topic-prefix", prefix, "--mysql-database", database.name, "--lake-root", "\(prefix)/raw",
                             "--flush-rows", "3000", "--idle-flush", "20", "--group", group, "--log-level", "info"]
            let first = try BackgroundSluice(arguments, environment: environment)
            defer { first.signal(SIGKILL) }
            var kafkaConfig = try TestStack.config().kafka()
            kafkaConfig.bootstrapServers = kafka.bootstrapServers
            let watcher = try KafkaConsumer(configuration: kafkaConfig, groupID: group)
            defer { watcher.close() }
            let pairs = (0..<6).map { ("\(prefix).big", Int32($0)) }
            var last = Array(repeating: Int64(-1), count: 6)
            var backwards: [String] = []
            func watchCommits() throws {
                for (index, committed) in try watcher.committed(pairs).enumerated() where committed.offset >= 0 {
                    if committed.offset < last[index] { backwards.append("partition \(index): \(last[index]) → \(committed.offset)") }
                    last[index] = max(last[index], committed.offset)
                }
            }
            var rebalances = 0
            for _ in 0..<3 {
                try await Task.sleep(for: .seconds(4))
                let second = try BackgroundSluice(arguments, environment: environment)
                // Until the newcomer has partitions (the last one's departure may still be settling), then a little more.
                let deadline = Date().addingTimeInterval(40)
                while Date() < deadline && !second.standardError.contains("assigned \(prefix).big") {
                    try watchCommits()
                    try await Task.sleep(for: .milliseconds(500))
                }
                for _ in 0..<4 { try watchCommits(); try await Task.sleep(for: .milliseconds(500)) }
                second.signal(SIGKILL)
                _ = second.wait(seconds: 10)
                try watchCommits()
                if second.standardError.contains("assigned \(prefix).big") { rebalances += 1 }
            }
            #expect(rebalances == 3, "the second member did not get partitions every time")
            #expect(first.standardError.contains("was revoked: its unwritten batch is left to the new owner"),
                    "the first member never held a batch when it lost a partition")
            first.signal(SIGTERM)
            #expect(first.wait(seconds: 60) == 0, "\(first.standardError)")
            let finish = try runSluice(Array(arguments.filter { $0 != "--follow" }), environment: environment)
            #expect(finish.status == 0, "\(finish.standardError)")
            try watchCommits()
            #expect(backwards.isEmpty, "committed offsets moved backwards: \(backwards)")

            let landed = try await LandTests.landedOffsets(root: "\(prefix)/raw", table: "big")
            #expect(landed.count == 30_000, "\(landed.count) offsets landed")
            #expect(Set(landed).count == landed.count, "some offsets landed twice")
            let ends = try watcher.committed(pairs).map(\.offset)
            for partition in 0..<6 {
                let offsets = landed.filter { $0 >> 40 == partition }.map { $0 & 0xFF_FFFF_FFFF }.sorted()
                #expect(offsets == Array(0..<Int64(offsets.count)), "partition \(partition) has a hole or a repeat")
                #expect(ends[partition] == Int64(offsets.count), "partition \(partition) committed \(ends[partition]) of \(offsets.count)")
            }
        }
    }
}

extension PipelineIntegration.SchemaChangeTests {
    /// After a stop's cause is fixed: c is snapshotted again (its bad message stays below the new
    /// floor), then one run resumes every table and everything is exact.
    static func expectResumes(_ database: TestDatabase, _ warehouse: TestWarehouse,
                              sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let resnapshot = try runSluice(["extract", "--resnapshot", "c", "--mysql-database", database.name, "--topic-prefix", database.name])
        #expect(resnapshot.status == 0, "\(resnapshot.standardError)", sourceLocation: sourceLocation)
        try run(database, warehouse, sourceLocation: sourceLocation)
        try await expectExact(database, warehouse, tables: ["a", "b", "c"], sourceLocation: sourceLocation)
    }
}
