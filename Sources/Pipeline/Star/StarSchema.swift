/// The `mart` star schema the engine builds (classicmodels'; issue 17 moves it into
/// `models/classicmodels.yaml`, which `StarModelFile` reads).
public enum StarSchema {
    static let definition = StarDefinition(
        dimensions: [.office, .employee, .customer, .product], dateDimension: DateDimension(),
        units: StarChanges.units, facts: [OrderLineFact(), PaymentFact()])
    static var dimensions: [SlowlyChangingDimension] { definition.dimensions }

    /// Staging tables the star reads; it is built once all of them exist.
    public static var sourceTables: Set<String> { definition.sourceTables }

    /// Schema and tables (idempotent).
    public static func createStatements(_ dialect: SQLDialect) -> [String] { definition.createStatements(dialect) }

    /// One incremental update, to run inside a transaction.
    public static func updateStatements(_ dialect: SQLDialect) -> [String] { definition.updateStatements(dialect) }
}
