import ArgumentParser
import Foundation
import Pipeline

/// `sluice verify`: counts, exact sums and key hashes in MySQL, the lake and the warehouse.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Reconcile every table: row counts, exact sums and a key hash in MySQL, the lake, staging and the star.",
        discussion: """
            Exits 1 if any value differs from MySQL's. The lake column is each key's latest change \
            (deletes removed); the mart column is the star's counterpart (current dimension rows, fact rows). \
            Run it when the pipeline is idle: changes in flight show as differences.
            """)

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Comma-separated tables (default: every base table).") var tables: String?
    @Option(help: "Topic prefix of the extract (default: the database name); its stopped tables fail verify.") var topicPrefix: String?
    @Option(help: "Top folder of the lake in the bucket.") var lakeRoot = "raw"
    @Flag(help: "Skip the lake (it reads every lake object).") var noLake = false
    @Flag(help: "Print the result as JSON.") var json = false

    func run() async throws {
        let config = try connection.load()
        var options = Verifier.Options()
        options.tables = tableList(tables)
        options.topicPrefix = topicPrefix
        options.lakeRoot = lakeRoot
        options.checkLake = !noLake
        let report = try await Verifier(config: config, options: options).run()
        if json {
            print(String(decoding: report.json.serialized, as: UTF8.self))
        } else {
            var table = TextTable("TABLE", "CHECK", "MYSQL", "LAKE", "STAGING", "MART", "")
            for check in report.checks {
                table.add(check.table, check.check, check.mysql ?? "-", check.lake ?? "-", check.staging ?? "-", check.mart ?? "-",
                          check.passed ? "✓" : "✗")
            }
            print(table.rendered)
            let failed = report.checks.filter { !$0.passed }.count
            print(failed == 0 ? "verify: ✓ all \(report.checks.count) checks agree"
                              : "verify: ✗ \(failed) of \(report.checks.count) checks differ from MySQL")
        }
        if !report.passed { throw ExitCode(1) }
    }
}
