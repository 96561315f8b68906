import Foundation
import Kafka
import Pipeline
import SluiceSupport
import SluiceTestSupport
import Testing

extension PipelineIntegration {
    /// Every kind of DDL, through snapshots, CDC and restarts: each test ends with `sluice verify`
    /// all ✓ and staging equal to MySQL value by value.
    @Suite struct SchemaChangeTests {
        static func arguments(_ database: String) -> [String] {
            ["--mysql-database", database, "--topic-prefix", database, "--lake-root", "\(database)/raw"]
        }

        /// `sluice run` to the end; expects success.
        static func run(_ database: TestDatabase, _ warehouse: TestWarehouse, _ extra: [String] = [],
                        sourceLocation: SourceLocation = #_sourceLocation) throws {
            let result = try runSluice(["run"] + arguments(database.name) + extra, environment: warehouse.environment)
            #expect(result.status == 0, "run: \(result.standardError)", sourceLocation: sourceLocation)
        }

        /// `sluice verify` all ✓, and every listed table in staging equal to MySQL.
        static func expectExact(_ database: TestDatabase, _ warehouse: TestWarehouse, tables: [String],
                                sourceLocation: SourceLocation = #_sourceLocation) async throws {
            let verify = try runSluice(["verify", "--mysql-database", database.name, "--topic-prefix", database.name,
                                        "--lake-root", "\(database.name)/raw"], environment: warehouse.environment)
            #expect(verify.status == 0, "verify: \(verify.standardOutput)\(verify.standardError)", sourceLocation: sourceLocation)
            #expect(verify.standardOutput.contains("verify: ✓ all"), "\(verify.standardOutput)", sourceLocation: sourceLocation)
            for table in tables {
                let difference = try await StagingMirror.difference(database.admin, database: database.name, table: table, warehouse: warehouse)
                #expect(difference == nil, "\(difference ?? "")", sourceLocation: sourceLocation)
            }
        }

        /// The measured bug: rows written before two ALTERs, read after a restart from a checkpoint
        /// taken before them, were decoded with the later definition (a text value shifted into a
        /// DECIMAL, an INT widened in MySQL overflowed staging). Now each row is read as written.
        @Test func restartBeforeTwoAltersReadsOlderRowsAsWritten() async throws {
            let database = try await TestDatabase.create()
            defer { Task { await database.drop() } }
            let warehouse = try await TestWarehouse.create()
            try await database.execute("""
                CREATE TABLE t1 (id INT PRIMARY KEY, a VARCHAR(10), c DECIMAL(12,3), n INT, ch CHAR(4), b BINARY(3))
                """)
            try await database.execute("INSERT INTO t1 VALUES (1, 'one', 1.5, 10, 'x ', 'a'), (2, 'two', 2.25, 20, 'yy', 'bb')")
            try Self.run(database, warehouse)
            try await Self.expectExact(database, warehouse, tables: ["t1"])

            // Sluice is down: changes, then two ALTERs with changes between and after them.
            try await database.execute("INSERT INTO t1 VALUES (3, 'four', 4.0, 30, 'z', 'c')")
            try await database.execute("UPDATE t1 SET a = 'ONE' WHERE id = 1")
            try await database.execute("ALTER TABLE t1 ADD COLUMN x VARCHAR(10) AFTER id")
            try await database.execute("INSERT INTO t1 VALUES (5, 'x5', 'five', 5.5, 50, 'w', 'd')")
            try await database.execute("ALTER TABLE t1 MODIFY n BIGINT")
            try await database.execute("INSERT INTO t1 VALUES (6, 'x6', 'six', 6.5, 5000000000, 'v', 'e')")
            try await database.execute("DELETE FROM t1 WHERE id = 2")
            try Self.run(database, warehouse)
            try await Self.expectExact(database, warehouse, tables: ["t1"])

            // The rows logged before the first ALTER went out with the first definition, values in place.
            let events = try readTopic("\(database.name).t1").compactMap(\.json)
            let insert = try #require(events.first { $0["op"] == .string("c") && $0["after"]?["id"] == .number("3") })
            #expect(insert["schema_version"] == .number("1"))
            #expect(insert["after"]?["a"] == .string("four") && insert["after"]?["c"] == .string("4.000"))
            #expect(insert["after"]?["x"] == nil)
            let update = try #require(events.first { $0["op"] == .string("u") && $0["after"]?["id"] == .number("1") })
            #expect(update["after"]?["a"] == .string("ONE") && update["schema_version"] == .number("1"))
            #expect(try await warehouse.scalar("SELECT n FROM staging.t1 WHERE id = 6") == "5000000000")
        }

        /// Every kind of DDL, with data changes between them (run in order).
        static let ddlSteps = [
            "ALTER TABLE t ADD COLUMN last_col VARCHAR(5)",                            // follow: reads NULL everywhere
            "UPDATE t SET last_col = 'L' WHERE id = 1",
            "ALTER TABLE t ADD COLUMN first_col INT NOT NULL DEFAULT 9 FIRST",          // snapshot: existing rows got 9
            "ALTER TABLE t DROP COLUMN a",                                             // follow
            "ALTER TABLE t MODIFY n BIGINT, MODIFY s VARCHAR(50), MODIFY c DECIMAL(14,3)",  // follow: widened
            "INSERT INTO t (id, k, s, n, c) VALUES (4, 14, 'a longer text than before', 9000000000, 12345678901.125)",
            "ALTER TABLE t MODIFY k VARCHAR(20)",                                      // snapshot: another kind
            "ALTER TABLE t MODIFY s VARCHAR(30)",                                      // snapshot: narrowed
            "ALTER TABLE t RENAME COLUMN last_col TO tail",                            // snapshot: renamed
            "ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (id, k)",                 // snapshot: new key
            "UPDATE t SET tail = 'T' WHERE id = 2",
            "CREATE TABLE fresh (id INT PRIMARY KEY, v VARCHAR(5))",
            "INSERT INTO fresh VALUES (1, 'new')",
            "CREATE TABLE doomed (id INT PRIMARY KEY)",
            "INSERT INTO doomed VALUES (1), (2)",
            "DROP TABLE doomed",
            "CREATE TABLE t_old LIKE t",
            "INSERT INTO t_old SELECT * FROM t",
            "RENAME TABLE t_old TO t_renamed",
            "TRUNCATE TABLE payments",
            "INSERT INTO payments VALUES (103, 'AFTER-TRUNCATE', '2024-03-01', 10.01)",
        ]

        /// The sample tables (so the star exists) and `t`, loaded once.
        static func ddlDatabase(_ warehouse: TestWarehouse) async throws -> TestDatabase {
            let database = try await TestDatabase.create(copying: LoadStagingTests.tables)
            try await database.execute("CREATE TABLE t (id INT PRIMARY KEY, k INT NOT NULL, a VARCHAR(10), s VARCHAR(10), n INT, c DECIMAL(12,3))")
            try await database.execute("INSERT INTO t VALUES (1, 11, 'a1', 's1', 100, 1.5), (2, 12, 'a2', 's2', 200, 2.5), (3, 13, NULL, NULL, NULL, NULL)")
            return database
        }

        /// After the steps: exact everywhere, dropped tables empty in staging, the truncate in the star.
        static func expectAfterDDLSteps(_ database: TestDatabase, _ warehouse: TestWarehouse,
                                        sourceLocation: SourceLocation = #_sourceLocation) async throws {
            try await expectExact(database, warehouse, tables: ["t", "fresh", "t_renamed", "payments", "customers"], sourceLocation: sourceLocation)
            // A table created and dropped: empty in staging, or never there if Sluice was down throughout.
            if try await warehouse.scalar("SELECT to_regclass('staging.doomed') IS NOT NULL") == "true" {
                #expect(try await warehouse.scalar("SELECT count(*) FROM staging.doomed") == "0", sourceLocation: sourceLocation)
            }
            #expect(try await warehouse.scalar("SELECT count(*) || ' ' || sum(amount) FROM mart.fact_payment") == "1 10.01",
                    sourceLocation: sourceLocation)
        }

        /// Each kind of DDL while `run --follow` keeps up, then a restart: followed in place where
        /// values are kept, the table snapshotted again where they may not be, drops and truncates
        /// reaching the warehouse (the star included), new tables snapshotted on their own.
        @Test func everyKindOfDDLUnderFollow() async throws {
            let warehouse = try await TestWarehouse.create()
            let database = try await Self.ddlDatabase(warehouse)
            defer { Task { await database.drop() } }
            let follow = try BackgroundSluice(["run", "--follow"] + Self.arguments(database.name), environment: warehouse.environment)
            defer { follow.signal(SIGKILL) }
            let loaded = await eventually(within: 120) {
                (try? await warehouse.scalar("SELECT count(*) FROM mart.fact_payment")) == "273"
            }
            #expect(loaded, "the first run did not load: \(follow.standardError)")
            for step in Self.ddlSteps {
                try await database.execute(step)
                try await Task.sleep(for: .milliseconds(700))
            }
            let settled = await eventually(within: 90) {
                let payments = try? await warehouse.scalar("SELECT count(*) FROM mart.fact_payment")
                let fresh = try? await warehouse.scalar("SELECT count(*) FROM staging.fresh")
                let tail = try? await warehouse.scalar("SELECT count(*) FROM staging.t WHERE tail = 'T'")
                return payments == "1" && fresh == "1" && tail == "1"
            }
            #expect(settled, "changes did not reach the warehouse: \(follow.standardError)")
            follow.signal(SIGTERM)
            #expect(follow.wait(seconds: 60) == 0, "\(follow.standardError)")
            #expect(!follow.standardError.contains("stopped at binlog"), "\(follow.standardError)")
            // What was followed in place and what was snapshotted again, as the log says.
            for note in ["column last_col added", "column a dropped", "widened from int(11) to bigint(20)",
                         "snapshot from binlog", "was truncated", "was dropped"] {
                #expect(follow.standardError.contains(note), "no '\(note)' in: \(follow.standardError)")
            }
            try Self.run(database, warehouse)
            try await Self.expectAfterDDLSteps(database, warehouse)
        }

        /// The same DDL while Sluice is down: the next run starts from a checkpoint taken before
        /// all of it, reads every row with the definition it was written with, and ends exact.
        @Test func everyKindOfDDLWhileDown() async throws {
            let warehouse = try await TestWarehouse.create()
            let database = try await Self.ddlDatabase(warehouse)
            defer { Task { await database.drop() } }
            try Self.run(database, warehouse)
            for step in Self.ddlSteps { try await database.execute(step) }
            try Self.run(database, warehouse)
            try await Self.expectAfterDDLSteps(database, warehouse)
        }

        /// A table Sluice cannot carry (a column named like one of Sluice's) stops alone: the others load, `status` and `verify` name it
        /// with what to run, and after the fix `extract --resnapshot` brings it back.
        @Test func aStoppedTableDoesNotStopTheOthers() async throws {
            let database = try await TestDatabase.create()
            defer { Task { await database.drop() } }
            let warehouse = try await TestWarehouse.create()
            try await database.execute("CREATE TABLE good (id INT PRIMARY KEY, v VARCHAR(5))")
            // A column named like one Sluice adds in the lake (every MariaDB type maps now).
            try await database.execute("CREATE TABLE odd (id INT PRIMARY KEY, _op INT, v VARCHAR(5))")
            try await database.execute("INSERT INTO good VALUES (1, 'a')")
            try await database.execute("INSERT INTO odd VALUES (1, 2, 'x')")
            let first = try runSluice(["run"] + Self.arguments(database.name), environment: warehouse.environment)
            #expect(first.status == 1, "\(first.standardError)")
            let line = first.standardError.split(separator: "\n").first { $0.contains("stopped at binlog") }
            #expect(line?.contains("\(database.name).odd") == true && line?.contains("odd._op") == true, "\(first.standardError)")
            #expect(try await warehouse.scalar("SELECT v FROM staging.good") == "a")

            let status = try runSluice(["status", "--topic-prefix", database.name, "--lake-root", "\(database.name)/raw"],
                                       environment: warehouse.environment)
            #expect(status.status == 1)
            #expect(status.standardOutput.contains("✗ table \(database.name).odd stopped"), "\(status.standardOutput)")
            let verify = try runSluice(["verify", "--mysql-database", database.name, "--topic-prefix", database.name,
                                        "--lake-root", "\(database.name)/raw"], environment: warehouse.environment)
            #expect(verify.status == 1)
            #expect(verify.standardOutput.contains("extract stopped"), "\(verify.standardOutput)")

            try await database.execute("ALTER TABLE odd DROP COLUMN _op")
            try await database.execute("INSERT INTO good VALUES (2, 'b')")
            let resnapshot = try runSluice(["extract", "--resnapshot", "odd", "--mysql-database", database.name,
                                            "--topic-prefix", database.name])
            #expect(resnapshot.status == 0, "\(resnapshot.standardError)")
            try Self.run(database, warehouse)
            try await Self.expectExact(database, warehouse, tables: ["good", "odd"])
        }

        /// DROP DATABASE and a new database of the same name, while Sluice is down: the old rows
        /// leave the warehouse, the new tables are snapshotted.
        @Test func dropDatabaseAndCreateItAgain() async throws {
            let database = try await TestDatabase.create()
            defer { Task { await database.drop() } }
            let warehouse = try await TestWarehouse.create()
            let name = database.name
            try await database.execute("CREATE TABLE items (id INT PRIMARY KEY, label VARCHAR(10))")
            try await database.execute("INSERT INTO items VALUES (1, 'old'), (2, 'old'), (3, 'old')")
            try Self.run(database, warehouse)
            try await Self.expectExact(database, warehouse, tables: ["items"])

            try await database.admin.execute("DROP DATABASE \(name)")
            try await database.admin.execute("CREATE DATABASE \(name) CHARACTER SET latin1")
            try await database.admin.execute("CREATE TABLE \(name).items (id INT PRIMARY KEY, label VARCHAR(20), extra INT)")
            try await database.admin.execute("INSERT INTO \(name).items VALUES (2, 'new', 20), (9, 'new', 90)")
            try Self.run(database, warehouse)
            try await Self.expectExact(database, warehouse, tables: ["items"])
        }

        /// DDL naming other databases (qualified, or after `USE other`) changes nothing here;
        /// a run with `--tables` moves only those tables' positions, so nothing is skipped.
        @Test func otherDatabasesAndTableSubsets() async throws {
            let database = try await TestDatabase.create()
            defer { Task { await database.drop() } }
            let other = try await TestDatabase.create()
            defer { Task { await other.drop() } }
            let warehouse = try await TestWarehouse.create()
            for db in [database, other] {
                try await db.execute("CREATE TABLE t1 (id INT PRIMARY KEY, v VARCHAR(10))")
                try await db.execute("CREATE TABLE t2 (id INT PRIMARY KEY, v VARCHAR(10))")
                try await db.execute("INSERT INTO t1 VALUES (1, 'a')")
                try await db.execute("INSERT INTO t2 VALUES (1, 'a')")
            }
            try Self.run(database, warehouse)

            // The same table names in another database: altered, dropped, qualified or not.
            try await other.execute("ALTER TABLE t1 ADD COLUMN z INT")       // default database: other
            try await other.execute("DROP TABLE t2")
            try await database.execute("DROP TABLE \(other.name).t1")          // default database: ours
            try await database.execute("INSERT INTO t1 VALUES (2, 'b')")
            try await database.execute("UPDATE t2 SET v = 'changed' WHERE id = 1")
            // Only t1: t2's change must wait for its own run, not be skipped.
            try Self.run(database, warehouse, ["--tables", "t1"])
            #expect(try await warehouse.scalar("SELECT v FROM staging.t2 WHERE id = 1") == "a")
            try await database.execute("INSERT INTO t2 VALUES (2, 'later')")
            try Self.run(database, warehouse)
            try await Self.expectExact(database, warehouse, tables: ["t1", "t2"])
        }

        /// CHAR and BINARY, as key columns too: the snapshot and the binlog give the same values and
        /// the same Kafka keys (CHAR without trailing spaces, BINARY with its 0x00 padding).
        @Test func fixedWidthKeysAreTheSameOnBothPaths() async throws {
            let database = try await TestDatabase.create()
            defer { Task { await database.drop() } }
            let warehouse = try await TestWarehouse.create()
            try await database.execute("CREATE TABLE codes (c CHAR(5), b BINARY(3), v INT, note CHAR(8) CHARACTER SET utf8mb4, PRIMARY KEY (c, b))")
            try await database.execute("INSERT INTO codes VALUES ('ab  ', 'x', 1, 'é  '), ('a', 'y\\0', 2, ''), ('abc', 'zzz', 3, NULL)")
            try Self.run(database, warehouse)
            try await database.execute("UPDATE codes SET v = v + 10, note = 'ü ' WHERE c = 'ab'")
            try await database.execute("INSERT INTO codes VALUES ('q ', 'q', 4, 'q ')")
            try Self.run(database, warehouse)
            try await Self.expectExact(database, warehouse, tables: ["codes"])

            let messages = try readTopic("\(database.name).codes").filter { $0.value != nil }
            let snapshotKey = try #require(messages.first { $0.json?["op"] == .string("r") && $0.json?["after"]?["v"] == .number("1") })
            let updateKey = try #require(messages.first { $0.json?["op"] == .string("u") && $0.json?["after"]?["v"] == .number("11") })
            #expect(snapshotKey.keyText == updateKey.keyText, "the same row has two Kafka keys")
            #expect(updateKey.keyText == #"{"c":"ab","b":"eAAA"}"#)
            #expect(try await warehouse.scalar("SELECT count(*) FROM staging.codes") == "4")
        }
    }
}

