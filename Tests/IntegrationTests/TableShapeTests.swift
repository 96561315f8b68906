import Foundation
import Kafka
import Pipeline
import SluiceSupport
import SluiceTestSupport
import Testing
import Warehouse

extension PipelineIntegration {
    /// Tables of any shape and name, event times in any order: exact, ending with `verify` ✓ and
    /// staging equal to MySQL (as multisets for tables without a key).
    @Suite struct TableShapeTests {
        typealias Exact = SchemaChangeTests

        /// A table without a primary key is a multiset: NULLs anywhere, duplicates kept, one of two
        /// identical rows deleted alone; through the snapshot, CDC, and a snapshot killed part-way.
        @Test func tablesWithoutAKeyAreMultisets() async throws {
            let database = try await TestDatabase.create()
            defer { Task { await database.drop() } }
            let warehouse = try await TestWarehouse.create()
            try await database.execute("CREATE TABLE bag (a INT, b VARCHAR(5), c DECIMAL(6,2))")
            try await database.execute("""
                INSERT INTO bag VALUES (1, 'x', 1.00), (1, 'x', 1.00), (NULL, NULL, NULL), (NULL, 'y', NULL), (2, NULL, 3.50)
                """)
            try Exact.run(database, warehouse)
            try await Exact.expectExact(database, warehouse, tables: ["bag"])

            try await database.execute("DELETE FROM bag WHERE a = 1 LIMIT 1")
            try await database.execute("INSERT INTO bag VALUES (NULL, NULL, NULL), (1, 'x', 1.00), (1, 'x', 1.00)")
            try await database.execute("UPDATE bag SET c = 9.99 WHERE b = 'y'")
            try await database.execute("UPDATE bag SET b = 'z' WHERE a = 2")
            try await database.execute("UPDATE bag SET b = b WHERE a IS NULL")       // changes nothing
            try Exact.run(database, warehouse)
            try await Exact.expectExact(database, warehouse, tables: ["bag"])
            #expect(try await warehouse.scalar("SELECT count(*) FROM staging.bag WHERE a = 1") == "3")
            #expect(try await warehouse.scalar("SELECT count(*) FROM staging.bag WHERE a IS NULL AND b IS NULL AND c IS NULL") == "2")

            // A snapshot killed part-way starts over (superseding what it sent): no row twice.
            try await database.execute("CREATE TABLE pile (k INT, v VARCHAR(10))")
            try await database.execute("INSERT INTO pile SELECT seq % 7, IF(seq % 3 = 0, NULL, 'same') FROM seq_1_to_120000")
            let extract = try BackgroundSluice(["extract", "--mysql-database", database.name, "--topic-prefix", database.name])
            let follower = try TopicFollower(ExtractTopics(prefix: database.name).table("pile"))
            #expect(try follower.waitFor(within: 120) { $0.count >= 20_000 }, "\(extract.standardError)")
            extract.signal(SIGKILL)
            _ = extract.wait(seconds: 10)
            try Exact.run(database, warehouse)
            try await Exact.expectExact(database, warehouse, tables: ["bag", "pile"])
        }

        /// Event time going backwards within a partition (a later change stamped a day earlier, as a
        /// transaction across midnight or `SET TIMESTAMP` does): load follows offsets, not days.
        @Test func eventTimeGoingBackwardsAcrossMidnight() async throws {
            let database = try await TestDatabase.create()
            defer { Task { await database.drop() } }
            let warehouse = try await TestWarehouse.create()
            try await database.execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(30))")
            try await database.execute("INSERT INTO t VALUES (1, 'first')")
            try Exact.run(database, warehouse)
            try await database.execute("SET TIMESTAMP = UNIX_TIMESTAMP('2030-01-02 00:00:05')")
            try await database.execute("UPDATE t SET v = 'after midnight' WHERE id = 1")
            try await database.execute("SET TIMESTAMP = UNIX_TIMESTAMP('2030-01-01 23:59:55')")
            try await database.execute("UPDATE t SET v = 'later, stamped earlier' WHERE id = 1")
            try await database.execute("SET TIMESTAMP = DEFAULT")
            try Exact.run(database, warehouse)
            try Exact.run(database, warehouse)
            try await Exact.expectExact(database, warehouse, tables: ["t"])
            #expect(try await warehouse.scalar("SELECT v FROM staging.t") == "later, stamped earlier")
            // The two changes sit in two days' folders, the later offset in the earlier day.
            let days = try await warehouse.rows("SELECT DISTINCT substring(key from 'dt=([0-9-]+)') FROM sluice.loaded_files WHERE key LIKE '%dt=2030%' ORDER BY 1")
            #expect(days.map { $0[0] } == ["2030-01-01", "2030-01-02"])
        }

        /// Names with spaces, reserved words, mixed case and non-ASCII: through Kafka, the lake,
        /// staging, `verify` and `status`.
        @Test func oddNamesWorkEverywhere() async throws {
            let database = try await TestDatabase.create()
            defer { Task { await database.drop() } }
            let warehouse = try await TestWarehouse.create()
            try await database.execute("""
                CREATE TABLE `order lines` (`line id` INT PRIMARY KEY, `select` VARCHAR(10), `prix unitaire €` DECIMAL(8,2), `Größe` CHAR(3))
                CHARACTER SET utf8mb4
                """)
            try await database.execute("CREATE TABLE `Ünïcödé` (`ключ` INT PRIMARY KEY, `from` VARCHAR(5)) CHARACTER SET utf8mb4")
            try await database.execute("INSERT INTO `order lines` VALUES (1, 'where', 9.99, 'XL'), (2, NULL, 0.01, 'S')")
            try await database.execute("INSERT INTO `Ünïcödé` VALUES (7, 'ok')")
            try Exact.run(database, warehouse)
            try await database.execute("UPDATE `order lines` SET `select` = 'group' WHERE `line id` = 2")
            try await database.execute("DELETE FROM `Ünïcödé` WHERE `ключ` = 7")
            try await database.execute("INSERT INTO `Ünïcödé` VALUES (8, 'new')")
            try Exact.run(database, warehouse)
            try await Exact.expectExact(database, warehouse, tables: ["order lines", "Ünïcödé"])
            let status = try runSluice(["status", "--mysql-database", database.name, "--topic-prefix", database.name,
                                        "--lake-root", "\(database.name)/raw"], environment: warehouse.environment)
            #expect(status.status == 0, "\(status.standardOutput)\(status.standardError)")
            #expect(status.standardOutput.contains("order-20lines"), "\(status.standardOutput)")
        }

        /// SCD2 versions are dated by source commit time: a change loaded late still gives an order
        /// dated after it the new version, and one dated before it the old.
        @Test func lateLoadDatesVersionsBySourceTime() async throws {
            let database = try await TestDatabase.create(copying: LoadStagingTests.tables)
            defer { Task { await database.drop() } }
            let warehouse = try await TestWarehouse.create()
            try Exact.run(database, warehouse)
            // The move happened on 2024-06-01 10:00 (source time); it is loaded now, years later.
            try await database.execute("SET TIMESTAMP = UNIX_TIMESTAMP('2024-06-01 10:00:00')")
            try await database.execute("UPDATE customers SET city = 'Lille' WHERE customerNumber = 103")
            try await database.execute("SET TIMESTAMP = DEFAULT")
            try await database.execute("INSERT INTO orders VALUES (10600, '2024-05-31', '2024-06-07', NULL, 'In Process', NULL, 103)")
            try await database.execute("INSERT INTO orders VALUES (10601, '2024-06-02', '2024-06-09', NULL, 'In Process', NULL, 103)")
            try await database.execute("INSERT INTO orderdetails VALUES (10600, 'S18_1749', 1, 10.00, 1), (10601, 'S18_1749', 2, 10.00, 1)")
            try Exact.run(database, warehouse)
            try await Exact.expectExact(database, warehouse, tables: ["customers", "orders", "orderdetails"])
            let cities = try await warehouse.rows("""
                SELECT f.order_number::text, c.city FROM mart.fact_order_line f JOIN mart.dim_customer c USING (customer_key)
                WHERE f.order_number IN (10600, 10601) ORDER BY f.order_number
                """)
            #expect(cities == [["10600", "Nantes"], ["10601", "Lille"]])
            let versions = try await warehouse.rows("""
                SELECT city, valid_from::text, valid_to::text FROM mart.dim_customer WHERE customer_number = 103 ORDER BY valid_from
                """)
            #expect(versions == [["Nantes", "-infinity", "2024-06-01 10:00:00"], ["Lille", "2024-06-01 10:00:00", "infinity"]])
        }

        /// Two changes of a key between star updates are two versions: an order dated between
        /// them joins the first. Before, staging's last row was the only version (10601 joined
        /// Paris, and Lille never existed), for a one-table dimension and for one over two tables.
        @Test func everyChangeBetweenLoadsIsAVersion() async throws {
            let database = try await TestDatabase.create(copying: LoadStagingTests.tables)
            defer { Task { await database.drop() } }
            let warehouse = try await TestWarehouse.create()
            try Exact.run(database, warehouse)
            for (day, city, name) in [("2024-06-01", "Lille", "First name"), ("2024-06-10", "Paris", "Second name")] {
                try await database.execute("SET TIMESTAMP = UNIX_TIMESTAMP('\(day) 10:00:00')")
                try await database.execute("UPDATE customers SET city = '\(city)' WHERE customerNumber = 103")
                try await database.execute("UPDATE products SET productName = '\(name)' WHERE productCode = 'S18_1749'")
            }
            try await database.execute("SET TIMESTAMP = DEFAULT")
            try await database.execute("""
                INSERT INTO orders VALUES (10600, '2024-05-31', '2024-06-07', NULL, 'In Process', NULL, 103),
                    (10601, '2024-06-05', '2024-06-09', NULL, 'In Process', NULL, 103), (10602, '2024-06-12', '2024-06-19', NULL, 'In Process', NULL, 103)
                """)
            try await database.execute("INSERT INTO orderdetails VALUES (10600, 'S18_1749', 1, 10.00, 1), (10601, 'S18_1749', 2, 10.00, 1), (10602, 'S18_1749', 3, 10.00, 1)")
            try Exact.run(database, warehouse)
            try await Exact.expectExact(database, warehouse, tables: ["customers", "products", "orders", "orderdetails"])
            let joined = try await warehouse.rows("""
                SELECT f.order_number::text, c.city, p.product_name FROM mart.fact_order_line f
                JOIN mart.dim_customer c USING (customer_key) JOIN mart.dim_product p USING (product_key)
                WHERE f.order_number IN (10600, 10601, 10602) ORDER BY f.order_number
                """)
            let original = try await warehouse.scalar("SELECT product_name FROM staging.products WHERE product_code = 'S18_1749'") ?? ""
            #expect(original == "Second name")
            #expect(joined.map { Array($0.prefix(2)) } == [["10600", "Nantes"], ["10601", "Lille"], ["10602", "Paris"]], "\(joined)")
            // dim_product dates a version by the later of its product's and its line's change (the line's
            // snapshot is today's), so these orders of 2024 all join the first; its versions are in order.
            let names = try await warehouse.rows("""
                SELECT product_name, is_current::text FROM mart.dim_product WHERE product_code = 'S18_1749' ORDER BY valid_from, product_key
                """)
            #expect(names == [[joined[0][2], "false"], ["First name", "false"], ["Second name", "true"]], "\(names)")
            let expected: [[String?]] = [["Nantes", "-infinity", "2024-06-01 10:00:00"], ["Lille", "2024-06-01 10:00:00", "2024-06-10 10:00:00"],
                                         ["Paris", "2024-06-10 10:00:00", "infinity"]]
            let versions = { try await warehouse.rows("""
                SELECT city, valid_from::text, valid_to::text FROM mart.dim_customer WHERE customer_number = 103 ORDER BY valid_from
                """) }
            #expect(try await versions() == expected)
            // Run again (a restart): nothing new, no version added or moved.
            try Exact.run(database, warehouse)
            #expect(try await versions() == expected)
            #expect(try await warehouse.scalar("SELECT count(*) FROM mart.dim_product WHERE product_code = 'S18_1749'") == "3")
        }

        /// Two loaders at once take turns (an advisory lock): never two current versions of a key;
        /// `--no-wait` says at once that another loader holds the warehouse.
        @Test func twoLoadersTakeTurns() async throws {
            let database = try await TestDatabase.create(copying: LoadStagingTests.tables)
            defer { Task { await database.drop() } }
            let warehouse = try await TestWarehouse.create()
            let root = "\(database.name)/raw"
            try Exact.run(database, warehouse)
            for round in 1...3 {
                try await database.execute("UPDATE customers SET city = 'Round \(round)' WHERE customerNumber BETWEEN 100 AND 200")
                let extract = try runSluice(["extract", "--mysql-database", database.name, "--topic-prefix", database.name])
                #expect(extract.status == 0)
                let land = try runSluice(["land", "--mysql-database", database.name, "--topic-prefix", database.name, "--lake-root", root])
                #expect(land.status == 0)
                let first = try BackgroundSluice(["load", "--lake-root", root], environment: warehouse.environment)
                let second = try BackgroundSluice(["load", "--lake-root", root], environment: warehouse.environment)
                #expect(first.wait(seconds: 120) == 0, "\(first.standardError)")
                #expect(second.wait(seconds: 120) == 0, "\(second.standardError)")
            }
            #expect(try await warehouse.scalar("""
                SELECT count(*) FROM (SELECT customer_number FROM mart.dim_customer WHERE is_current GROUP BY 1 HAVING count(*) > 1) AS twice
                """) == "0")
            try await Exact.expectExact(database, warehouse, tables: ["customers"])

            // Hold the lock from another session: --no-wait refuses with one line.
            try await Warehouse.withConnection(warehouse.configuration) { connection in
                let session = WarehouseSession(connection: connection)
                _ = try await session.scalar("SELECT pg_advisory_lock(\(0x536C_7569_6365))")
                let refused = try runSluice(["load", "--no-wait", "--lake-root", root], environment: warehouse.environment)
                #expect(refused.status != 0)
                #expect(refused.standardError.contains("another sluice load"), "\(refused.standardError)")
                _ = try await session.scalar("SELECT pg_advisory_unlock(\(0x536C_7569_6365))")
            }
        }
    }
}
