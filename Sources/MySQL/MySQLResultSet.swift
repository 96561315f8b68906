import CMariaDB

/// A column of a result, as the server described it.
public struct MySQLColumn: Sendable, Hashable {
    public var name: String
    /// Connector/C's `enum_field_types` value (e.g. 246 for NEWDECIMAL).
    public var fieldType: UInt32
    public var flags: UInt32
    public var decimals: UInt32
    public var characterSetNumber: UInt32

    static func columns(of result: UnsafeMutablePointer<MYSQL_RES>) -> [MySQLColumn] {
        let count = Int(mysql_num_fields(result))
        guard count > 0, let fields = mysql_fetch_fields(result) else { return [] }
        return (0..<count).map { index in
            let field = fields[index]
            return MySQLColumn(name: String(cString: field.name), fieldType: field.type.rawValue,
                               flags: field.flags, decimals: field.decimals,
                               characterSetNumber: field.charsetnr)
        }
    }
}

/// A fully read result: column descriptions and rows of text values (`nil` is SQL NULL).
public struct MySQLResultSet: Sendable {
    public var columns: [MySQLColumn]
    public var rows: [[String?]]

    /// The first column of the first row, the usual shape of `SELECT COUNT(*)`.
    public var scalar: String? { rows.first?.first ?? nil }

    /// Rows as dictionaries keyed by column name, for readable call sites.
    public var namedRows: [[String: String?]] {
        rows.map { row in
            Dictionary(uniqueKeysWithValues: zip(columns.map(\.name), row))
        }
    }
}
