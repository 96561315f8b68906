/// One table of the `mart` star schema: how to create it and the statements
/// that bring it up to date from `staging` and `sluice.pending_changes`.
///
/// Every model is plain SQL, written once for both warehouses; ``SQLDialect``
/// supplies the few differing pieces.
protocol StarModel: Sendable {
    /// Table name inside `mart`.
    var table: String { get }
    /// Staging tables it reads; the star waits until all of them exist.
    var sources: [String] { get }
    func create(_ dialect: SQLDialect) -> String
    func update(_ dialect: SQLDialect) -> [String]
}

/// A star column and its warehouse type.
struct StarColumn: Sendable {
    enum Kind: Sendable, Equatable {
        case smallint, integer, bigint, boolean, date, timestamp, text, double
        case varchar(Int)
        case numeric(Int, Int)
    }

    let name: String
    let kind: Kind
    let notNull: Bool

    init(_ name: String, _ kind: Kind, notNull: Bool = false) {
        self.name = name
        self.kind = kind
        self.notNull = notNull
    }

    func definition(_ dialect: SQLDialect) -> String {
        "\(name) \(type(dialect))\(notNull ? " NOT NULL" : "")"
    }

    func type(_ dialect: SQLDialect) -> String {
        switch kind {
        case .smallint: return "smallint"
        case .integer: return "integer"
        case .bigint: return "bigint"
        case .boolean: return "boolean"
        case .date: return "date"
        case .timestamp: return "timestamp"
        case .text: return dialect.text
        case .double: return "double precision"
        // MySQL counts characters, Redshift counts bytes: room for 4-byte UTF-8.
        case .varchar(let length): return dialect.kind == .postgres ? "varchar(\(length))" : "varchar(\(min(length * 4, 65535)))"
        case .numeric(let precision, let scale): return "numeric(\(precision),\(scale))"
        }
    }
}

extension StarModel {
    /// `CREATE TABLE IF NOT EXISTS mart.<table>` with the dialect's attributes.
    func createTable(_ dialect: SQLDialect, columns: [String], distribution: SQLDialect.Distribution, sortKey: [String]) -> String {
        "CREATE TABLE IF NOT EXISTS mart.\(table) (\n    " + columns.joined(separator: ",\n    ") + "\n)"
            + dialect.tableAttributes(distribution, sortKey: sortKey)
    }
}

/// The join condition that picks the version of dimension `alias` valid on `date`.
func validOn(_ alias: String, date: String) -> String {
    "\(date) >= \(alias).valid_from AND \(date) < \(alias).valid_to"
}

/// `YYYYMMDD` as an integer, the key of `mart.dim_date`.
func dateKey(_ expression: String) -> String {
    "CAST(TO_CHAR(\(expression), 'YYYYMMDD') AS integer)"
}
