import ArgumentParser
import Pipeline

/// `sluice model check`: the model file validated, then tried against the source and the warehouse.
struct ModelCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the model file, then try it against the source and the warehouse.",
        discussion: """
            Prints one line per problem, each with file:line, and exits non-zero if there is any. With \
            --offline only the file itself is checked. Otherwise every source table it names must exist, \
            and once staging holds them the whole star is built and updated once in a transaction that is \
            rolled back: nothing in the warehouse changes.
            """)

    @OptionGroup var connection: ConnectionOptions
    @Flag(help: "Check the file only, without connecting to any database.") var offline = false

    func run() async throws {
        let config = try connection.load()
        let model: SluiceModel
        do {
            model = try config.model()
        } catch let error as ModelError {
            for problem in error.problems { print(problem) }
            throw ExitCode.failure
        }
        guard !offline else {
            print("model check: \(model.path) ✓ (file only)")
            return
        }
        let result = try await model.check(config: config)
        for note in result.notes { print("note: \(note)") }
        for problem in result.problems { print(problem) }
        guard result.problems.isEmpty else { throw ExitCode.failure }
        print("model check: \(model.path) ✓")
    }
}
