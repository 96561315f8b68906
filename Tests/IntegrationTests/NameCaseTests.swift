import Foundation
import MySQL
import SluiceSupport
import SluiceTestSupport
import Testing

extension PipelineIntegration {
    /// A server with `lower_case_table_names=1` (Windows and macOS servers, and many migrated from
    /// them) stores names in lower case and lets statements write them in any case.
    @Suite struct NameCaseTests {
        typealias Server = BinlogFaultTests

        /// The bug read from the code: DDL names were compared with the stored ones case by case,
        /// so `TRUNCATE Orders` of the table stored as `orders` was not seen (staging kept the rows).
        @Test func statementsMayWriteNamesInAnyCase() async throws {
            let server = try TemporaryMariaDB(options: TemporaryMariaDB.binlogOptions + ["--lower-case-table-names=1"])
            defer { server.stop() }
            let warehouse = try await TestWarehouse.create()
            let prefix = "lctn" + UUID().uuidString.prefix(6).lowercased()
            _ = try server.execute("CREATE TABLE shop.Orders (id INT PRIMARY KEY, v INT)")
            _ = try server.execute("INSERT INTO shop.ORDERS SELECT seq, seq FROM shop.seq_1_to_30")
            _ = try server.execute("CREATE TABLE shop.Bag (k INT, v INT)")
            _ = try server.execute("INSERT INTO shop.bag SELECT seq % 4, 1 FROM shop.seq_1_to_12")
            _ = try server.execute("CREATE TABLE shop.Gone (id INT PRIMARY KEY)")
            _ = try server.execute("INSERT INTO shop.gone VALUES (1), (2)")
            let environment = Server.environment(server, warehouse)
            let arguments = ["--topic-prefix", prefix, "--lake-root", "\(prefix)/raw"]
            func run(sourceLocation: SourceLocation = #_sourceLocation) throws {
                let result = try runSluice(["run"] + arguments, environment: environment)
                #expect(result.status == 0, "\(result.standardError)", sourceLocation: sourceLocation)
            }
            func expectExact(sourceLocation: SourceLocation = #_sourceLocation) async throws {
                let verify = try runSluice(["verify"] + arguments, environment: environment)
                #expect(verify.status == 0 && verify.standardOutput.contains("verify: ✓ all"),
                        "\(verify.standardOutput)\(verify.standardError)", sourceLocation: sourceLocation)
                let connection = try await Server.connection(server)
                for table in ["orders", "bag", "items"] {
                    let difference = try await StagingMirror.difference(connection, database: "shop", table: table, warehouse: warehouse)
                    #expect(difference == nil, "\(difference ?? "")", sourceLocation: sourceLocation)
                }
            }
            try run()
            try await expectExact()

            _ = try server.execute("USE SHOP; TRUNCATE TABLE Orders; INSERT INTO orders VALUES (100, 1)")
            _ = try server.execute("ALTER TABLE Shop.ORDERS ADD COLUMN Note VARCHAR(10)")
            _ = try server.execute("INSERT INTO shop.orders VALUES (101, 2, 'after')")
            _ = try server.execute("USE shop; TRUNCATE bAG; INSERT INTO bag VALUES (7, 7), (7, 7)")
            _ = try server.execute("DROP TABLE shop.GONE")
            try run()
            try await expectExact()
            let gone = try await warehouse.scalar("SELECT count(*) FROM staging.gone")
            #expect(gone == "0", "DROP TABLE GONE empties staging.gone")
        }
    }
}
