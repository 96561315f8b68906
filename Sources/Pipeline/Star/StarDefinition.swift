import Warehouse

/// A star schema: SCD2 dimensions, a date dimension, the rebuild units its facts are rebuilt
/// by, and the facts, with the SQL that creates it and brings it up to date.
///
/// An update runs in one transaction: the dimensions first, then the rebuild units from the
/// pending keys (see ``RebuildUnit``), the dates they use, the facts of those units, and then
/// the consumed keys are removed. With nothing pending and no dimension change, it changes no row.
struct StarDefinition: Sendable {
    var dimensions: [SlowlyChangingDimension]
    var dateDimension: DateDimension
    var units: [RebuildUnit]
    var facts: [any StarModel]

    var models: [any StarModel] { dimensions + [dateDimension] + facts }

    /// Staging tables the star reads; it is built once all of them exist.
    var sourceTables: Set<String> { Set(models.flatMap(\.sources)) }

    /// Staging tables the star reads that do not exist yet, sorted.
    func missingSources(_ session: WarehouseSession) async throws -> [String] {
        let present = Set(try await session.rows(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'staging'").rows.compactMap { $0[0] })
        return sourceTables.subtracting(present).sorted()
    }

    /// Whether every fact table exists (a star not there yet, or rebuilt, starts from all of staging).
    func exists(_ session: WarehouseSession) async throws -> Bool {
        for fact in facts where !(try await session.exists("mart.\(fact.table)")) { return false }
        return true
    }

    /// Schema and tables (idempotent).
    func createStatements(_ dialect: SQLDialect) -> [String] { labeledCreateStatements(dialect).map(\.sql) }

    /// One incremental update, to run inside a transaction.
    func updateStatements(_ dialect: SQLDialect) -> [String] { labeledUpdateStatements(dialect).map(\.sql) }

    /// ``createStatements(_:)``, each with the model (table or rebuild unit) it comes from (`""`: the star's own).
    func labeledCreateStatements(_ dialect: SQLDialect) -> [(owner: String, sql: String)] {
        var statements = [("", "CREATE SCHEMA IF NOT EXISTS mart")] + models.map { ($0.table, $0.create(dialect)) }
        if dialect.kind == .postgres {
            // Lookups of the version valid at a date; Redshift uses sort keys instead of indexes.
            statements += dimensions.map { dimension in
                (dimension.table,
                 "CREATE INDEX IF NOT EXISTS \(dimension.table)_natural ON mart.\(dimension.table) (\(dimension.naturalKey.name), valid_from)")
            }
            statements += [(dateDimension.table,
                            "CREATE UNIQUE INDEX IF NOT EXISTS \(dateDimension.table)_date ON mart.\(dateDimension.table) (\"date\")")]
        }
        return statements
    }

    /// ``updateStatements(_:)``, each with the model (table or rebuild unit) it comes from.
    func labeledUpdateStatements(_ dialect: SQLDialect) -> [(owner: String, sql: String)] {
        let owned = { (model: any StarModel) in model.update(dialect).map { (model.table, $0) } }
        return dimensions.flatMap(owned)
            + dialect.temporaryTable("star_pending", as: "SELECT table_name, key_text FROM sluice.pending_changes").map { ("", $0) }
            + units.flatMap { unit in dialect.temporaryTable(unit.name, as: unit.query).map { (unit.name, $0) } }
            + owned(dateDimension)
            + facts.flatMap(owned)
            + [("", """
               DELETE FROM sluice.pending_changes USING star_pending AS p
               WHERE pending_changes.table_name = p.table_name AND pending_changes.key_text = p.key_text
               """)]
    }

    /// Marks every unit in staging pending, so that the next update rebuilds all facts (a new or
    /// rebuilt star). PostgreSQL only: it runs here, before an update.
    func markEverything() -> [String] {
        units.map { unit in
            """
            INSERT INTO sluice.pending_changes (table_name, key_text)
            SELECT \(WarehouseSession.literal(unit.markAll.table)), \(unit.markAll.key) FROM staging.\(ModelNames.sqlName(unit.markAll.table))
            ON CONFLICT DO NOTHING
            """
        }
    }
}

/// The keys whose facts an update rebuilds (a temporary table), from the keys the staging merge
/// recorded since the last update (`star_pending`): a fact is rebuilt when its own rows changed,
/// and also when one of its dimensions' source rows changed, so that a dimension row arriving
/// after its facts fills in their keys. Rebuilding picks the dimension versions valid at the
/// fact's date, so history is never rewritten.
struct RebuildUnit: Sendable {
    let name: String
    /// The unit's key columns, as a select list.
    let columns: String
    /// Marking everything pending: the source table and the key text of each of its rows.
    let markAll: (table: String, key: String)
    /// Queries, each giving the units one kind of pending change affects.
    let changes: [String]

    var query: String {
        "SELECT DISTINCT \(columns) FROM (\n    "
            + changes.map { indented($0, by: 4) }.joined(separator: "\n    UNION ALL\n    ")
            + "\n) AS changed"
    }
}
