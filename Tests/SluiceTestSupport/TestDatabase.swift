import Foundation
import MySQL
import SluiceSupport

/// A scratch database on the stack's MariaDB, made by the admin account, so a
/// test can change data without touching `classicmodels`.
public struct TestDatabase: Sendable {
    public let name: String
    public let admin: MySQLConnection

    /// Creates `t_<random>`, optionally with copies of classicmodels tables (data included).
    public static func create(copying tables: [String] = []) async throws -> TestDatabase {
        let name = newName()
        let admin = try await MySQLConnection.connect(try TestStack.mysqlAdmin(database: nil))
        try await admin.execute("CREATE DATABASE \(name) CHARACTER SET latin1")
        for table in tables {
            try await admin.execute("CREATE TABLE \(name).\(table) LIKE classicmodels.\(table)")
            try await admin.execute("INSERT INTO \(name).\(table) SELECT * FROM classicmodels.\(table)")
        }
        return TestDatabase(name: name, admin: admin)
    }

    /// A database another command created (e.g. `sluice generate`), dropped like the others.
    public static func adopt(_ name: String) async throws -> TestDatabase {
        TestDatabase(name: name, admin: try await MySQLConnection.connect(try TestStack.mysqlAdmin(database: nil)))
    }

    /// A fresh scratch name, for commands that create the database themselves.
    public static func newName() -> String { "t_" + UUID().uuidString.prefix(8).lowercased() }

    /// Runs statements in this database.
    public func execute(_ sql: String) async throws {
        try await admin.execute("USE \(name)")
        try await admin.execute(sql)
    }

    public func drop() async {
        _ = try? await admin.execute("DROP DATABASE IF EXISTS \(name)")
    }
}
