/// The `mart` star schema of classicmodels: the models in dependency order
/// and the SQL of one incremental update.
///
/// An update runs in one transaction: the SCD2 dimensions first, then the
/// facts whose keys are pending (see ``StarChanges``) with the dates they use,
/// then the consumed keys are removed. With nothing pending and no dimension
/// change, it changes no row.
public enum StarSchema {
    static let dimensions: [SlowlyChangingDimension] = [.office, .employee, .customer, .product]
    static let dateDimension = DateDimension()
    static let facts: [any StarModel] = [OrderLineFact(), PaymentFact()]
    static var models: [any StarModel] { dimensions + [dateDimension] + facts }

    /// Staging tables the star reads; it is built once all of them exist.
    public static var sourceTables: Set<String> { Set(models.flatMap(\.sources)) }

    /// Schema and tables (idempotent).
    public static func createStatements(_ dialect: SQLDialect) -> [String] {
        var statements = ["CREATE SCHEMA IF NOT EXISTS mart"] + models.map { $0.create(dialect) }
        if dialect.kind == .postgres {
            // Lookups of the version valid at a date; Redshift uses sort keys instead of indexes.
            statements += dimensions.map { dimension in
                "CREATE INDEX IF NOT EXISTS \(dimension.table)_natural ON mart.\(dimension.table) (\(dimension.naturalKey.name), valid_from)"
            }
            statements += ["CREATE UNIQUE INDEX IF NOT EXISTS dim_date_date ON mart.dim_date (\"date\")"]
        }
        return statements
    }

    /// One incremental update, to run inside a transaction.
    public static func updateStatements(_ dialect: SQLDialect) -> [String] {
        dimensions.flatMap { $0.update(dialect) }
            + StarChanges.collect(dialect)
            + dateDimension.update(dialect)
            + facts.flatMap { $0.update(dialect) }
            + StarChanges.consume(dialect)
    }
}
