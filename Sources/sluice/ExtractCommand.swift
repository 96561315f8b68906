import ArgumentParser
import Foundation
import Pipeline
import SluiceSupport

/// `sluice extract`: MySQL → Kafka, snapshot then binlog.
struct ExtractCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Publish the source tables to Kafka: a consistent snapshot, then the binlog.",
        discussion: """
            Topics: <prefix>.<table> (change events), <prefix>._schemas (table schemas, by version), \
            <prefix>._offsets (checkpoints). Without --follow it stops at the end of the current binlog; \
            with --follow it keeps going until Ctrl-C or SIGTERM, then finishes the batch in flight, \
            checkpoints and exits 0. A rerun resumes from the last checkpoint.
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var service: ServiceOptions
    @Option(help: "Topic prefix (default: the database name).") var topicPrefix: String?
    @Option(help: "Comma-separated tables to capture (default: every base table).") var tables: String?
    @Flag(help: "Keep following the binlog until interrupted.") var follow = false
    @Flag(help: "Ignore the existing checkpoint and take a new snapshot.") var reset = false
    @Option(help: "Comma-separated tables to snapshot again while the others stream (how a stopped table resumes).")
    var resnapshot: String?
    @Option(help: "Rows between snapshot checkpoints.") var checkpointRows = 20_000
    @Option(help: "auto, transaction or watermark: how snapshot chunks line up with the binlog (auto: transaction where the server allows it without a lock).")
    var snapshotMode: String = "auto"
    @Option(help: "Table in the source database for watermark marks (never captured).") var watermarkTable = "sluice_watermarks"
    @Option(help: "Connections reading snapshot chunks at once (watermark mode; more than 1 makes auto choose watermarks).")
    var snapshotParallelism = 1
    @Option(help: "Seconds to keep reconnecting to a lost binlog connection before failing.") var reconnectTimeout = 300

    func validate() throws {
        if let tables, tables.split(separator: ",").isEmpty { throw ValidationError("--tables needs at least one name") }
        if checkpointRows < 1 { throw ValidationError("--checkpoint-rows must be positive") }
        try validateSnapshotOptions(mode: snapshotMode, parallelism: snapshotParallelism)
        if reconnectTimeout < 1 { throw ValidationError("--reconnect-timeout must be at least 1 second") }
    }

    func run() async throws {
        let config = try connection.load()
        var options = ExtractOptions()
        options.topicPrefix = topicPrefix
        options.tables = tableList(tables)
        options.follow = follow
        options.reset = reset
        options.resnapshot = tableList(resnapshot) ?? []
        options.checkpointEveryRows = checkpointRows
        options.snapshotMode = SnapshotMode(rawValue: snapshotMode) ?? .auto
        options.watermarkTable = watermarkTable
        options.snapshotParallelism = snapshotParallelism
        options.reconnectTimeout = .seconds(reconnectTimeout)
        let stop = StopSignal()
        let display = ProgressDisplay()
        let extractor = try Extractor(config: config, options: options, observer: ExtractProgressPrinter(display: display),
                                      stop: stop)
        let started = Date()
        let summary = try await service.serving(config, stages: ["extract"]) {
            try await withStopOnSignal(stop) { try await runBlocking { try extractor.run() } }
        }
        display.close()
        printSummary(summary, seconds: Date().timeIntervalSince(started))
        // Each stopped table was reported on its own line when it stopped; the exit status says so too.
        if !summary.stopped.isEmpty { throw ExitCode(1) }
    }

    private func printSummary(_ summary: ExtractSummary, seconds: Double) {
        var table = TextTable("TABLE", "ROWS", "SECONDS", "ROWS/S")
        for entry in summary.snapshot {
            table.add(entry.name, String(entry.rows), String(format: "%.1f", entry.seconds),
                      String(Int(Double(entry.rows) / max(entry.seconds, 0.001))))
        }
        table.add("binlog", String(summary.binlogRows), String(format: "%.1f", summary.binlogSeconds),
                  String(Int(Double(summary.binlogRows) / max(summary.binlogSeconds, 0.001))))
        print(table.rendered)
        print("extract: done in \(String(format: "%.1f", seconds)) s; checkpoint at \(summary.position)"
              + (summary.stopped.isEmpty ? "" : "; \(summary.stopped.count) table\(summary.stopped.count == 1 ? "" : "s") stopped: \(summary.stopped.map(\.table).joined(separator: ", "))"))
    }
}

/// Checks `--snapshot-mode` and `--snapshot-parallelism` together (extract and run).
func validateSnapshotOptions(mode: String, parallelism: Int) throws {
    guard let mode = SnapshotMode(rawValue: mode) else { throw ValidationError("--snapshot-mode must be auto, transaction or watermark") }
    guard (1...16).contains(parallelism) else { throw ValidationError("--snapshot-parallelism must be between 1 and 16") }
    if mode == .transaction && parallelism > 1 {
        throw ValidationError("--snapshot-parallelism \(parallelism) needs watermark chunks: use --snapshot-mode watermark (or auto), or parallelism 1")
    }
}

/// Turns extract's progress callbacks into bars or log lines.
struct ExtractProgressPrinter: ExtractProgressObserver {
    let display: ProgressDisplay

    func snapshotStarted(table: String, estimatedRows: Int, rowsAlreadySent: Int) {
        display.start(table, total: estimatedRows, done: rowsAlreadySent)
    }
    func snapshotProgress(table: String, rowsSent: Int) { display.update(table, done: rowsSent) }
    func snapshotFinished(table: String, rowsSent: Int, seconds: Double) { display.update(table, done: rowsSent, finished: true) }
    func binlogProgress(position: String, rowsSent: Int, caughtUp: Bool) {
        guard rowsSent > 0 else { return }
        display.start("binlog", total: rowsSent, done: rowsSent)
        if caughtUp { display.update("binlog", done: rowsSent, finished: true) }
    }
}
