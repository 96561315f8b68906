import ArgumentParser
import Pipeline
import Warehouse

/// `sluice sql`: a read-only query on the warehouse, printed as a table.
struct SQLCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sql",
        abstract: "Run a read-only query on the warehouse and print the result as a table.")

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The query, e.g. \"SELECT count(*) FROM mart.dim_date\".") var query: String

    func run() async throws {
        let config = try connection.load()
        let result = try await Warehouse.withConnection(try config.warehouse()) { connection in
            let session = WarehouseSession(connection: connection)
            return try await session.transaction {
                try await session.execute("SET TRANSACTION READ ONLY")
                return try await session.rows(query)
            }
        }
        guard !result.columns.isEmpty else { print("(no rows)"); return }
        var table = TextTable(result.columns)
        for row in result.rows { table.rows.append(row.map { $0 ?? "NULL" }) }
        print(table.rendered)
        print("(\(result.rows.count) row\(result.rows.count == 1 ? "" : "s"))")
    }
}
