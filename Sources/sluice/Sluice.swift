import ArgumentParser
import Foundation
import Logging

@main
struct Sluice: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice",
        abstract: "Moves a MySQL database into a warehouse through Kafka and an S3 data lake.",
        discussion: """
            Settings come from flags, the environment, .env, or the stack file written by \
            scripts/stack up (.sluice/stack.env). `sluice config` shows what is in effect.
            """,
        subcommands: [
            ConfigCommand.self,
            DoctorCommand.self,
            ExtractCommand.self,
            SnapshotCommand.self,
            LandCommand.self,
            RunCommand.self,
            LoadCommand.self,
            VerifyCommand.self,
            StatusCommand.self,
            ReportCommand.self,
            ModelCommand.self,
            GenerateCommand.self,
            SQLCommand.self,
            TablesCommand.self,
            LakeCommand.self,
            DevKafkaCommand.self,
            HealthCommand.self,
        ]
    )

    /// As ArgumentParser's, except that with `--log-format json` the closing error is a JSON log line too.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            let message = fullMessage(for: error)
            let code = exitCode(for: error)
            if CommandLogging.isJSON && !message.isEmpty && code != .success {
                Logger(label: "sluice").critical("\(message)")
                Foundation.exit(code.rawValue)
            }
            exit(withError: error)
        }
    }
}
