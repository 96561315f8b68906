import Foundation
import MySQL

/// `sluice model init`: a first model file drafted from the source's primary keys, foreign keys
/// and column types, for a person to review and edit. Every guess carries a `# guess:` comment.
///
/// - A table that a foreign key references, with a one-column primary key, becomes an SCD2
///   dimension of all its columns, mirroring the table for `verify`.
/// - A table with at least two foreign keys to dimensions and a numeric column of its own becomes
///   a fact at its primary key's grain: a key per dimension (the version valid on the fact's first
///   date), a date key per date column, its other columns as measures; its rebuild unit maps
///   changes of the table and of each dimension's table to the fact rows they affect.
/// - Other tables are listed in a closing comment (a table with two foreign keys and no measures
///   is named as a possible bridge).
public struct ModelDraft: Sendable {
    struct ForeignKey: Sendable {
        let table: String
        let column: String
        let referencedTable: String
        let referencedColumn: String
    }

    let database: String
    let tables: [MySQLTableDefinition]
    let foreignKeys: [ForeignKey]

    /// Reads the source's tables, keys and foreign keys.
    public static func read(_ mysql: MySQLConnection, database: String) async throws -> ModelDraft {
        var tables: [MySQLTableDefinition] = []
        for table in try await mysql.baseTables(in: database) where table != ExtractOptions().watermarkTable {
            tables.append(try await mysql.tableDefinition(database: database, table: table))
        }
        let rows = try await mysql.query("""
            SELECT k.TABLE_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME
            FROM information_schema.KEY_COLUMN_USAGE AS k
            WHERE k.TABLE_SCHEMA = '\(MySQLConnection.escapeLiteral(database))' AND k.REFERENCED_TABLE_NAME IS NOT NULL
              AND k.REFERENCED_TABLE_SCHEMA = k.TABLE_SCHEMA
            ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION
            """).rows
        let all = rows.map { ForeignKey(table: $0[0] ?? "", column: $0[1] ?? "", referencedTable: $0[2] ?? "", referencedColumn: $0[3] ?? "") }
        return ModelDraft(database: database, tables: tables, foreignKeys: all)
    }

    /// Tables that become dimensions: referenced by a foreign key, one-column primary key.
    var dimensionTables: [MySQLTableDefinition] {
        let referenced = Set(foreignKeys.map(\.referencedTable))
        return tables.filter { referenced.contains($0.name) && $0.primaryKey.count == 1 }
    }

    /// Tables that become facts: two or more foreign keys to dimensions and a numeric column that is no key.
    var factTables: [MySQLTableDefinition] {
        let dimensions = Set(dimensionTables.map(\.name))
        return tables.filter { table in
            !dimensions.contains(table.name) && !table.primaryKey.isEmpty
                && keys(of: table).count >= 2 && !measures(of: table).isEmpty
        }
    }

    /// A table's foreign keys to dimension tables.
    func keys(of table: MySQLTableDefinition) -> [ForeignKey] {
        let dimensions = Set(dimensionTables.map(\.name))
        return foreignKeys.filter { $0.table == table.name && dimensions.contains($0.referencedTable) }
    }

    /// Numeric columns that are neither primary nor foreign key.
    func measures(of table: MySQLTableDefinition) -> [MySQLColumnDefinition] {
        let keyColumns = Set(table.primaryKey + foreignKeys.filter { $0.table == table.name }.map(\.column))
        return table.columns.filter { !keyColumns.contains($0.name) && Self.isNumeric($0) }
    }

    static func isNumeric(_ column: MySQLColumnDefinition) -> Bool {
        ["tinyint", "smallint", "mediumint", "int", "integer", "bigint", "decimal", "numeric", "float", "double"].contains(column.dataType)
            && column.columnType.lowercased() != "tinyint(1)"
    }

    static func isDate(_ column: MySQLColumnDefinition) -> Bool { ["date", "datetime", "timestamp"].contains(column.dataType) }

    /// The star type of a source column, and whether it is a guess worth a comment.
    static func starType(_ column: MySQLColumnDefinition) -> (type: String, guess: String?) {
        let unsigned = column.isUnsigned
        switch column.dataType {
        case "tinyint": return column.columnType.lowercased().hasPrefix("tinyint(1)") ? ("smallint", "tinyint(1): 0/1 kept as a number") : ("smallint", nil)
        case "smallint": return unsigned ? ("integer", nil) : ("smallint", nil)
        case "mediumint": return ("integer", nil)
        case "int", "integer": return unsigned ? ("bigint", nil) : ("integer", nil)
        case "bigint": return unsigned ? ("numeric(20,0)", nil) : ("bigint", nil)
        case "decimal", "numeric": return ("numeric(\(column.numericPrecision ?? 10),\(column.numericScale ?? 0))", nil)
        case "float", "double": return ("double precision", "a float is not exact; verify leaves it out")
        case "date": return ("date", nil)
        case "datetime", "timestamp": return ("timestamp", nil)
        case "char", "varchar", "enum", "set": return ("varchar(\(max(column.characterMaximumLength ?? 255, 1)))", nil)
        case "year": return ("smallint", nil)
        default: return ("text", "\(column.dataType) kept as text")
        }
    }
}
