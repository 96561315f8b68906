import Foundation
import Pipeline
import S3
import SluiceTestSupport
import Testing

extension PipelineIntegration {
    /// `sluice load` into staging: exact state of the source, applied once, deletes and updates in source order.
    @Suite struct LoadStagingTests {
        static let tables = ["customers", "employees", "offices", "orderdetails", "orders", "payments", "productlines", "products"]

        /// extract → land → load for one test database.
        static func pipeline(_ database: TestDatabase, warehouse: TestWarehouse) throws -> CommandResult {
            let prefix = database.name
            let extract = try runSluice(["extract", "--topic-prefix", prefix, "--mysql-database", database.name])
            #expect(extract.status == 0, "\(extract.standardError)")
            let land = try runSluice(["land", "--topic-prefix", prefix, "--mysql-database", database.name, "--lake-root", "\(prefix)/raw"])
            #expect(land.status == 0, "\(land.standardError)")
            return try runSluice(["load", "--lake-root", "\(prefix)/raw"], environment: warehouse.environment)
        }

        @Test func stagingMirrorsTheSourceAndReloadsNothing() async throws {
            let database = try await TestDatabase.create(copying: Self.tables)
            defer { Task { await database.drop() } }
            let warehouse = try await TestWarehouse.create()

            let first = try Self.pipeline(database, warehouse: warehouse)
            #expect(first.status == 0, "\(first.standardError)")
            let expected = ["customers": 122, "employees": 23, "offices": 7, "orderdetails": 2996,
                            "orders": 326, "payments": 273, "productlines": 7, "products": 110]
            for (table, count) in expected {
                #expect(try await warehouse.scalar("SELECT count(*) FROM staging.\(table)") == String(count), "\(table)")
            }
            #expect(try await warehouse.scalar("SELECT sum(quantity_ordered * price_each) FROM staging.orderdetails") == "9604190.61")
            #expect(try await warehouse.scalar("SELECT sum(amount) FROM staging.payments") == "8853839.23")
            let mini = try #require(try await warehouse.rows(
                "SELECT customer_name, contact_first_name, address_line1, address_line2, credit_limit FROM staging.customers WHERE customer_number = 209").first)
            #expect(mini == ["Mini Caravy", "Frédérique ", "24, place Kléber", nil, "53800.00"])

            // A second load applies nothing and changes nothing.
            let files = try await warehouse.scalar("SELECT count(*) FROM sluice.loaded_files")
            let again = try runSluice(["load", "--lake-root", "\(database.name)/raw"], environment: warehouse.environment)
            #expect(again.status == 0)
            #expect(again.standardOutput.contains("load: 0 files, 0 rows"), "\(again.standardOutput)")
            #expect(try await warehouse.scalar("SELECT count(*) FROM sluice.loaded_files") == files)
            #expect(try await warehouse.scalar("SELECT count(*) FROM staging.orderdetails") == "2996")
        }

        /// JSON Lines lake objects load like Parquet ones, typed by the schema land stores beside them.
        @Test func jsonLinesLoadLikeParquet() async throws {
            let database = try await TestDatabase.create(copying: Self.tables)
            defer { Task { await database.drop() } }
            let warehouse = try await TestWarehouse.create()
            let prefix = database.name
            #expect(try runSluice(["extract", "--topic-prefix", prefix, "--mysql-database", database.name]).status == 0)
            let land = try runSluice(["land", "--topic-prefix", prefix, "--mysql-database", database.name,
                                      "--lake-root", "\(prefix)/jsonl", "--format", "jsonl"])
            #expect(land.status == 0, "\(land.standardError)")
            let load = try runSluice(["load", "--lake-root", "\(prefix)/jsonl"], environment: warehouse.environment)
            #expect(load.status == 0, "\(load.standardError)")
            #expect(load.standardOutput.contains("3864 rows"), "\(load.standardOutput)")
            #expect(try await warehouse.scalar("SELECT sum(quantity_ordered * price_each) FROM staging.orderdetails") == "9604190.61")
            #expect(try await warehouse.scalar("SELECT pg_typeof(price_each)::text || ' ' || pg_typeof(order_date)::text FROM staging.orderdetails JOIN staging.orders USING (order_number) LIMIT 1") == "numeric date")
            let mini = try #require(try await warehouse.rows(
                "SELECT customer_name, contact_first_name, address_line1, address_line2, credit_limit FROM staging.customers WHERE customer_number = 209").first)
            #expect(mini == ["Mini Caravy", "Frédérique ", "24, place Kléber", nil, "53800.00"])
            #expect(try await warehouse.scalar("SELECT count(*) || ' ' || sum(amount) FROM mart.fact_payment") == "273 8853839.23")
        }

        /// A lake object missing from the middle of a partition stops load with the offsets it lacks.
        @Test func aMissingLakeObjectStopsLoad() async throws {
            let database = try await TestDatabase.create(copying: ["orderdetails"])
            defer { Task { await database.drop() } }
            let warehouse = try await TestWarehouse.create()
            let prefix = database.name
            #expect(try runSluice(["extract", "--topic-prefix", prefix, "--mysql-database", database.name]).status == 0)
            let land = try runSluice(["land", "--topic-prefix", prefix, "--mysql-database", database.name,
                                      "--lake-root", "\(prefix)/raw", "--flush-rows", "200"])
            #expect(land.status == 0, "\(land.standardError)")
            let s3 = S3Client(configuration: try TestStack.config().s3())
            let bucket = try TestStack.config().bucket()
            let objects = try await s3.listAllObjects(bucket: bucket, prefix: "\(prefix)/raw/orderdetails/")
            let missing = try #require(objects.first { $0.key.hasSuffix("+0+00000000000000000200.parquet") })
            try await s3.deleteObject(bucket: bucket, key: missing.key)

            let load = try runSluice(["load", "--lake-root", "\(prefix)/raw"], environment: warehouse.environment)
            #expect(load.status == 1)
            #expect(load.standardError.contains("offsets 200…399 of \(prefix).orderdetails[0] are in no lake object"), "\(load.standardError)")
        }

        @Test func deletesUpdatesAndReinsertsApplyInSourceOrder() async throws {
            let database = try await TestDatabase.create(copying: Self.tables)
            defer { Task { await database.drop() } }
            let warehouse = try await TestWarehouse.create()
            #expect(try Self.pipeline(database, warehouse: warehouse).status == 0)

            // 10100/S18_1749 is 30 × 136.00; 10100/S18_2248 is 50 × 55.09, changed to 20; 10101/S18_2325
            // is deleted and inserted again with another quantity within one binlog stretch.
            let removed = Decimal(string: "4080.00")!, updated = Decimal(30) * Decimal(string: "55.09")!
            try await database.execute("DELETE FROM orderdetails WHERE orderNumber = 10100 AND productCode = 'S18_1749'")
            try await database.execute("UPDATE orderdetails SET quantityOrdered = 20 WHERE orderNumber = 10100 AND productCode = 'S18_2248'")
            let before = try #require(try await database.admin.query(
                "SELECT quantityOrdered, priceEach FROM \(database.name).orderdetails WHERE orderNumber = 10101 AND productCode = 'S18_2325'").rows.first)
            try await database.execute("DELETE FROM orderdetails WHERE orderNumber = 10101 AND productCode = 'S18_2325'")
            try await database.execute("INSERT INTO orderdetails VALUES (10101, 'S18_2325', 7, \(before[1]!), 3)")
            let second = try Self.pipeline(database, warehouse: warehouse)
            #expect(second.status == 0, "\(second.standardError)")

            let reinserted = (Decimal(string: before[0]!)! - 7) * Decimal(string: before[1]!)!
            let expected = Decimal(string: "9604190.61")! - removed - updated - reinserted
            #expect(try await warehouse.scalar("SELECT sum(quantity_ordered * price_each) FROM staging.orderdetails") == "\(expected)")
            #expect(try await warehouse.scalar("SELECT count(*) FROM staging.orderdetails") == "2995")
            #expect(try await warehouse.scalar(
                "SELECT quantity_ordered FROM staging.orderdetails WHERE order_number = 10101 AND product_code = 'S18_2325'") == "7")
            // The star follows: the fact table's sum moves by exactly the same amount.
            #expect(try await warehouse.scalar("SELECT sum(line_amount) FROM mart.fact_order_line") == "\(expected)")
            #expect(try await warehouse.scalar("SELECT count(*) FROM mart.fact_order_line") == "2995")
            #expect(try await warehouse.scalar("SELECT quantity_ordered FROM mart.fact_order_line WHERE order_number = 10100 AND line_amount = 20 * 55.09") == "20")
            #expect(try await warehouse.scalar("SELECT count(*) FROM sluice.pending_changes") == "0")
        }
    }
}
