import Foundation
import Kafka
import Pipeline
import SluiceSupport
import SluiceTestSupport
import Testing

extension PipelineIntegration {
    /// What a legacy schema and a busy server do that a fresh one does not: partition maintenance,
    /// names that meet Sluice's own, a second pipeline on the same server, statements that look
    /// like DDL and change nothing. Each ends with `verify` ✓ and staging equal to MySQL.
    @Suite struct LegacySchemaTests {
        typealias Exact = SchemaChangeTests

        /// A database made by `statements` with a table `fine` and one that must stop: `run` exits
        /// 1 with a line holding each of `saying`, and `fine` arrives equal to MySQL.
        static func expectStopsAlone(_ statements: [String], saying: [String],
                                     sourceLocation: SourceLocation = #_sourceLocation) async throws {
            let database = try await TestDatabase.create()
            defer { Task { await database.drop() } }
            let warehouse = try await TestWarehouse.create()
            for statement in statements { try await database.execute(statement) }
            let result = try runSluice(["run"] + Exact.arguments(database.name), environment: warehouse.environment)
            #expect(result.status == 1, sourceLocation: sourceLocation)
            for text in saying { #expect(result.standardError.contains(text), "\(result.standardError)", sourceLocation: sourceLocation) }
            let difference = try await StagingMirror.difference(database.admin, database: database.name, table: "fine", warehouse: warehouse)
            #expect(difference == nil, "\(difference ?? "")", sourceLocation: sourceLocation)
        }

        /// The measured bug: `TRUNCATE PARTITION` and `DROP PARTITION` (and `EXCHANGE`, `CONVERT`)
        /// remove or move rows without row events, and staging kept them. Now each re-snapshots the
        /// tables whose rows it changed; statements that only rearrange partitions change nothing.
        @Test func partitionStatementsKeepStagingExact() async throws {
            let database = try await TestDatabase.create()
            defer { Task { await database.drop() } }
            let warehouse = try await TestWarehouse.create()
            try await database.execute("""
                CREATE TABLE parts (id INT PRIMARY KEY, v VARCHAR(10)) PARTITION BY RANGE (id) (
                  PARTITION p0 VALUES LESS THAN (100), PARTITION p1 VALUES LESS THAN (200),
                  PARTITION p2 VALUES LESS THAN (300), PARTITION p3 VALUES LESS THAN MAXVALUE)
                """)
            try await database.execute("INSERT INTO parts SELECT seq, CONCAT('v', seq) FROM seq_1_to_399")
            try await database.execute("CREATE TABLE swap (id INT PRIMARY KEY, v VARCHAR(10))")
            try await database.execute("INSERT INTO swap SELECT seq, 'swapped' FROM seq_250_to_260")
            try await database.execute("CREATE TABLE bag (k INT, v INT) PARTITION BY HASH (k) PARTITIONS 4")
            try await database.execute("INSERT INTO bag SELECT seq % 7, seq % 3 FROM seq_1_to_60")
            try await database.execute("""
                CREATE TABLE r2 (id INT PRIMARY KEY) PARTITION BY RANGE (id) (PARTITION a VALUES LESS THAN (10), PARTITION b VALUES LESS THAN (20))
                """)
            try await database.execute("INSERT INTO r2 SELECT seq FROM seq_1_to_19")
            try Exact.run(database, warehouse)
            try await Exact.expectExact(database, warehouse, tables: ["parts", "swap", "bag", "r2"])

            try await database.execute("ALTER TABLE parts TRUNCATE PARTITION p0")
            try await database.execute("ALTER TABLE parts DROP PARTITION p1")
            try await database.execute("UPDATE parts SET v = 'after' WHERE id = 350")
            try Exact.run(database, warehouse)
            try await Exact.expectExact(database, warehouse, tables: ["parts"])
            #expect(try await warehouse.scalar("SELECT count(*) FROM staging.parts") == "200")

            try await database.execute("ALTER TABLE parts EXCHANGE PARTITION p2 WITH TABLE swap")
            try Exact.run(database, warehouse)
            try await Exact.expectExact(database, warehouse, tables: ["parts", "swap"])
            #expect(try await warehouse.scalar("SELECT count(*) FROM staging.swap") == "100")

            try await database.execute("ALTER TABLE r2 CONVERT PARTITION b TO TABLE r2b")
            try Exact.run(database, warehouse)
            try await Exact.expectExact(database, warehouse, tables: ["r2", "r2b"])
            try await database.execute("ALTER TABLE r2 CONVERT TABLE r2b TO PARTITION b VALUES LESS THAN (20)")
            try Exact.run(database, warehouse)
            try await Exact.expectExact(database, warehouse, tables: ["r2"])
            #expect(try await warehouse.scalar("SELECT count(*) FROM staging.r2") == "19")

            // Statements that move rows between partitions of one table, or only check them: no row
            // changes, so no new snapshot either.
            let rearranging = [
                "ALTER TABLE parts REORGANIZE PARTITION p3 INTO (PARTITION p3a VALUES LESS THAN (380), PARTITION p3b VALUES LESS THAN MAXVALUE)",
                "ALTER TABLE bag COALESCE PARTITION 2", "ALTER TABLE bag ADD PARTITION PARTITIONS 3",
                "ALTER TABLE parts REBUILD PARTITION p3a", "ALTER TABLE parts OPTIMIZE PARTITION p3b",
                "ALTER TABLE parts ANALYZE PARTITION p2", "ALTER TABLE parts CHECK PARTITION ALL", "ALTER TABLE parts REPAIR PARTITION p2",
                "ALTER TABLE bag REMOVE PARTITIONING", "ALTER TABLE bag PARTITION BY KEY (k) PARTITIONS 2",
            ]
            for statement in rearranging { try await database.execute(statement) }
            try await database.execute("INSERT INTO bag VALUES (1, 1), (1, 1)")
            let result = try runSluice(["run"] + Exact.arguments(database.name), environment: warehouse.environment)
            #expect(result.status == 0, "\(result.standardError)")
            #expect(!result.standardError.contains("snapshot from binlog"), "\(result.standardError)")
            try await Exact.expectExact(database, warehouse, tables: ["parts", "swap", "bag", "r2"])
        }

        /// The measured bug: a table with no rows got no staging table, and `ADD COLUMN` with no
        /// later row change left staging without the column. Staging now follows the schema
        /// version: the snapshot's `t` and an ALTER's `s` marker shape it before any row does.
        @Test func stagingFollowsTheSchemaVersionNotTheRows() async throws {
            let database = try await TestDatabase.create()
            defer { Task { await database.drop() } }
            let warehouse = try await TestWarehouse.create()
            try await database.execute("CREATE TABLE empty (id INT PRIMARY KEY, amount DECIMAL(12,2))")
            try await database.execute("CREATE TABLE bare (a INT, b VARCHAR(5))")
            try await database.execute("CREATE TABLE busy (id INT PRIMARY KEY, v INT)")
            try await database.execute("INSERT INTO busy SELECT seq, seq FROM seq_1_to_40")
            try Exact.run(database, warehouse)
            try await Exact.expectExact(database, warehouse, tables: ["empty", "bare", "busy"])

            // CDC: columns added, dropped and a table created, with no row changed afterwards.
            try await database.execute("ALTER TABLE busy ADD COLUMN note VARCHAR(20) NULL")
            try await database.execute("ALTER TABLE empty ADD COLUMN added_at DATETIME NULL, DROP COLUMN amount")
            try await database.execute("ALTER TABLE bare ADD COLUMN c INT NULL")
            try await database.execute("CREATE TABLE later (id INT PRIMARY KEY, label VARCHAR(8))")
            try Exact.run(database, warehouse)
            try await Exact.expectExact(database, warehouse, tables: ["empty", "bare", "busy", "later"])

            // Rows after the change use the new column; a rerun from the checkpoints changes nothing.
            try await database.execute("UPDATE busy SET note = 'n' WHERE id = 3")
            try await database.execute("INSERT INTO bare VALUES (1, 'x', 2), (1, 'x', 2)")
            try Exact.run(database, warehouse)
            try Exact.run(database, warehouse)
            try await Exact.expectExact(database, warehouse, tables: ["empty", "bare", "busy", "later"])
        }

        /// The measured bug: a table without a key with a column named `n` could not be loaded
        /// (load's helper column of that name made it ambiguous). Columns named like any helper work.
        @Test func columnsNamedLikeLoadsHelpersLoad() async throws {
            let database = try await TestDatabase.create()
            defer { Task { await database.drop() } }
            let warehouse = try await TestWarehouse.create()
            let columns = "n INT, row_id INT, _n INT, gone INT, s VARCHAR(5), d INT, i INT, a INT, t INT, l INT"
            try await database.execute("CREATE TABLE helpers (\(columns))")
            try await database.execute("CREATE TABLE keyed (id INT PRIMARY KEY, \(columns))")
            for table in ["helpers", "keyed"] {
                let id = table == "keyed" ? "seq, " : ""
                try await database.execute("INSERT INTO \(table) SELECT \(id)seq % 3, seq % 2, 1, 2, 'x', 3, 4, 5, 6, 7 FROM seq_1_to_12")
            }
            try Exact.run(database, warehouse)
            try await Exact.expectExact(database, warehouse, tables: ["helpers", "keyed"])
            try await database.execute("DELETE FROM helpers WHERE n = 1 LIMIT 1")
            try await database.execute("UPDATE helpers SET s = 'y' WHERE n = 2 LIMIT 1")
            try await database.execute("INSERT INTO helpers VALUES (0, 0, 1, 2, 'x', 3, 4, 5, 6, 7)")
            try await database.execute("DELETE FROM keyed WHERE n = 1")
            try await database.execute("UPDATE keyed SET s = 'y', n = 9 WHERE id < 4")
            try Exact.run(database, warehouse)
            try await Exact.expectExact(database, warehouse, tables: ["helpers", "keyed"])

            // A column named like one Sluice adds (here the lake's `_op`) stops its table alone, saying which.
            try await Self.expectStopsAlone(["CREATE TABLE clash (id INT PRIMARY KEY, _op INT)", "INSERT INTO clash VALUES (1, 1)",
                                             "CREATE TABLE fine (id INT PRIMARY KEY, _id INT, _source INT)", "INSERT INTO fine VALUES (1, 2, 3)"],
                                            saying: [".clash._op has the name of a column Sluice adds"])
        }

        /// The measured bug: zero dates were handled four ways (NULL, a stop at land, a failure at
        /// load, a NULL key). Now one policy on both paths: a date with no calendar day (zero date,
        /// zero month or day, year 0) arrives as NULL; in a primary key its table stops at extract.
        @Test func zeroDatesFollowOnePolicyOnBothPaths() async throws {
            let database = try await TestDatabase.create()
            defer { Task { await database.drop() } }
            let warehouse = try await TestWarehouse.create()
            try await database.execute("SET SESSION sql_mode = ''")   // as legacy servers run
            try await database.execute("CREATE TABLE zd (id INT PRIMARY KEY, d DATE, dt DATETIME, ts TIMESTAMP NULL)")
            func insert(from first: Int) async throws {
                try await database.execute("""
                    INSERT INTO zd VALUES (\(first), '0000-00-00', '0000-00-00 00:00:00', '0000-00-00 00:00:00'),
                      (\(first + 1), '2015-00-21', '0000-00-00 00:00:01', NULL), (\(first + 2), '0000-01-21', '2015-05-00 10:00:00', '2020-01-01 00:00:00'),
                      (\(first + 3), '2020-02-29', '2020-02-29 12:00:00.0', '2020-02-29 12:00:00')
                    """)
            }
            try await insert(from: 1)
            try Exact.run(database, warehouse)
            try await insert(from: 11)
            try await database.execute("UPDATE zd SET d = '2000-00-00' WHERE id = 4")
            try Exact.run(database, warehouse)
            try await Exact.expectExact(database, warehouse, tables: [])
            let staged = try await warehouse.rows("SELECT id, d::text, dt::text, (ts AT TIME ZONE 'UTC')::text FROM staging.zd ORDER BY id")
            let expected: [[String?]] = [1, 11].flatMap { first in [
                ["\(first)", nil, nil, nil], ["\(first + 1)", nil, nil, nil], ["\(first + 2)", nil, nil, "2020-01-01 00:00:00"],
                ["\(first + 3)", first == 1 ? nil : "2020-02-29", "2020-02-29 12:00:00", "2020-02-29 12:00:00"],
            ] }
            #expect(staged == expected)

            // A zero date in a primary key: that table alone stops, at extract, naming the column.
            try await Self.expectStopsAlone(["SET SESSION sql_mode = ''", "CREATE TABLE zk (d DATETIME PRIMARY KEY, v INT)",
                                             "INSERT INTO zk VALUES ('0000-00-00 00:00:00', 1), ('2020-01-01', 2)",
                                             "CREATE TABLE fine (id INT PRIMARY KEY)", "INSERT INTO fine VALUES (1)"],
                                            saying: ["zk stopped at binlog", "primary key column d holds a zero date"])
        }

        /// `--zero-dates stop`: the first date with no calendar day stops its table, on the snapshot
        /// (both snapshot modes) and on the binlog, with a line naming the column; the others arrive,
        /// and a resnapshot after the date is mended brings the table back exact.
        @Test func zeroDatesStopTheirTableWhenAskedTo() async throws {
            for mode in ["transaction", "watermark"] {
                let database = try await TestDatabase.create()
                defer { Task { await database.drop() } }
                let warehouse = try await TestWarehouse.create()
                try await database.execute("SET SESSION sql_mode = ''")
                try await database.execute("CREATE TABLE sluice_watermarks (snapshot_table VARCHAR(64) NOT NULL PRIMARY KEY, kind VARCHAR(4) NOT NULL, mark CHAR(36) NOT NULL)")
                try await database.execute("GRANT INSERT, UPDATE ON \(database.name).sluice_watermarks TO 'sluice'@'127.0.0.1'")
                try await database.execute("CREATE TABLE early (id INT PRIMARY KEY, d DATE)")
                try await database.execute("INSERT INTO early VALUES (1, '2020-01-01'), (2, '2015-00-21'), (3, '2021-03-04')")
                try await database.execute("CREATE TABLE later (id INT PRIMARY KEY, ts TIMESTAMP NULL, dt DATETIME)")
                try await database.execute("INSERT INTO later VALUES (1, '2020-01-01 00:00:00', '2020-01-01 10:00:00')")
                try await database.execute("CREATE TABLE fine (id INT PRIMARY KEY, d DATE)")
                try await database.execute("INSERT INTO fine VALUES (1, '1999-12-31')")
                let options = ["--zero-dates", "stop", "--snapshot-mode", mode]
                let first = try runSluice(["run"] + Exact.arguments(database.name) + options, environment: warehouse.environment)
                #expect(first.status == 1, "\(mode): \(first.standardError)")
                #expect(first.standardError.contains("early stopped at binlog") && first.standardError.contains("column d holds a zero date")
                        && first.standardError.contains("--resnapshot early"), "\(mode): \(first.standardError)")
                try await database.execute("INSERT INTO later VALUES (2, NULL, '0000-00-00 00:00:00'), (3, NULL, '2022-02-02 00:00:00')")
                try await database.execute("INSERT INTO fine VALUES (2, '2000-01-01')")
                let second = try runSluice(["run"] + Exact.arguments(database.name) + options, environment: warehouse.environment)
                #expect(second.status == 1, "\(mode): \(second.standardError)")
                #expect(second.standardError.contains("later stopped at binlog") && second.standardError.contains("column dt holds a zero date"),
                        "\(mode): \(second.standardError)")
                for table in ["fine"] {
                    let difference = try await StagingMirror.difference(database.admin, database: database.name, table: table, warehouse: warehouse)
                    #expect(difference == nil, "\(mode): \(difference ?? "")")
                }
                try await database.execute("UPDATE early SET d = '2015-01-21' WHERE id = 2")
                try await database.execute("UPDATE later SET dt = '2000-01-01 00:00:00' WHERE id = 2")
                let resnapshot = try runSluice(["extract", "--resnapshot", "early,later"] + Exact.arguments(database.name).dropLast(2) + options,
                                               environment: warehouse.environment)
                #expect(resnapshot.status == 0, "\(mode): \(resnapshot.standardError)")
                try Exact.run(database, warehouse, options)
                try await Exact.expectExact(database, warehouse, tables: ["early", "later", "fine"])
            }
        }

        /// The measured bug: a table named `_schemas` was sent to the schema topic and stopped every
        /// table; `a.b` and `a_b` shared a topic. Now the table → topic map is one to one and never
        /// reaches Sluice's own topics.
        @Test func tableNamesNeverMeetSluicesTopics() async throws {
            let database = try await TestDatabase.create()
            defer { Task { await database.drop() } }
            let warehouse = try await TestWarehouse.create()
            let names = ["_schemas", "_offsets", "_signals", "_dead_letters", "a.b", "a_b", "a-2eb", "plain"]
            for (index, name) in names.enumerated() {
                try await database.execute("CREATE TABLE `\(name)` (id INT PRIMARY KEY, v VARCHAR(20))")
                try await database.execute("INSERT INTO `\(name)` VALUES (\(index), '\(name)'), (100, 'same')")
            }
            try Exact.run(database, warehouse)
            try await Exact.expectExact(database, warehouse, tables: names)
            for name in names { try await database.execute("INSERT INTO `\(name)` VALUES (200, 'cdc \(name)')") }
            try Exact.run(database, warehouse)
            try await Exact.expectExact(database, warehouse, tables: names)
            let topics = Set(names.map { ExtractTopics(prefix: database.name).table($0) })
            #expect(topics.count == names.count)
            let own = ExtractTopics(prefix: database.name)
            #expect(topics.isDisjoint(with: [own.schemas, own.offsets, own.signals, own.deadLetters]))
        }

        /// The measured bug: every extract registered as replica 5400001, so a second pipeline on the
        /// same server disconnected the first. Now the default id differs per topic prefix; a clash
        /// (the same id given to two) says what clashed and what to set.
        @Test func twoPipelinesOnOneServerBothRun() async throws {
            let first = try await TestDatabase.create()
            defer { Task { await first.drop() } }
            let second = try await TestDatabase.create()
            defer { Task { await second.drop() } }
            let warehouse = try await TestWarehouse.create()
            let other = try await TestWarehouse.create()
            try await first.execute("CREATE TABLE t (id INT PRIMARY KEY)")
            try await second.execute("CREATE TABLE t (id INT PRIMARY KEY)")
            try await first.execute("INSERT INTO t VALUES (1)")

            let follow = try BackgroundSluice(["run", "--follow", "--load-interval", "0.2"] + Exact.arguments(first.name),
                                              environment: warehouse.environment)
            defer { follow.signal(SIGKILL) }
            #expect(try await eventuallyAsync(within: 120) { (try? await warehouse.scalar("SELECT count(*) FROM staging.t")) == "1" },
                    "\(follow.standardError)")
            try await second.execute("INSERT INTO t VALUES (1), (2)")
            try Exact.run(second, other)
            try await first.execute("INSERT INTO t VALUES (2)")
            #expect(try await eventuallyAsync(within: 60) { (try? await warehouse.scalar("SELECT count(*) FROM staging.t")) == "2" },
                    "\(follow.standardError)")
            #expect(follow.process.isRunning, "\(follow.standardError)")
            follow.signal(SIGTERM)
            #expect(follow.wait(seconds: 60) == 0, "\(follow.standardError)")
            try await Exact.expectExact(first, warehouse, tables: ["t"])
            try await Exact.expectExact(second, other, tables: ["t"])

            // The same id given to both: the one disconnected says which id clashed and how to fix it.
            let clash = ["SLUICE_SERVER_ID": "7770001"]
            let clashing = try BackgroundSluice(["extract", "--follow", "--log-level", "info", "--mysql-database", first.name, "--topic-prefix", first.name],
                                                environment: clash)
            defer { clashing.signal(SIGKILL) }
            let following = try eventually(within: 60) { () throws -> Bool in clashing.standardError.contains("reading the binlog") }
            #expect(following, "\(clashing.standardError)")
            let again = try runSluice(["extract", "--mysql-database", second.name, "--topic-prefix", second.name], environment: clash)
            #expect(again.status == 0, "\(again.standardError)")
            #expect(clashing.wait(seconds: 60) == 1)
            #expect(clashing.standardError.contains("server_id 7770001"), "\(clashing.standardError)")
            #expect(clashing.standardError.contains("SLUICE_SERVER_ID"), "\(clashing.standardError)")
        }
    }
}
