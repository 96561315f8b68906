import Foundation
import Pipeline
import SluiceSupport
import SluiceTestSupport
import Testing

extension PipelineIntegration {
    /// `sluice run --follow`: a MySQL change reaches the star within seconds; `sluice status` reports it.
    @Suite struct RunFollowTests {
        /// Polls `condition` every 200 ms until it holds or `seconds` pass; returns whether it held.
        static func within(_ seconds: Double, _ condition: () async throws -> Bool) async throws -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            repeat {
                if try await condition() { return true }
                try await Task.sleep(for: .milliseconds(200))
            } while Date() < deadline
            return false
        }

        @Test func anUpdateReachesTheStarAndStatusShowsFreshness() async throws {
            let database = try await TestDatabase.create(copying: LoadStagingTests.tables)
            defer { Task { await database.drop() } }
            let warehouse = try await TestWarehouse.create()
            let arguments = RunVerifyTests.arguments(database)
            let run = try BackgroundSluice(["run", "--follow", "--load-interval", "0.5"] + arguments, environment: warehouse.environment)
            defer { run.signal(SIGKILL) }

            let loaded = try await Self.within(90) {
                guard try await warehouse.scalar("SELECT to_regclass('mart.fact_order_line') IS NOT NULL") == "true" else { return false }
                return try await warehouse.scalar("SELECT count(*) FROM mart.fact_order_line") == "2996"
            }
            #expect(loaded, "the snapshot did not reach the star: \(run.standardError.suffix(1500))")

            // 10100/S18_2248 is 50 × 55.09; it becomes 20.
            let changed = Date()
            try await database.execute("UPDATE orderdetails SET quantityOrdered = 20 WHERE orderNumber = 10100 AND productCode = 'S18_2248'")
            let arrived = try await Self.within(30) {
                try await warehouse.scalar("SELECT quantity_ordered FROM mart.fact_order_line WHERE order_number = 10100 AND product_code = 'S18_2248'") == "20"
            }
            let seconds = Date().timeIntervalSince(changed)
            #expect(arrived, "the UPDATE was not in mart after 30 s")
            print("run --follow: UPDATE visible in mart after \(String(format: "%.1f", seconds)) s")
            #expect(try await warehouse.scalar("SELECT sum(line_amount) FROM mart.fact_order_line") == "9602537.91")

            let status = try runSluice(["status", "--json"] + arguments, environment: warehouse.environment)
            #expect(status.status == 0, "\(status.standardOutput)\(status.standardError)")
            let json = try JSONValue.parse(status.standardOutput)
            let load = try #require(json["load"])
            #expect((load["freshness_samples"]?.intValue ?? 0) >= 1, "\(status.standardOutput)")
            let p50 = try #require(load["freshness_p50_ms"]?.intValue)
            #expect(p50 >= 0 && p50 <= 30_000)
            #expect(load["pending_files"]?.intValue == 0)
            #expect(json["land"]?["lag"]?.intValue == 0)
            #expect(json["extract"]?["snapshot_complete"] == .bool(true))
            let text = try runSluice(["status"] + arguments, environment: warehouse.environment)
            #expect(text.standardOutput.contains("freshness  MySQL commit → warehouse: p50"), "\(text.standardOutput)")

            run.signal(SIGTERM)
            #expect(run.wait(seconds: 60) == 0, "\(run.standardError.suffix(1500))")
        }
    }
}
