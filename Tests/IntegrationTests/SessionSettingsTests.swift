import Foundation
import SluiceSupport
import SluiceTestSupport
import Testing

extension PipelineIntegration {
    /// Sessions that log less than full row images: `binlog_format=STATEMENT` (row statements as
    /// text) and `binlog_row_image=MINIMAL`/`NOBLOB` (columns left out of the images). Each stops
    /// exactly the table it wrote, with a line naming the setting; the others arrive exact, and a
    /// resnapshot brings the stopped tables back.
    @Suite struct SessionSettingsTests {
        typealias Exact = SchemaChangeTests

        /// The measured bugs: a STATEMENT-logged INSERT was dropped (staging one row short, run
        /// exit 0); a MINIMAL update sent every unchanged column as NULL; NOBLOB sent the text NULL.
        @Test func sessionsThatLogLessStopTheirTableAlone() async throws {
            let database = try await TestDatabase.create()
            defer { Task { await database.drop() } }
            let warehouse = try await TestWarehouse.create()
            for table in ["stmt", "minimal", "noblob", "fine"] {
                try await database.execute("CREATE TABLE \(table) (id INT PRIMARY KEY, v INT, body TEXT)")
                try await database.execute("INSERT INTO \(table) SELECT seq, seq, CONCAT('text ', seq) FROM seq_1_to_20")
            }
            try Exact.run(database, warehouse)   // the snapshot

            try await database.execute("SET SESSION binlog_format = 'STATEMENT'")
            try await database.execute("INSERT INTO stmt VALUES (21, 21, 'by statement')")
            try await database.execute("SET SESSION binlog_format = 'ROW'")
            try await database.execute("SET SESSION binlog_row_image = 'MINIMAL'")
            try await database.execute("UPDATE minimal SET v = -1 WHERE id = 3")
            try await database.execute("SET SESSION binlog_row_image = 'NOBLOB'")
            try await database.execute("UPDATE noblob SET v = -1 WHERE id = 4")
            try await database.execute("SET SESSION binlog_row_image = 'FULL'")
            try await database.execute("UPDATE fine SET v = -1, body = 'changed' WHERE id = 5")
            try await database.execute("DELETE FROM fine WHERE id = 6")

            let stopped = try runSluice(["run"] + Exact.arguments(database.name), environment: warehouse.environment)
            #expect(stopped.status == 1, "\(stopped.standardError)")
            let lines = stopped.standardError.split(separator: "\n").filter { $0.contains("stopped at binlog") }
            func line(_ table: String) -> String { lines.first { $0.contains("\(database.name).\(table) stopped") }.map(String.init) ?? "" }
            #expect(line("stmt").contains("a row statement (INSERT) reached the binlog as text") && line("stmt").contains("binlog_format")
                    && line("stmt").contains("--resnapshot stmt"), "\(stopped.standardError)")
            #expect(line("minimal").contains("leaves out column v ") && line("minimal").contains("binlog_row_image")
                    && line("minimal").contains("--resnapshot minimal"), "\(stopped.standardError)")
            #expect(line("noblob").contains("leaves out column body") && line("noblob").contains("--resnapshot noblob"),
                    "\(stopped.standardError)")
            #expect(line("fine").isEmpty, "\(stopped.standardError)")
            let fine = try await StagingMirror.difference(database.admin, database: database.name, table: "fine", warehouse: warehouse)
            #expect(fine == nil, "\(fine ?? "")")

            // Until resnapshotted, the stopped tables stay stopped (a restart does not send on).
            let again = try runSluice(["run"] + Exact.arguments(database.name), environment: warehouse.environment)
            #expect(again.status == 1, "\(again.standardError)")
            let resnapshot = try runSluice(["extract", "--resnapshot", "stmt,minimal,noblob"] + Exact.arguments(database.name).dropLast(2),
                                           environment: warehouse.environment)
            #expect(resnapshot.status == 0, "\(resnapshot.standardError)")
            try await database.execute("UPDATE minimal SET body = 'after' WHERE id = 7")
            try Exact.run(database, warehouse)
            try await Exact.expectExact(database, warehouse, tables: ["stmt", "minimal", "noblob", "fine"])
        }
    }
}
