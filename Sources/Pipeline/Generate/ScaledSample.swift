import Foundation
import MySQL

/// `sluice generate --scale N`: the source database × N in another MySQL database.
///
/// The tables the model's `generate.shift` lists are copied N times; copy `k`
/// adds `k × stride` to each shifted key column (the stride of the `table.column`
/// it names), so keys stay unique and every foreign key points at a row of the
/// same copy. Copy 0 is the source itself, so every total is exactly N times the
/// source's. Other tables are copied once. Runs as `INSERT … SELECT` inside
/// MariaDB (no rows travel through Sluice).
public struct ScaledSample: Sendable {
    public var source: String
    public var target: String
    public var scale: Int
    /// Drop `target` first if it exists.
    public var replace = false
    /// Columns shifted per copy, by table, each naming the `table.column` whose span sets its
    /// stride (a power of ten above the span).
    public var shifted: [String: [String: String]]
    /// Figures printed for the target (the model's check queries), by name.
    public var totals: [(name: String, query: String)]

    public init(source: String, target: String, scale: Int, shifted: [String: [String: String]],
                totals: [(name: String, query: String)] = []) {
        self.source = source
        self.target = target
        self.scale = scale
        self.shifted = shifted
        self.totals = totals
    }

    /// Rows per table in the target, after generation.
    public struct Result: Sendable {
        public var rows: [(table: String, count: Int)] = []
        /// The totals' values in the target: the source's × scale.
        public var totals: [(name: String, value: String)] = []
        public var seconds = 0.0
    }

    public func run(on connection: MySQLConnection) async throws -> Result {
        let started = Date()
        let q = MySQLConnection.quoteIdentifier
        let (s, t) = (q(source), q(target))
        let tables = try await connection.baseTables(in: source)
        guard !shifted.isEmpty else {
            throw MySQLError(code: .queryFailed, message: "the model has no generate.shift section: list the key columns to shift per copy (see the README)")
        }
        // Each `table.column` whose span sets a stride, read once.
        var families: [String: (table: String, column: String)] = [:]
        for family in Set(shifted.values.flatMap(\.values)) {
            guard let parts = StarModelFile.tableColumn(family) else {
                throw MySQLError(code: .queryFailed, message: "generate.shift: \(family) should be table.column")
            }
            families[family] = parts
        }
        for table in shifted.keys.sorted() + families.values.map(\.table).sorted() where !tables.contains(table) {
            throw MySQLError(code: .unknownTable, message: "database \(source) has no table \(table), which the model's generate.shift names")
        }
        if try await connection.query("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = '\(MySQLConnection.escapeLiteral(target))'").scalar != "0" {
            guard replace else {
                throw MySQLError(code: .queryFailed, message: "database \(target) already exists; pass --replace to rebuild it")
            }
            try await connection.execute("DROP DATABASE \(t)")
        }
        var strides: [String: Int] = [:]
        for (family, parts) in families {
            let span = try await connection.query("SELECT MAX(\(q(parts.column))) - MIN(\(q(parts.column))) + 1 FROM \(s).\(q(parts.table))")
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
            if let shifts = shifted[table] {
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
        for total in totals {
            result.totals.append((total.name, try await connection.query(total.query).scalar ?? "0"))
        }
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
