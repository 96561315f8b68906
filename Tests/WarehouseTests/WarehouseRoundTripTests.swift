import Foundation
import Logging
import Pipeline
import PostgresNIO
import SluiceSupport
import SluiceTestSupport
import Testing
import Warehouse

/// postgres-nio against the stack's PostgreSQL.
@Suite struct WarehouseRoundTripTests {
    @Test func exactValuesRoundTrip() async throws {
        let settings = try TestStack.config().warehouse()
        let logger = Logger(label: "test")
        let rows: [[String?]] = try await Warehouse.withConnection(settings) { connection in
            try await connection.query("""
                CREATE TEMP TABLE roundtrip (id int PRIMARY KEY, amount numeric(10,2), name text, day date, note text)
                """, logger: logger)
            try await connection.query("""
                INSERT INTO roundtrip VALUES
                  (1, 9604190.61, 'Frédérique', DATE '2003-01-06', NULL),
                  (2, 0.01, 'Kléber', DATE '2005-05-31', 'x')
                """, logger: logger)
            var rows: [[String?]] = []
            let result = try await connection.query(
                "SELECT id::text, amount::text, name, day::text, note FROM roundtrip ORDER BY id", logger: logger)
            for try await (id, amount, name, day, note) in result.decode((String, String, String, String, String?).self) {
                rows.append([id, amount, name, day, note])
            }
            return rows
        }
        #expect(rows == [["1", "9604190.61", "Frédérique", "2003-01-06", nil], ["2", "0.01", "Kléber", "2005-05-31", "x"]])
    }

    @Test func versionIsPostgreSQL() async throws {
        let version = try await Warehouse.serverVersion(try TestStack.config().warehouse())
        #expect(version.hasPrefix("PostgreSQL"))
    }

    @Test func wrongPasswordIsAccessDenied() async throws {
        var settings = try TestStack.config().warehouse()
        settings.password = Secret("wrong-password")
        let error = await #expect(throws: WarehouseError.self) { try await Warehouse.serverVersion(settings) }
        #expect(error?.code == .accessDenied)
        #expect(error?.summary.contains("wrong-password") == false)
    }
}
