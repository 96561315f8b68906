import Warehouse

/// A dimension with SCD type 2 history (or type 1, overwritten in place): a
/// surrogate key, the source's natural key, descriptive columns, and
/// `valid_from` / `valid_to` / `is_current`.
///
/// Type 1 keeps one version per key and updates its attributes in place; a key
/// deleted in the source is closed as in type 2 (facts may still point at it).
///
/// Versions are dated by *source* time, the MySQL commit time of the change
/// that made them (staging's `_src_ms`), so a load that runs late still gives
/// every fact the version valid at its date. An update compares the current
/// versions with the source (staging):
/// - a changed source row closes its current version at the change's commit
///   time; a deleted one at the delete's (recorded with its pending key), or
///   at the load time when neither is known (rows loaded before times were kept);
/// - a source row without a current version opens one, valid from its change's
///   commit time (never before the key's last version closed), or from the
///   beginning of time if the key has no history yet, so that facts dated
///   before Sluice saw it still find it.
struct SlowlyChangingDimension: StarModel {
    let table: String
    let surrogateKey: String
    let naturalKey: StarColumn
    let attributes: [StarColumn]
    let sources: [String]
    /// A query over staging returning the natural key and the attributes, by name, and
    /// `_src_ms`: the commit time (ms) of the latest change behind the row.
    let query: String
    /// 2: a change opens a new version; 1: a change overwrites the current version.
    var scdType = 2

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
        // Each attribute equal between the source row `s` and the version `alias` (NULLs equal).
        let sameAs = { (alias: String) in
            attributes.map { column in
                "(s.\(column.name) = \(alias).\(column.name) OR (s.\(column.name) IS NULL AND \(alias).\(column.name) IS NULL))"
            }
        }
        let same = sameAs("d")
        let names = [key] + attributes.map(\.name)
        let sourceList = sources.map(WarehouseSession.literal).joined(separator: ", ")
        let changedAt = dialect.timestamp(milliseconds: "s._src_ms")
        let deletedAt = dialect.timestamp(milliseconds: "p.source_ms")
        // Type 1: attributes overwritten in place first, so that only deleted keys are closed below.
        let overwrite = scdType == 1 && !attributes.isEmpty ? ["""
            UPDATE mart.\(table) SET \(attributes.map { "\($0.name) = s.\($0.name)" }.joined(separator: ", "))
            FROM \(source) AS s
            WHERE mart.\(table).\(key) = s.\(key) AND mart.\(table).is_current
              AND NOT (\(sameAs("mart.\(table)").map { "COALESCE(\($0), false)" }.joined(separator: "\n      AND ")))
            """] : []
        return dialect.temporaryTable(source, as: query) + overwrite + [
            """
            UPDATE mart.\(table) SET valid_to = closing.closed_at, is_current = false
            FROM (
                SELECT d.\(surrogateKey), GREATEST(d.valid_from, COALESCE(\(changedAt), \(deletedAt), \(dialect.loadTime))) AS closed_at
                FROM mart.\(table) AS d
                LEFT JOIN \(source) AS s ON s.\(key) = d.\(key)
                LEFT JOIN (SELECT key_text, max(source_ms) AS source_ms FROM sluice.pending_changes
                           WHERE table_name IN (\(sourceList)) GROUP BY key_text) AS p ON p.key_text = CAST(d.\(key) AS varchar)
                WHERE d.is_current AND NOT EXISTS (
                    SELECT 1 FROM \(source) AS s
                    WHERE s.\(key) = d.\(key)
                      AND \(same.joined(separator: "\n      AND ")))
            ) AS closing
            WHERE mart.\(table).\(surrogateKey) = closing.\(surrogateKey)
            """,
            """
            INSERT INTO mart.\(table) (\(names.joined(separator: ", ")), valid_from, valid_to, is_current)
            SELECT \(names.map { "s.\($0)" }.joined(separator: ", ")),
                   CASE WHEN h.\(key) IS NULL THEN \(dialect.beginningOfTime)
                        ELSE GREATEST(h.last_valid_to, COALESCE(\(changedAt), \(dialect.loadTime))) END,
                   \(dialect.endOfTime), true
            FROM \(source) AS s
            LEFT JOIN (SELECT \(key), max(valid_to) AS last_valid_to FROM mart.\(table) GROUP BY \(key)) AS h ON h.\(key) = s.\(key)
            WHERE NOT EXISTS (SELECT 1 FROM mart.\(table) AS d WHERE d.\(key) = s.\(key) AND d.is_current)
            """,
        ]
    }
}
