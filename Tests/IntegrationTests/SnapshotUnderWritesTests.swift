import Foundation
import MySQL
import Pipeline
import SluiceTestSupport
import Testing

extension PipelineIntegration {
    /// A 200,000-row table snapshotted while a writer inserts, updates and deletes rows in
    /// chunks already read and chunks not read yet, with no lock anywhere: staging ends equal
    /// to MySQL value by value, and verify passes.
    @Suite struct SnapshotUnderWritesTests {
        /// The watermark table, as an administrator sets it up once (the account Sluice uses may not create tables).
        static func createWatermarkTable(_ database: TestDatabase) async throws {
            try await database.execute("CREATE TABLE sluice_watermarks (snapshot_table VARCHAR(64) NOT NULL PRIMARY KEY, kind VARCHAR(4) NOT NULL, mark CHAR(36) NOT NULL)")
            try await database.execute("GRANT INSERT, UPDATE ON \(database.name).sluice_watermarks TO 'sluice'@'127.0.0.1'")
        }

        /// `transaction`: MariaDB's lock-free consistent reads; `watermark`: DBLog's marks (what MySQL gets),
        /// with one reader, and with two reading chunks of the same table at once.
        @Test(arguments: [("transaction", 1), ("watermark", 1), ("watermark", 2)])
        func snapshotUnderConcurrentWritesEndsExact(mode: String, parallelism: Int) async throws {
            let rows = 200_000
            let database = try await TestDatabase.create()
            defer { Task { await database.drop() } }
            try await database.execute("CREATE TABLE big (id INT PRIMARY KEY, v INT NOT NULL, s VARCHAR(20))")
            try await database.execute("INSERT INTO big SELECT seq, seq * 7, CONCAT('row-', seq) FROM seq_1_to_\(rows)")
            if mode == "watermark" { try await Self.createWatermarkTable(database) }
            let warehouse = try await TestWarehouse.create()
            let prefix = database.name
            let arguments = ["--topic-prefix", prefix, "--lake-root", "\(prefix)/raw", "--mysql-database", database.name]

            let run = try BackgroundSluice(["run", "--snapshot-mode", mode, "--snapshot-parallelism", "\(parallelism)"] + arguments, environment: warehouse.environment)
            defer { run.signal(SIGKILL) }
            // The writer: single rows and ranges, spread over the whole key space, until the run ends.
            var generator = SystemRandomNumberGenerator()
            var statements = 0, inserted = 0
            while run.process.isRunning || statements < 200 {
                let id = Int.random(in: 1...rows, using: &generator)
                switch statements % 5 {
                case 0: try await database.execute("UPDATE big SET v = v + 1, s = 'updated' WHERE id = \(id)")
                case 1: try await database.execute("DELETE FROM big WHERE id = \(id)")
                case 2:
                    inserted += 1
                    try await database.execute("INSERT INTO big VALUES (\(rows + inserted), \(inserted), NULL)")
                case 3: try await database.execute("UPDATE big SET v = -v WHERE id BETWEEN \(id) AND \(id + 500)")
                default: try await database.execute("REPLACE INTO big VALUES (\(id), 0, 'replaced')")
                }
                statements += 1
                if statements >= 5_000 { break }
            }
            #expect(run.wait(seconds: 600) == 0, "\(run.standardError)")
            #expect(statements >= 200)
            // What was written after the run's start position arrives with one more run.
            let again = try runSluice(["run"] + arguments, environment: warehouse.environment)
            #expect(again.status == 0, "\(again.standardError)")

            let verify = try runSluice(["verify", "--no-lake"] + arguments, environment: warehouse.environment)
            #expect(verify.status == 0, "\(verify.standardOutput)\(verify.standardError)")
            let mysql = try await MySQLConnection.connect(try TestStack.mysqlAdmin(database: database.name))
            let difference = try await StagingMirror.difference(mysql, database: database.name, table: "big", warehouse: warehouse)
            #expect(difference == nil, "\(difference ?? "")")
            if mode == "watermark" {
                let marks = try await database.admin.query("SELECT COUNT(*) FROM \(database.name).sluice_watermarks").scalar
                #expect(marks == "1", "one row per table snapshotted with watermarks")
                #expect(!(try readTopic("\(prefix)._schemas").contains { $0.json?["table"] == .string("sluice_watermarks") }),
                        "the watermark table must not be captured")
            }
        }

        /// The measured bug: a table without a key written while another table's snapshot ran got
        /// those rows twice (its binlog events and its snapshot both held them), and with
        /// watermarks a change to one of two identical rows between the marks dropped both copies
        /// from the chunk. Now its one chunk is a consistent read and only later changes are sent.
        @Test(arguments: ["transaction", "watermark"])
        func keylessTableWrittenDuringAnotherSnapshotArrivesOnce(mode: String) async throws {
            let database = try await TestDatabase.create()
            defer { Task { await database.drop() } }
            try await database.execute("CREATE TABLE a_big (id INT PRIMARY KEY, v INT NOT NULL)")
            try await database.execute("INSERT INTO a_big SELECT seq, seq FROM seq_1_to_100000")
            try await database.execute("CREATE TABLE z_bag (k INT, n INT, s VARCHAR(8))")
            try await database.execute("INSERT INTO z_bag SELECT seq % 10, seq % 3, 'dup' FROM seq_1_to_100")
            if mode == "watermark" { try await Self.createWatermarkTable(database) }
            let warehouse = try await TestWarehouse.create()
            let prefix = database.name
            let arguments = ["--topic-prefix", prefix, "--lake-root", "\(prefix)/raw", "--mysql-database", database.name]
            let run = try BackgroundSluice(["run", "--snapshot-mode", mode] + arguments, environment: warehouse.environment)
            defer { run.signal(SIGKILL) }
            // Inserts of copies, one of two identical rows changed or deleted, until the run ends.
            var statements = 0
            while (run.process.isRunning || statements < 40) && statements < 3_000 {
                let k = statements % 10
                switch statements % 3 {
                case 0: try await database.execute("INSERT INTO z_bag VALUES (\(k), \(statements % 3), 'dup')")
                case 1: try await database.execute("UPDATE z_bag SET n = n + 1 WHERE k = \(k) LIMIT 1")
                default: try await database.execute("DELETE FROM z_bag WHERE k = \(k) LIMIT 1")
                }
                statements += 1
            }
            #expect(run.wait(seconds: 600) == 0, "\(run.standardError)")
            let again = try runSluice(["run"] + arguments, environment: warehouse.environment)
            #expect(again.status == 0, "\(again.standardError)")
            try await SchemaChangeTests.expectExact(database, warehouse, tables: ["z_bag", "a_big"])
        }
    }
}
