import Foundation
import SluiceSupport
import SluiceTestSupport
import Testing

extension PipelineIntegration {
    /// One extract per topic prefix: a second one is refused with a line saying what runs, and
    /// the lock goes with the process that held it, however it ends.
    @Suite struct ExtractFenceTests {
        typealias Exact = SchemaChangeTests

        /// The bug read from the code: two extracts on one prefix both ran and wrote the prefix's
        /// schema history and checkpoint over each other.
        @Test func aSecondExtractOnOnePrefixIsRefused() async throws {
            let database = try await TestDatabase.create()
            defer { Task { await database.drop() } }
            let warehouse = try await TestWarehouse.create()
            try await database.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT)")
            try await database.execute("INSERT INTO t SELECT seq, seq FROM seq_1_to_10")
            let prefix = database.name
            let arguments = ["extract", "--topic-prefix", prefix, "--mysql-database", database.name]
            let first = try BackgroundSluice(arguments + ["--follow"])
            defer { first.signal(SIGKILL) }
            let follower = try TopicFollower("\(prefix).t")
            #expect(try follower.waitFor(within: 60) { $0.count >= 10 }, "snapshot did not arrive: \(first.standardError)")

            let second = try runSluice(arguments)
            #expect(second.status == 1, "\(second.standardError)")
            #expect(second.standardError.contains("another sluice extract is running for topic prefix \(prefix)")
                    && second.standardError.contains("--topic-prefix"), "\(second.standardError)")
            try await database.execute("INSERT INTO t VALUES (11, 11)")
            #expect(try follower.waitFor(within: 30) { $0.count >= 11 }, "the first extract stopped: \(first.standardError)")

            first.signal(SIGKILL)
            _ = first.wait(seconds: 30)
            // The server freed the lock with the killed process's connection.
            try Exact.run(database, warehouse)
            try await Exact.expectExact(database, warehouse, tables: ["t"])
        }
    }
}
