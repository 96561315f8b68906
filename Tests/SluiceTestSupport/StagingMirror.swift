import Foundation
import MySQL
import Pipeline

/// Compares a MySQL table with `staging.<table>` value by value: every column
/// of every row, as multisets (so tables without a key compare too). Values
/// are read as text the same way on both sides: binary as lower-case hex,
/// everything else as the server prints it.
public enum StagingMirror {
    /// The first difference, or `nil` when staging holds exactly the MySQL rows.
    public static func difference(_ mysql: MySQLConnection, database: String, table: String,
                                  warehouse: TestWarehouse) async throws -> String? {
        let columns = try await mysql.query("""
            SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS
            WHERE TABLE_SCHEMA = '\(MySQLConnection.escapeLiteral(database))' AND TABLE_NAME = '\(MySQLConnection.escapeLiteral(table))'
            ORDER BY ORDINAL_POSITION
            """).rows.compactMap { row -> (name: String, type: String)? in
            guard let name = row[0], let type = row[1] else { return nil }
            return (name, type.lowercased())
        }
        guard !columns.isEmpty else { return "\(database).\(table) does not exist in MySQL" }
        let q = MySQLConnection.quoteIdentifier
        let binaryTypes: Set = ["binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob", "geometry", "point", "linestring",
                                "polygon", "multipoint", "multilinestring", "multipolygon", "geometrycollection", "geomcollection"]
        try await mysql.execute("SET time_zone = '+00:00'")   // TIMESTAMP as UTC, like staging below
        let source = try await mysql.query("SELECT " + columns.map { column in
            if binaryTypes.contains(column.type) { return "LOWER(HEX(\(q(column.name))))" }
            if column.type == "bit" { return "CAST(\(q(column.name)) + 0 AS CHAR)" }
            return "CAST(\(q(column.name)) AS CHAR)"
        }.joined(separator: ", ") + " FROM \(q(database)).\(q(table))").rows

        let names = columns.map { (StagingColumn.snakeCase($0.name), binaryTypes.contains($0.type), $0.type == "timestamp") }
        let present = Set(try await warehouse.rows("""
            SELECT column_name FROM information_schema.columns WHERE table_schema = 'staging' AND table_name = '\(table)'
            """).compactMap { $0[0] })
        if let missing = names.first(where: { !present.contains($0.0) }) {
            return "staging.\(table) has no column \(missing.0) (columns: \(present.sorted().joined(separator: ", ")))"
        }
        let extra = present.subtracting(names.map(\.0)).filter { !$0.hasPrefix("_src_") }
        if !extra.isEmpty { return "staging.\(table) has columns MySQL does not: \(extra.sorted().joined(separator: ", "))" }
        let staged = try await warehouse.rows("SELECT " + names.map { name, binary, instant in
            binary ? "encode(\"\(name)\", 'hex')" : instant ? "(\"\(name)\" AT TIME ZONE 'UTC')::text" : "\"\(name)\"::text"
        }.joined(separator: ", ") + " FROM staging.\"\(table)\"")

        func sorted(_ rows: [[String?]]) -> [String] {
            rows.map { $0.map { $0 ?? "∅" }.joined(separator: " | ") }.sorted()
        }
        let expected = sorted(source), actual = sorted(staged)
        guard expected != actual else { return nil }
        let missing = expected.filter { !actual.contains($0) }.prefix(3)
        let unexpected = actual.filter { !expected.contains($0) }.prefix(3)
        return "staging.\(table) differs from MySQL (\(expected.count) vs \(actual.count) rows); only in MySQL: \(Array(missing)); only in staging: \(Array(unexpected))"
    }
}
