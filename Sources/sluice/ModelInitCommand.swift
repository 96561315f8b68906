import ArgumentParser
import Foundation
import MySQL
import Pipeline

/// `sluice model init`: a draft model file from the source's keys and types.
struct ModelInitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Draft a model file from the source database's primary keys, foreign keys and column types.",
        discussion: """
            Tables referenced by foreign keys become dimensions; tables with two or more foreign keys to \
            them and a numeric column become facts; the facts' dates get the date dimension. Every guess \
            is marked with a "# guess:" comment: review, edit, then run sluice model check.
            """)

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Where to write the draft.") var output = "sluice.model.yaml"
    @Flag(help: "Overwrite the output file if it exists.") var force = false

    func run() async throws {
        if FileManager.default.fileExists(atPath: output) && !force {
            throw ValidationError("\(output) already exists: pass --force to overwrite it, or --output to write elsewhere")
        }
        let config = try connection.load()
        let settings = try config.mysql()
        let mysql = try await MySQLConnection.connect(settings)
        let draft = try await ModelDraft.read(mysql, database: settings.database ?? "")
        do {
            try Data(draft.yaml.utf8).write(to: URL(fileURLWithPath: output))
        } catch {
            throw ValidationError("cannot write \(output): \(error.localizedDescription)")
        }
        print("model init: wrote \(output); review the # guess: lines, then run sluice model check --model \(output)")
    }
}
