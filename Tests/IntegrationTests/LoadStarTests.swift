import Foundation
import Pipeline
import SluiceTestSupport
import Testing

extension PipelineIntegration {
    /// `sluice load` into the `mart` star: exact facts, SCD2 history, idempotent reruns, crash safety.
    @Suite struct LoadStarTests {
        static let martTables = ["dim_customer", "dim_product", "dim_employee", "dim_office", "dim_date", "fact_order_line", "fact_payment"]

        /// A fingerprint of every row of the star and the ledger, to prove a rerun changes nothing.
        static func fingerprint(_ warehouse: TestWarehouse) async throws -> [String] {
            var prints: [String] = []
            for table in martTables.map({ "mart.\($0)" }) + ["sluice.loaded_files", "staging.orderdetails", "staging.customers"] {
                prints.append(try await warehouse.scalar(
                    "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') FROM \(table) AS t") ?? "")
            }
            return prints
        }

        @Test func starMatchesTheSourceAndASecondLoadChangesNothing() async throws {
            let database = try await TestDatabase.create(copying: LoadStagingTests.tables)
            defer { Task { await database.drop() } }
            let warehouse = try await TestWarehouse.create()
            let load = try LoadStagingTests.pipeline(database, warehouse: warehouse)
            #expect(load.status == 0, "\(load.standardError)")
            #expect(load.standardOutput.contains("star: mart updated"), "\(load.standardOutput)")

            #expect(try await warehouse.scalar("SELECT count(*) || ' ' || sum(line_amount) FROM mart.fact_order_line") == "2996 9604190.61")
            #expect(try await warehouse.scalar("SELECT count(*) || ' ' || sum(amount) FROM mart.fact_payment") == "273 8853839.23")
            for (table, count) in ["dim_customer": 122, "dim_product": 110, "dim_employee": 23, "dim_office": 7] {
                #expect(try await warehouse.scalar("SELECT count(*) FROM mart.\(table) WHERE is_current") == String(count), "\(table)")
                #expect(try await warehouse.scalar("SELECT count(*) FROM mart.\(table) WHERE valid_from <> '-infinity'") == "0", "\(table)")
            }
            // No orphans: every key of every fact row finds its dimension row (all classicmodels orders have a sales rep).
            #expect(try await warehouse.scalar("""
                SELECT count(*) FROM mart.fact_order_line AS f
                LEFT JOIN mart.dim_customer AS c ON c.customer_key = f.customer_key
                LEFT JOIN mart.dim_product AS p ON p.product_key = f.product_key
                LEFT JOIN mart.dim_employee AS e ON e.employee_key = f.employee_key
                LEFT JOIN mart.dim_office AS o ON o.office_key = f.office_key
                LEFT JOIN mart.dim_date AS d1 ON d1.date_key = f.order_date_key
                LEFT JOIN mart.dim_date AS d2 ON d2.date_key = f.required_date_key
                LEFT JOIN mart.dim_date AS d3 ON d3.date_key = f.shipped_date_key
                WHERE c.customer_key IS NULL OR p.product_key IS NULL OR e.employee_key IS NULL OR o.office_key IS NULL
                   OR d1.date_key IS NULL OR d2.date_key IS NULL OR (f.shipped_date_key IS NOT NULL AND d3.date_key IS NULL)
                """) == "0")
            #expect(try await warehouse.scalar("""
                SELECT count(*) FROM mart.fact_payment AS f
                LEFT JOIN mart.dim_customer AS c ON c.customer_key = f.customer_key
                LEFT JOIN mart.dim_date AS d ON d.date_key = f.payment_date_key
                WHERE c.customer_key IS NULL OR d.date_key IS NULL
                """) == "0")
            // The sales rep and office are the customer's: order 10100 is Online Diecast Creations (363), rep 1216, office 2 (Boston).
            let line = try #require(try await warehouse.rows("""
                SELECT c.customer_number, e.employee_number, o.city, p.product_line_description IS NOT NULL, f.order_date_key,
                       d.day_name, d.quarter, f.line_amount
                FROM mart.fact_order_line AS f
                JOIN mart.dim_customer AS c USING (customer_key) JOIN mart.dim_employee AS e USING (employee_key)
                JOIN mart.dim_office AS o USING (office_key) JOIN mart.dim_product AS p USING (product_key)
                JOIN mart.dim_date AS d ON d.date_key = f.order_date_key
                WHERE f.order_number = 10100 AND p.product_code = 'S18_1749'
                """).first)
            #expect(line == ["363", "1216", "Boston", "true", "20030106", "Monday", "1", "4080.00"])
            // dim_date covers every order and payment date, and nothing else.
            #expect(try await warehouse.scalar("""
                SELECT count(*) FROM (SELECT order_date FROM staging.orders UNION SELECT required_date FROM staging.orders
                UNION SELECT shipped_date FROM staging.orders WHERE shipped_date IS NOT NULL UNION SELECT payment_date FROM staging.payments) AS used
                """) == (try await warehouse.scalar("SELECT count(*) FROM mart.dim_date")))

            let before = try await Self.fingerprint(warehouse)
            let again = try runSluice(["load", "--lake-root", "\(database.name)/raw"], environment: warehouse.environment)
            #expect(again.status == 0, "\(again.standardError)")
            #expect(again.standardOutput.contains("load: 0 files, 0 rows"), "\(again.standardOutput)")
            #expect(try await Self.fingerprint(warehouse) == before, "a load with no new files changed the warehouse")
        }

        @Test func aCityChangeOpensASecondCustomerVersion() async throws {
            let database = try await TestDatabase.create(copying: LoadStagingTests.tables)
            defer { Task { await database.drop() } }
            let warehouse = try await TestWarehouse.create()
            #expect(try LoadStagingTests.pipeline(database, warehouse: warehouse).status == 0)
            let oldKey = try #require(try await warehouse.scalar("SELECT customer_key FROM mart.dim_customer WHERE customer_number = 103"))

            // Customer 103 (Atelier graphique, Nantes) moves; a new order dated tomorrow follows the move.
            try await database.execute("UPDATE customers SET city = 'Rennes' WHERE customerNumber = 103")
            try await database.execute("INSERT INTO orders VALUES (10500, CURDATE() + INTERVAL 1 DAY, CURDATE() + INTERVAL 8 DAY, NULL, 'In Process', NULL, 103)")
            try await database.execute("INSERT INTO orderdetails VALUES (10500, 'S18_1749', 2, 150.25, 1)")
            let load = try LoadStagingTests.pipeline(database, warehouse: warehouse)
            #expect(load.status == 0, "\(load.standardError)")

            let versions = try await warehouse.rows("""
                SELECT customer_key, city, is_current, valid_from = '-infinity', valid_to = 'infinity'
                FROM mart.dim_customer WHERE customer_number = 103 ORDER BY valid_from
                """)
            #expect(versions.count == 2)
            #expect(versions.first == [oldKey, "Nantes", "false", "true", "false"])
            #expect(versions.last?[1...] == ["Rennes", "true", "false", "true"])
            #expect(try await warehouse.scalar("""
                SELECT count(*) FROM mart.dim_customer AS old JOIN mart.dim_customer AS new USING (customer_number)
                WHERE customer_number = 103 AND NOT old.is_current AND new.is_current AND old.valid_to = new.valid_from
                """) == "1")
            #expect(try await warehouse.scalar("SELECT count(*) FROM mart.dim_customer WHERE is_current") == "122")
            // Earlier orders and payments keep the old version; the new order has the new one.
            #expect(try await warehouse.scalar("""
                SELECT string_agg(DISTINCT customer_key::text, ',') FROM mart.fact_order_line WHERE order_number IN (10123, 10298, 10345)
                """) == oldKey)
            #expect(try await warehouse.scalar("SELECT string_agg(DISTINCT customer_key::text, ',') FROM mart.fact_payment WHERE customer_number = 103") == oldKey)
            #expect(try await warehouse.scalar("SELECT c.city FROM mart.fact_order_line f JOIN mart.dim_customer c USING (customer_key) WHERE f.order_number = 10500") == "Rennes")
            #expect(try await warehouse.scalar("SELECT sum(line_amount) FROM mart.fact_order_line") == "9604491.11")
            #expect(try await warehouse.scalar("""
                SELECT count(*) FROM mart.fact_order_line AS f JOIN mart.dim_date AS d ON d.date_key = f.order_date_key WHERE f.order_number = 10500
                """) == "1")
        }

        @Test func aKilledLoadRerunsToTheSourceState() async throws {
            let scale = 70
            let name = TestDatabase.newName()
            let generate = try runSluice(["generate", "--scale", String(scale), "--target-database", name])
            #expect(generate.status == 0, "\(generate.standardError)")
            let database = try await TestDatabase.adopt(name)
            defer { Task { await database.drop() } }
            let warehouse = try await TestWarehouse.create()
            #expect(try runSluice(["extract", "--topic-prefix", name, "--mysql-database", name]).status == 0)
            let land = try runSluice(["land", "--topic-prefix", name, "--mysql-database", name, "--lake-root", "\(name)/raw", "--flush-rows", "5000"])
            #expect(land.status == 0, "\(land.standardError)")
            let listing = try runSluice(["lake", "ls", "--lake-root", "\(name)/raw"])
            let lakeRows = Int(listing.standardOutput.split(separator: "\n").last?.split(separator: " ").dropFirst(2).first ?? "") ?? 0
            #expect(lakeRows >= 200_000, "\(listing.standardOutput.suffix(300))")

            let arguments = ["load", "--lake-root", "\(name)/raw"]
            var kills = 0
            for _ in 0..<2 {
                let load = try BackgroundSluice(arguments, environment: warehouse.environment)
                // Kill it once some files are in, well before the last.
                let deadline = Date().addingTimeInterval(120)
                while load.process.isRunning, Date() < deadline,
                      Int((try? await warehouse.scalar("SELECT count(*) FROM sluice.loaded_files")) ?? nil ?? "") ?? 0 < 3 * (kills + 1) {
                    try await Task.sleep(for: .milliseconds(100))
                }
                if load.process.isRunning {
                    load.signal(SIGKILL)
                    kills += 1
                }
                _ = load.wait(seconds: 10)
            }
            #expect(kills == 2, "load finished before it could be killed twice")
            let loadedBeforeRerun = Int(try await warehouse.scalar("SELECT count(*) FROM sluice.loaded_files") ?? "") ?? 0
            let rerun = try runSluice(arguments, environment: warehouse.environment)
            #expect(rerun.status == 0, "\(rerun.standardError)")
            let loadedAfterRerun = Int(try await warehouse.scalar("SELECT count(*) FROM sluice.loaded_files") ?? "") ?? 0
            #expect(loadedAfterRerun > loadedBeforeRerun, "the killed loads had already loaded every file")

            let expected = ["customers": 122, "orders": 326, "orderdetails": 2996, "payments": 273].mapValues { $0 * scale }
            for (table, count) in expected {
                #expect(try await warehouse.scalar("SELECT count(*) FROM staging.\(table)") == String(count), "\(table)")
            }
            #expect(try await warehouse.scalar("SELECT count(*) || ' ' || sum(line_amount) FROM mart.fact_order_line") 
                    == "\(2996 * scale) " + (try await warehouse.scalar("SELECT (9604190.61 * \(scale))::text") ?? ""))
            #expect(try await warehouse.scalar("SELECT count(*) || ' ' || sum(amount) FROM mart.fact_payment") 
                    == "\(273 * scale) " + (try await warehouse.scalar("SELECT (8853839.23 * \(scale))::text") ?? ""))
            #expect(try await warehouse.scalar("SELECT count(*) FROM mart.dim_customer WHERE is_current") == String(122 * scale))
            #expect(try await warehouse.scalar("SELECT sum(rows) FROM sluice.loaded_files") == String(lakeRows))
        }
    }
}
