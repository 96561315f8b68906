import ArgumentParser
import Pipeline

extension SQLDialect.Kind: ExpressibleByArgument {}

/// `sluice model plan`: the SQL the model makes, for one warehouse dialect.
struct ModelPlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print the star's DDL and one incremental update as SQL, for PostgreSQL or Redshift.")

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "postgres or redshift.") var dialect: SQLDialect.Kind = .postgres

    func run() async throws {
        print(try connection.load().model().plan(dialect), terminator: "")
    }
}
