import ArgumentParser
import MySQL
import Pipeline

/// `sluice tables`: the source database's base tables with exact row counts.
struct TablesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tables",
        abstract: "List the source database's tables with their exact row counts.")

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let config = try connection.load()
        let settings = try config.mysql()
        let mysql = try await MySQLConnection.connect(settings)
        let database = settings.database ?? ""
        var table = TextTable("TABLE", "ROWS")
        var total = 0
        for name in try await mysql.baseTables(in: database) {
            let count = try await mysql.query(
                "SELECT COUNT(*) FROM \(MySQLConnection.quoteIdentifier(database)).\(MySQLConnection.quoteIdentifier(name))")
            let rows = Int(count.scalar ?? "") ?? 0
            total += rows
            table.add(name, String(rows))
        }
        table.add("total", String(total))
        print("Source \(settings.displayName):")
        print(table.rendered)
    }
}
