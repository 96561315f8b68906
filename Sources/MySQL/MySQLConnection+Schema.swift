import SluiceSupport

extension MySQLConnection {
    /// Reads a table's definition from `information_schema`; throws
    /// `.unknownTable` if there is no such base table.
    public func tableDefinition(database: String, table: String) async throws -> MySQLTableDefinition {
        try await runBlocking { try self.tableDefinitionBlocking(database: database, table: table) }
    }

    /// The blocking form of `tableDefinition`.
    public func tableDefinitionBlocking(database: String, table: String) throws -> MySQLTableDefinition {
        let db = MySQLConnection.escapeLiteral(database), name = MySQLConnection.escapeLiteral(table)
        let info = try queryBlocking("""
            SELECT TABLE_ROWS FROM information_schema.TABLES
            WHERE TABLE_SCHEMA = '\(db)' AND TABLE_NAME = '\(name)' AND TABLE_TYPE = 'BASE TABLE'
            """)
        guard let estimate = info.rows.first else {
            throw MySQLError(code: .unknownTable, message: "table \(database).\(table) does not exist",
                             hint: "check --tables and MYSQL_DATABASE")
        }
        let columns = try queryBlocking("""
            SELECT COLUMN_NAME, ORDINAL_POSITION, DATA_TYPE, COLUMN_TYPE, NUMERIC_PRECISION, NUMERIC_SCALE,
                   DATETIME_PRECISION, CHARACTER_MAXIMUM_LENGTH, CHARACTER_SET_NAME, IS_NULLABLE,
                   COLUMN_DEFAULT, EXTRA
            FROM information_schema.COLUMNS
            WHERE TABLE_SCHEMA = '\(db)' AND TABLE_NAME = '\(name)'
            ORDER BY ORDINAL_POSITION
            """)
        let keys = try queryBlocking("""
            SELECT COLUMN_NAME FROM information_schema.STATISTICS
            WHERE TABLE_SCHEMA = '\(db)' AND TABLE_NAME = '\(name)' AND INDEX_NAME = 'PRIMARY'
            ORDER BY SEQ_IN_INDEX
            """)
        return MySQLTableDefinition(
            database: database, name: table,
            columns: columns.rows.map { row in
                MySQLColumnDefinition(
                    name: row[0] ?? "", position: Int(row[1] ?? "") ?? 0, dataType: (row[2] ?? "").lowercased(),
                    columnType: row[3] ?? "", numericPrecision: row[4].flatMap { Int($0) },
                    numericScale: row[5].flatMap { Int($0) }, datetimePrecision: row[6].flatMap { Int($0) },
                    characterMaximumLength: row[7].flatMap { Int($0) }, characterSet: row[8],
                    isNullable: row[9] == "YES", defaultValue: row[10], extra: row[11] ?? "")
            },
            primaryKey: keys.rows.compactMap { $0.first ?? nil },
            estimatedRows: Int(estimate.first.flatMap { $0 } ?? "") ?? 0)
    }
}

/// The server's collations: what each collation id in a TABLE_MAP means.
public struct MySQLCollations: Sendable {
    /// Collation id → character set name (`8` → `latin1`, `45` → `utf8mb4`).
    public var characterSets: [Int: String]
    /// Character set → the most bytes one character takes (`utf8mb4` → 4).
    public var maxBytes: [String: Int]

    public init(characterSets: [Int: String], maxBytes: [String: Int]) {
        self.characterSets = characterSets
        self.maxBytes = maxBytes
    }
}

extension MySQLConnection {
    /// Reads `information_schema.COLLATIONS` and `CHARACTER_SETS`.
    public func collationsBlocking() throws -> MySQLCollations {
        var characterSets: [Int: String] = [:]
        for row in try queryBlocking("SELECT ID, CHARACTER_SET_NAME FROM information_schema.COLLATIONS").rows {
            if let id = row[0].flatMap({ Int($0) }), let name = row[1] { characterSets[id] = name }
        }
        var maxBytes: [String: Int] = [:]
        for row in try queryBlocking("SELECT CHARACTER_SET_NAME, MAXLEN FROM information_schema.CHARACTER_SETS").rows {
            if let name = row[0], let length = row[1].flatMap({ Int($0) }) { maxBytes[name] = length }
        }
        characterSets[63] = characterSets[63] ?? "binary"
        maxBytes["binary"] = 1
        return MySQLCollations(characterSets: characterSets, maxBytes: maxBytes)
    }
}
