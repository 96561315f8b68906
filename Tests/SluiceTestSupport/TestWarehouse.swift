import Foundation
import Pipeline
import Warehouse

/// A scratch warehouse database, so a test's staging and mart tables are its own.
public struct TestWarehouse: Sendable {
    public let name: String
    public let configuration: WarehouseConfiguration

    public static func create() async throws -> TestWarehouse {
        let base = try TestStack.config().warehouse()
        let name = "wh_" + UUID().uuidString.prefix(8).lowercased()
        try await Warehouse.withConnection(base) { connection in
            try await WarehouseSession(connection: connection).execute("CREATE DATABASE \(name)")
        }
        var configuration = base
        configuration.database = name
        return TestWarehouse(name: name, configuration: configuration)
    }

    /// `WAREHOUSE_URL` pointing at this database.
    public var environment: [String: String] {
        ["WAREHOUSE_URL": "postgres://\(configuration.user):\(configuration.password.value)@\(configuration.host):\(configuration.port)/\(name)"]
    }

    /// Runs a query and returns its rows as text.
    public func rows(_ sql: String) async throws -> [[String?]] {
        try await Warehouse.withConnection(configuration) { connection in
            try await WarehouseSession(connection: connection).rows(sql).rows
        }
    }

    /// Runs one statement (tests use it to tamper with the warehouse).
    public func execute(_ sql: String) async throws {
        try await Warehouse.withConnection(configuration) { connection in
            try await WarehouseSession(connection: connection).execute(sql)
        }
    }

    public func scalar(_ sql: String) async throws -> String? { try await rows(sql).first?.first ?? nil }
}
