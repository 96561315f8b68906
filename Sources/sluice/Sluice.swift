import ArgumentParser
import Foundation

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
            GenerateCommand.self,
            SQLCommand.self,
            TablesCommand.self,
            LakeCommand.self,
            DevKafkaCommand.self,
        ]
    )
}
