import ArgumentParser
import Foundation
import MySQL
import Pipeline

/// `sluice generate --scale N`: classicmodels × N in its own MySQL database.
struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Build classicmodels × N in another MySQL database, for benchmarks and large runs.",
        discussion: """
            Customers, orders, order lines and payments are copied N times with shifted customer and \
            order numbers (keys unique, foreign keys valid); the rest is copied once. Totals are exactly \
            N times the source's. Uses SLUICE_MYSQL_ADMIN_USER (set by scripts/stack) if configured, \
            since it creates a database.
            """)

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "How many copies of the sample (1…10000).") var scale: Int
    @Option(help: "Database to create (default: <source>_x<scale>).") var targetDatabase: String?
    @Flag(help: "Drop the target database first if it exists.") var replace = false

    func validate() throws {
        guard (1...10_000).contains(scale) else { throw ValidationError("--scale must be between 1 and 10000") }
        if let targetDatabase, targetDatabase.isEmpty || targetDatabase.contains(where: { !$0.isLetter && !$0.isNumber && $0 != "_" }) {
            throw ValidationError("--target-database may contain only letters, digits and _")
        }
    }

    func run() async throws {
        let config = try connection.load()
        let settings = try config.mysqlAdmin()
        let source = settings.database ?? "classicmodels"
        var sample = ScaledSample(source: source, target: targetDatabase ?? "\(source)_x\(scale)", scale: scale)
        sample.replace = replace
        let mysql = try await MySQLConnection.connect(settings)
        let result = try await sample.run(on: mysql)
        var table = TextTable("TABLE", "ROWS")
        for (name, rows) in result.rows { table.add(name, String(rows)) }
        print(table.rendered)
        print("generate: \(sample.target) = \(source) × \(scale) in \(String(format: "%.1f", result.seconds)) s; sales (quantity × price) = \(result.sales)")
    }
}
