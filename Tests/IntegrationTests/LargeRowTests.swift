import Foundation
import Pipeline
import SluiceSupport
import SluiceTestSupport
import Testing

extension PipelineIntegration {
    /// Rows larger than a Kafka message may be (1 MB by a broker's default): carried exactly
    /// through the snapshot, CDC (an UPDATE holds two images) and a restart, without touching the
    /// other tables of the database.
    @Suite struct LargeRowTests {
        typealias Exact = SchemaChangeTests

        /// The measured bug: one 3 MB row made the snapshot of every table of its database fail
        /// ("Message size too large"), and a 0.5 MB row's UPDATE did the same in CDC.
        @Test func rowsLargerThanAMessageArriveExactly() async throws {
            let database = try await TestDatabase.create()
            defer { Task { await database.drop() } }
            let warehouse = try await TestWarehouse.create()
            try await database.execute("CREATE TABLE docs (id INT PRIMARY KEY, body LONGTEXT, raw LONGBLOB)")
            try await database.execute("CREATE TABLE small (id INT PRIMARY KEY, v INT)")
            try await database.execute("CREATE TABLE heap (body MEDIUMTEXT)")
            try await database.execute("INSERT INTO small SELECT seq, seq FROM seq_1_to_50")
            try await database.execute("""
                INSERT INTO docs VALUES (1, REPEAT('a', 3000000), NULL), (2, 'short', UNHEX('00FF')),
                  (3, REPEAT('é', 400000), RANDOM_BYTES(1024))
                """)
            try await database.execute("INSERT INTO heap VALUES (REPEAT('h', 2000000)), (REPEAT('h', 2000000)), ('x')")
            try Exact.run(database, warehouse)
            try await Exact.expectExact(database, warehouse, tables: ["docs", "small", "heap"])

            // CDC: a 0.5 MB row updated (before and after image), a 3 MB insert, a large delete.
            try await database.execute("UPDATE docs SET body = CONCAT(body, 'b') WHERE id = 3")
            try await database.execute("INSERT INTO docs VALUES (4, REPEAT('z', 3100000), REPEAT(UNHEX('AB'), 1500000))")
            try await database.execute("DELETE FROM heap WHERE body = 'x'")
            try await database.execute("UPDATE small SET v = v + 1")
            try Exact.run(database, warehouse)
            try await Exact.expectExact(database, warehouse, tables: ["docs", "small", "heap"])

            // Through a restart: a run that starts over from its checkpoints changes nothing.
            try await database.execute("UPDATE docs SET raw = NULL WHERE id = 4")
            try Exact.run(database, warehouse)
            try Exact.run(database, warehouse)
            try await Exact.expectExact(database, warehouse, tables: ["docs", "small", "heap"])
        }

        /// A row too large for a message that cannot reach the lake bucket either stops its table
        /// alone, with a line saying what to set; `--resnapshot` brings it back once it can.
        @Test func aRowThatCanGoNowhereStopsItsTableAlone() async throws {
            let database = try await TestDatabase.create()
            defer { Task { await database.drop() } }
            let warehouse = try await TestWarehouse.create()
            try await database.execute("CREATE TABLE docs (id INT PRIMARY KEY, body LONGTEXT)")
            try await database.execute("CREATE TABLE fine (id INT PRIMARY KEY, v INT)")
            try await database.execute("INSERT INTO docs VALUES (1, 'short'), (2, REPEAT('a', 2000000))")
            try await database.execute("INSERT INTO fine SELECT seq, seq FROM seq_1_to_30")
            var refused = warehouse.environment
            refused["AWS_SECRET_ACCESS_KEY"] = "not-the-secret"
            let extract = try runSluice(["extract"] + Exact.arguments(database.name).dropLast(2), environment: refused)
            #expect(extract.status == 1, "\(extract.standardError)")
            #expect(extract.standardError.contains("docs stopped") && extract.standardError.contains("larger than a Kafka message")
                    && extract.standardError.contains("--resnapshot docs"), "\(extract.standardError)")

            let stopped = try runSluice(["run"] + Exact.arguments(database.name), environment: warehouse.environment)
            #expect(stopped.status == 1, "\(stopped.standardError)")
            let fine = try await StagingMirror.difference(database.admin, database: database.name, table: "fine", warehouse: warehouse)
            #expect(fine == nil, "\(fine ?? "")")

            let resnapshot = try runSluice(["extract", "--resnapshot", "docs"] + Exact.arguments(database.name).dropLast(2),
                                           environment: warehouse.environment)
            #expect(resnapshot.status == 0, "\(resnapshot.standardError)")
            try Exact.run(database, warehouse)
            try await Exact.expectExact(database, warehouse, tables: ["docs", "fine"])
        }
    }
}
