/// A dimension with SCD type 2 history: a surrogate key, the source's natural
/// key, descriptive columns, and `valid_from` / `valid_to` / `is_current`.
///
/// An update compares the current versions with the source (staging):
/// - a changed or deleted source row closes its current version at the load time;
/// - a source row without a current version opens one, valid from the load
///   time, or from the beginning of time if the key has no history yet, so
///   that facts dated before the first load still find it.
struct SlowlyChangingDimension: StarModel {
    let table: String
    let surrogateKey: String
    let naturalKey: StarColumn
    let attributes: [StarColumn]
    let sources: [String]
    /// A query over staging returning the natural key and the attributes, by name.
    let query: String

    static let history = ["valid_from", "valid_to", "is_current"]

    func create(_ dialect: SQLDialect) -> String {
        let columns = ["\(surrogateKey) \(dialect.identity)", naturalKey.definition(dialect)]
            + attributes.map { $0.definition(dialect) }
            + ["valid_from timestamp NOT NULL", "valid_to timestamp NOT NULL", "is_current boolean NOT NULL"]
        return createTable(dialect, columns: columns, distribution: .all, sortKey: [naturalKey.name, "valid_from"])
    }

    func update(_ dialect: SQLDialect) -> [String] {
        let source = "source_\(table)"
        let key = naturalKey.name
        let same = attributes.map { column in
            "(s.\(column.name) = \(table).\(column.name) OR (s.\(column.name) IS NULL AND \(table).\(column.name) IS NULL))"
        }
        let names = [key] + attributes.map(\.name)
        return dialect.temporaryTable(source, as: query) + [
            """
            UPDATE mart.\(table) SET valid_to = \(dialect.loadTime), is_current = false
            WHERE is_current AND NOT EXISTS (
                SELECT 1 FROM \(source) AS s
                WHERE s.\(key) = \(table).\(key)
                  AND \(same.joined(separator: "\n      AND ")))
            """,
            """
            INSERT INTO mart.\(table) (\(names.joined(separator: ", ")), valid_from, valid_to, is_current)
            SELECT \(names.map { "s.\($0)" }.joined(separator: ", ")),
                   CASE WHEN h.\(key) IS NULL THEN \(dialect.beginningOfTime) ELSE \(dialect.loadTime) END,
                   \(dialect.endOfTime), true
            FROM \(source) AS s
            LEFT JOIN (SELECT DISTINCT \(key) FROM mart.\(table)) AS h ON h.\(key) = s.\(key)
            WHERE NOT EXISTS (SELECT 1 FROM mart.\(table) AS d WHERE d.\(key) = s.\(key) AND d.is_current)
            """,
        ]
    }

    /// The join condition that picks the version valid on `date`.
    func validOn(_ alias: String, date: String) -> String {
        "\(date) >= \(alias).valid_from AND \(date) < \(alias).valid_to"
    }
}
