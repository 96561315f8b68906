import Foundation
import MySQL

/// `sluice generate --scale N`: classicmodels × N in another MySQL database.
///
/// Customers, orders, order lines and payments are copied N times; copy `k`
/// adds `k × stride` to customer and order numbers, so keys stay unique and
/// every foreign key points at a row of the same copy. Copy 0 is the source
/// itself, so every total is exactly N times the source's. Products, product
/// lines, offices and employees are copied once. Runs as `INSERT … SELECT`
/// inside MariaDB (no rows travel through Sluice).
public struct ScaledSample: Sendable {
    public var source: String
    public var target: String
    public var scale: Int
    /// Drop `target` first if it exists.
    public var replace = false

    /// Columns shifted per copy, by table. The strides are powers of ten above each key's span.
    static let shifted: [String: [String: KeyFamily]] = [
        "customers": ["customerNumber": .customer],
        "orders": ["orderNumber": .order, "customerNumber": .customer],
        "orderdetails": ["orderNumber": .order],
        "payments": ["customerNumber": .customer],
    ]

    enum KeyFamily: CaseIterable {
        case customer, order
        var table: String { self == .customer ? "customers" : "orders" }
        var column: String { self == .customer ? "customerNumber" : "orderNumber" }
    }

    public init(source: String, target: String, scale: Int) {
        self.source = source
        self.target = target
        self.scale = scale
    }

    /// Rows per table in the target, after generation.
    public struct Result: Sendable {
        public var rows: [(table: String, count: Int)] = []
        /// `SUM(quantityOrdered × priceEach)` of the target: the source's × scale.
        public var sales = ""
        public var seconds = 0.0
    }

    public func run(on connection: MySQLConnection) async throws -> Result {
        let started = Date()
        let q = MySQLConnection.quoteIdentifier
        let (s, t) = (q(source), q(target))
        let tables = try await connection.baseTables(in: source)
        for table in Self.shifted.keys where !tables.contains(table) {
            throw MySQLError(code: .unknownTable, message: "database \(source) has no table \(table); generate scales the classicmodels sample only")
        }
        if try await connection.query("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = '\(MySQLConnection.escapeLiteral(target))'").scalar != "0" {
            guard replace else {
                throw MySQLError(code: .queryFailed, message: "database \(target) already exists; pass --replace to rebuild it")
            }
            try await connection.execute("DROP DATABASE \(t)")
        }
        var strides: [KeyFamily: Int] = [:]
        for family in KeyFamily.allCases {
            let span = try await connection.query("SELECT MAX(\(q(family.column))) - MIN(\(q(family.column))) + 1 FROM \(s).\(q(family.table))")
            strides[family] = Self.stride(span: Int(span.scalar ?? "") ?? 1)
        }
        let charset = try await connection.query(
            "SELECT default_character_set_name FROM information_schema.schemata WHERE schema_name = '\(MySQLConnection.escapeLiteral(source))'").scalar ?? "utf8mb4"
        try await connection.execute("CREATE DATABASE \(t) CHARACTER SET \(charset)")
        try await connection.execute("SET SESSION foreign_key_checks = 0")
        defer { _ = try? connection.executeBlocking("SET SESSION foreign_key_checks = 1") }
        try await connection.execute("USE \(t)")
        var result = Result()
        for table in tables {
            // SHOW CREATE TABLE keeps keys and foreign keys; in the target database they refer to the copies.
            let create = try await connection.query("SHOW CREATE TABLE \(s).\(q(table))")
            guard let ddl = create.rows.first?[1] else { continue }
            try await connection.execute(ddl)
            let columns = try await connection.query(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = '\(MySQLConnection.escapeLiteral(source))' AND table_name = '\(MySQLConnection.escapeLiteral(table))' ORDER BY ordinal_position")
                .rows.compactMap { $0[0] }
            let list = columns.map(q).joined(separator: ", ")
            if let shifts = Self.shifted[table] {
                let expressions = columns.map { column in
                    shifts[column].map { "\(q(column)) + copy.seq * \(strides[$0]!)" } ?? q(column)
                }
                try await connection.execute("""
                    INSERT INTO \(t).\(q(table)) (\(list))
                    SELECT \(expressions.joined(separator: ", ")) FROM \(s).\(q(table)) CROSS JOIN seq_0_to_\(scale - 1) AS copy
                    """)
            } else {
                try await connection.execute("INSERT INTO \(t).\(q(table)) (\(list)) SELECT \(list) FROM \(s).\(q(table))")
            }
            let count = try await connection.query("SELECT COUNT(*) FROM \(t).\(q(table))").scalar ?? "0"
            result.rows.append((table, Int(count) ?? 0))
        }
        result.sales = try await connection.query("SELECT SUM(quantityOrdered * priceEach) FROM \(t).orderdetails").scalar ?? "0"
        result.seconds = Date().timeIntervalSince(started)
        return result
    }

    /// The smallest power of ten (at least 1000) above a key span, so that copies never overlap.
    static func stride(span: Int) -> Int {
        var stride = 1000
        while stride < span { stride *= 10 }
        return stride
    }
}
