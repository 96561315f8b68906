import ArgumentParser
import Foundation
import Pipeline

/// `sluice load`: S3 lake → warehouse staging tables.
struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Apply new lake files to the warehouse's staging tables (the current state of each source table).",
        discussion: """
            Each file is applied once, in one transaction with its row in sluice.loaded_files; a rerun \
            skips applied files. The star schema (mart) is not built yet: see the README.
            """)

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Top folder of the lake in the bucket.") var lakeRoot = "raw"
    @Option(help: "Comma-separated tables (default: every table in the lake).") var tables: String?

    func run() async throws {
        let config = try connection.load()
        var options = Loader.Options()
        options.lakeRoot = lakeRoot
        options.tables = tableList(tables)
        let stop = StopSignal()
        let display = ProgressDisplay()
        let loader = try Loader(config: config, options: options, stop: stop)
        let summary = try await withStopOnSignal(stop) {
            try await loader.run { table, rows in display.start(table, total: rows, done: rows) }
        }
        display.close()
        var table = TextTable("TABLE", "ROWS")
        for (name, rows) in summary.rowsByTable.sorted(by: { $0.key < $1.key }) { table.add(name, String(rows)) }
        print(table.rendered)
        print("load: \(summary.files) files, \(summary.rows) rows in \(String(format: "%.1f", summary.seconds)) s")
    }
}
