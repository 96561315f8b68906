import Foundation
import SluiceSupport
import SluiceTestSupport
import Testing

extension PipelineIntegration {
    /// A lake object rewritten under its key with another range of offsets (a land whose commit
    /// was lost cuts its partition again from the committed offset, longer this time; a second
    /// group reads the topic from the start): load applies each Kafka offset once, whatever
    /// objects carry it.
    @Suite struct LandRecutTests {
        typealias Exact = SchemaChangeTests

        /// The bug read from the code: the ledger skipped an object only while its entity tag was
        /// unchanged, so a re-cut object was applied again whole and the keyless table got its
        /// rows twice (deleted rows back for good).
        @Test func aRecutObjectAppliesEachOffsetOnce() async throws {
            let database = try await TestDatabase.create()
            defer { Task { await database.drop() } }
            let warehouse = try await TestWarehouse.create()
            try await database.execute("CREATE TABLE bag (k INT, v VARCHAR(10))")
            try await database.execute("INSERT INTO bag SELECT seq % 5, CONCAT('v', seq % 3) FROM seq_1_to_40")
            try await database.execute("CREATE TABLE kv (id INT PRIMARY KEY, v INT)")
            try await database.execute("INSERT INTO kv SELECT seq, seq FROM seq_1_to_40")
            let prefix = database.name
            let arguments = ["extract": ["--mysql-database", prefix, "--topic-prefix", prefix],
                             "land": ["--mysql-database", prefix, "--topic-prefix", prefix, "--lake-root", "\(prefix)/raw"],
                             "load": ["--mysql-database", prefix, "--lake-root", "\(prefix)/raw"]]
            func step(_ command: String, _ extra: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) throws {
                let result = try runSluice([command] + arguments[command]! + extra, environment: warehouse.environment)
                #expect(result.status == 0, "\(command): \(result.standardError)", sourceLocation: sourceLocation)
            }
            try step("extract")
            try step("land")
            try step("load")

            try await database.execute("DELETE FROM bag WHERE k = 1 LIMIT 3")
            try await database.execute("INSERT INTO bag VALUES (9, 'new'), (9, 'new')")
            try await database.execute("UPDATE kv SET v = -v WHERE id <= 10")
            try await database.execute("DELETE FROM kv WHERE id > 35")
            try step("extract")
            try step("land")
            try step("load")   // the deletes are applied
            // Another group reads every partition from offset 0: each first object is cut again,
            // now reaching the end, under the same key and with a new entity tag.
            try step("land", ["--group", "\(prefix)-recut"])
            try step("load")
            try await database.execute("INSERT INTO bag VALUES (1, 'v1')")
            try step("extract")
            // The first group goes on from its commit: an object after ones that overlap.
            try step("land")
            try step("load")
            try await Exact.expectExact(database, warehouse, tables: ["bag", "kv"])
        }
    }
}
