import ArgumentParser
import Foundation
import Pipeline

/// `sluice load`: S3 lake → warehouse staging tables → `mart` star schema.
struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Apply new lake files to the warehouse: staging tables, then the mart star schema.",
        discussion: """
            Each file is applied once, in one transaction with its row in sluice.loaded_files; a rerun \
            skips applied files. The star (mart.dim_*, mart.fact_*) is then updated incrementally in one \
            transaction from the keys the files touched.

            --dialect redshift --dry-run prints the SQL Sluice would run on Amazon Redshift (manifests, \
            COPY … FORMAT AS PARQUET, MERGE, the star) without running anything.
            """)

    enum Dialect: String, ExpressibleByArgument, CaseIterable { case postgres, redshift }

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var service: ServiceOptions
    @Option(help: "Top folder of the lake in the bucket.") var lakeRoot = "raw"
    @Option(help: "Comma-separated tables (default: every table in the lake).") var tables: String?
    @Option(help: "SQL dialect of the warehouse: postgres or redshift.") var dialect: Dialect = .postgres
    @Flag(help: "Print the SQL instead of running it.") var dryRun = false
    @Option(help: "IAM role Redshift's COPY assumes to read the bucket.")
    var iamRole = "arn:aws:iam::123456789012:role/sluice-redshift-copy"
    @Flag(help: "With --dry-run: plan every lake file, without reading the warehouse's ledger.") var allFiles = false
    @Flag(help: "Apply files to staging only; leave the star as it is.") var noStar = false
    @Flag(help: "Drop the mart schema and build it again from staging (SCD2 history starts over).") var rebuildStar = false
    @Flag(help: "Fail at once, instead of waiting, when another load or run is loading the warehouse.") var noWait = false

    func validate() throws {
        if dialect == .redshift && !dryRun {
            throw ValidationError("--dialect redshift only prints SQL here: add --dry-run (the warehouse that runs here is PostgreSQL)")
        }
        if dialect == .postgres && dryRun {
            throw ValidationError("--dry-run prints the Redshift SQL: add --dialect redshift")
        }
        if allFiles && !dryRun { throw ValidationError("--all-files only applies to --dry-run") }
        if noStar && rebuildStar { throw ValidationError("--no-star and --rebuild-star contradict each other: pick one") }
    }

    func run() async throws {
        let config = try connection.load()
        var options = Loader.Options()
        options.lakeRoot = lakeRoot
        options.tables = tableList(tables)
        options.updateStar = !noStar
        options.rebuildStar = rebuildStar
        options.waitForLock = !noWait
        let stop = StopSignal()
        let loader = try Loader(config: config, options: options, stop: stop)
        if dryRun {
            let script = try await loader.redshiftScript(iamRole: iamRole, useLedger: !allFiles)
            print(script.sql, terminator: "")
            return
        }
        let display = ProgressDisplay()
        let summary = try await service.serving(config, stages: ["load"]) {
            try await withStopOnSignal(stop) {
                try await StageHealth.track("load") { try await loader.run { table, rows in display.start(table, total: rows, done: rows) } }
            }
        }
        display.close()
        var table = TextTable("TABLE", "ROWS")
        for (name, rows) in summary.rowsByTable.sorted(by: { $0.key < $1.key }) { table.add(name, String(rows)) }
        print(table.rendered)
        print("load: \(summary.files) files, \(summary.rows) rows in \(String(format: "%.1f", summary.seconds)) s")
        if let seconds = summary.starSeconds {
            print("star: mart updated in \(String(format: "%.1f", seconds)) s")
        } else if let reason = summary.starSkipped {
            print("star: not updated: \(reason)")
        }
        if !summary.stopped.isEmpty {
            print("load: stopped tables (see above): \(summary.stopped.keys.sorted().joined(separator: ", "))")
            throw ExitCode(1)
        }
    }
}
