import Foundation
import Pipeline
import SluiceSupport
import SluiceTestSupport
import Testing

extension PipelineIntegration {
    /// `sluice run` (all stages at once) and `sluice verify` (the reconciliation), tampering included.
    @Suite struct RunVerifyTests {
        static func arguments(_ database: TestDatabase) -> [String] {
            ["--mysql-database", database.name, "--topic-prefix", database.name, "--lake-root", "\(database.name)/raw"]
        }

        static func verify(_ database: TestDatabase, _ warehouse: TestWarehouse, json: Bool = false) throws -> CommandResult {
            try runSluice(["verify", "--mysql-database", database.name, "--lake-root", "\(database.name)/raw"] + (json ? ["--json"] : []),
                          environment: warehouse.environment)
        }

        @Test func runReachesTheWarehouseAndVerifyCatchesTampering() async throws {
            let database = try await TestDatabase.create(copying: LoadStagingTests.tables)
            defer { Task { await database.drop() } }
            let warehouse = try await TestWarehouse.create()

            let run = try runSluice(["run"] + Self.arguments(database), environment: warehouse.environment)
            #expect(run.status == 0, "\(run.standardError)")
            for stage in ["extract  3864", "land     3864", "load     3864"] {
                #expect(run.standardOutput.contains(stage), "\(run.standardOutput)")
            }
            #expect(try await warehouse.scalar("SELECT count(*) || ' ' || sum(line_amount) FROM mart.fact_order_line") == "2996 9604190.61")

            let clean = try Self.verify(database, warehouse)
            #expect(clean.status == 0, "\(clean.standardOutput)\(clean.standardError)")
            #expect(clean.standardOutput.contains("verify: ✓ all"), "\(clean.standardOutput)")
            #expect(!clean.standardOutput.contains("✗"))

            // The report: terminal tables and a self-contained HTML page with three SVG charts.
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(database.name)")
            let report = try runSluice(["report", "--output", folder.path], environment: warehouse.environment)
            #expect(report.status == 0, "\(report.standardError)")
            #expect(report.standardOutput.contains("Euro+ Shopping Channel        Spain        26      820689.54"), "\(report.standardOutput)")
            #expect(report.standardOutput.contains("Paris          France     106     3083761.58"), "\(report.standardOutput)")
            let html = try String(contentsOf: folder.appendingPathComponent("index.html"), encoding: .utf8)
            #expect(html.components(separatedBy: "<svg ").count - 1 == 3)
            #expect(html.contains("Classic Cars · 2004"))
            #expect(!html.contains("<script") && !html.contains("https://"))

            // One cent more on one payment in staging, one order line gone from the star.
            try await warehouse.execute("UPDATE staging.payments SET amount = amount + 0.01 WHERE customer_number = 103 AND check_number = 'HQ336336'")
            try await warehouse.execute("DELETE FROM mart.fact_order_line WHERE order_number = 10100 AND product_code = 'S18_1749'")
            let tampered = try Self.verify(database, warehouse)
            #expect(tampered.status == 1)
            let failing = tampered.standardOutput.split(separator: "\n").filter { $0.hasSuffix("✗") }.map {
                $0.split(separator: " ", omittingEmptySubsequences: true).prefix(2).joined(separator: " ")
            }
            #expect(failing.contains("payments sum(amount)"), "\(tampered.standardOutput)")
            #expect(failing.contains("orderdetails rows"), "\(tampered.standardOutput)")
            #expect(failing.contains("orderdetails sales"), "\(tampered.standardOutput)")
            #expect(!failing.contains(where: { $0.hasPrefix("customers") }), "\(tampered.standardOutput)")
            #expect(tampered.standardOutput.contains("checks differ from MySQL"))

            let json = try Self.verify(database, warehouse, json: true)
            #expect(json.status == 1)
            let parsed = try JSONValue.parse(json.standardOutput)
            #expect(parsed["passed"] == .bool(false))
            let failed = parsed["checks"]?.arrayValue?.filter { $0["passed"] == .bool(false) } ?? []
            let amount = try #require(failed.first { $0["table"]?.stringValue == "payments" && $0["check"]?.stringValue == "sum(amount)" })
            #expect(amount["mysql"]?.stringValue == "8853839.23")
            #expect(amount["staging"]?.stringValue == "8853839.24")
            #expect(amount["lake"]?.stringValue == "8853839.23")
        }
    }
}
