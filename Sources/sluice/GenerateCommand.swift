import ArgumentParser
import Foundation
import MySQL
import Pipeline

/// `sluice generate --scale N`: the source database × N in its own MySQL database.
struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Build the source database × N in another MySQL database, for benchmarks and large runs.",
        discussion: """
            The tables the model's generate.shift lists are copied N times with shifted key columns \
            (keys unique, foreign keys valid); the rest is copied once. Totals are exactly N times the \
            source's; the model's check queries are printed for the copy. Uses SLUICE_MYSQL_ADMIN_USER (set by scripts/stack) if configured, \
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
        guard let source = settings.database else { throw ValidationError("set MYSQL_DATABASE (--mysql-database): the database to copy") }
        let model = try config.model()
        var sample = ScaledSample(source: source, target: targetDatabase ?? "\(source)_x\(scale)", scale: scale,
                                  shifted: model.generateShifts, totals: model.checkQueries.map { ($0.name, $0.source) })
        sample.replace = replace
        let mysql = try await MySQLConnection.connect(settings)
        let result = try await sample.run(on: mysql)
        var table = TextTable("TABLE", "ROWS")
        for (name, rows) in result.rows { table.add(name, String(rows)) }
        print(table.rendered)
        let totals = result.totals.map { "; \($0.name) = \($0.value)" }.joined()
        print("generate: \(sample.target) = \(source) × \(scale) in \(String(format: "%.1f", result.seconds)) s\(totals)")
    }
}
