/// A fact table declared in a model file: rebuilt per rebuild unit (its rows of the affected
/// units deleted, then inserted from `select`). In `select`, `{date_key EXPR}` is the `YYYYMMDD`
/// key of a date and `{valid_on ALIAS DATE}` picks a dimension's version valid on `DATE`.
struct ModelFact: StarModel {
    let table: String
    let sources: [String]
    let grain: [String]
    /// The rebuild unit's temporary table and its key columns (the fact's rows of a unit share them).
    let unit: String
    let unitColumns: [String]
    let columns: [StarColumn]
    let distribution: SQLDialect.Distribution
    let sortKey: [String]
    let select: String

    func create(_ dialect: SQLDialect) -> String {
        createTable(dialect, columns: columns.map { $0.definition(dialect) } + ["PRIMARY KEY (\(grain.joined(separator: ", ")))"],
                    distribution: distribution, sortKey: sortKey)
    }

    func update(_ dialect: SQLDialect) -> [String] {
        [
            "DELETE FROM mart.\(table) USING \(unit) AS a WHERE " + unitColumns.map { "\(table).\($0) = a.\($0)" }.joined(separator: " AND "),
            "INSERT INTO mart.\(table) (\(columns.map(\.name).joined(separator: ", ")))\n" + Self.expand(select),
        ]
    }

    /// `select` with its placeholders replaced.
    static func expand(_ select: String) -> String {
        var sql = select
        sql.replace(/\{date_key ([^}]+)\}/) { dateKey(String($0.1)) }
        sql.replace(/\{valid_on (\S+) ([^}]+)\}/) { validOn(String($0.1), date: String($0.2)) }
        return sql
    }
}
