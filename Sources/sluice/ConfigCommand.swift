import ArgumentParser
import Pipeline

/// `sluice config`: the effective settings, each with its origin, secrets masked.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Print the effective settings and where each comes from (secrets masked).")

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let config = try connection.load()
        var table = TextTable("SETTING", "VALUE", "FROM")
        for entry in config.entries {
            table.add(entry.setting.key, entry.displayValue, entry.origin.description)
        }
        for property in config.kafkaProperties {
            table.add("kafka \(property.name)", property.displayValue, property.origin.description)
        }
        print(table.rendered)
    }
}
