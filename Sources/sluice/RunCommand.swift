import ArgumentParser
import Foundation
import Pipeline

/// `sluice run`: extract, land and load concurrently, once or continuously.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run extract, land and load together: until the warehouse has caught up, or continuously with --follow.",
        discussion: """
            The three stages run at the same time in this process: land consumes while extract produces \
            (so bounded Kafka retention never holds a whole snapshot), load applies lake files as they \
            appear. Without --follow the run ends once the warehouse holds everything up to the binlog \
            position the source had at start. With --follow it keeps going until Ctrl-C or SIGTERM; \
            each stage then finishes its batch in flight and checkpoints. A failure in one stage stops all three.
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var service: ServiceOptions
    @Option(help: "Topic prefix (default: the database name).") var topicPrefix: String?
    @Option(help: "Comma-separated tables (default: every base table).") var tables: String?
    @Option(help: "Top folder of the lake in the bucket.") var lakeRoot = "raw"
    @Flag(help: "Keep all three stages running until interrupted.") var follow = false
    @Option(help: "Seconds between load passes.") var loadInterval = 2.0
    @Option(help: "auto, transaction or watermark (see sluice extract --help).") var snapshotMode: String = "auto"
    @Option(help: "Connections reading snapshot chunks at once (see sluice extract --help).") var snapshotParallelism = 1
    @Option(help: "Land batch size in rows (default 50000, or 1000 with --follow).") var flushRows: Int?

    func validate() throws {
        if loadInterval <= 0 || loadInterval > 3600 { throw ValidationError("--load-interval must be between 0 and 3600 seconds") }
        if let flushRows, flushRows < 1 { throw ValidationError("--flush-rows must be positive") }
        try validateSnapshotOptions(mode: snapshotMode, parallelism: snapshotParallelism)
    }

    func run() async throws {
        let config = try connection.load()
        var options = PipelineRunner.Options()
        options.topicPrefix = topicPrefix
        options.tables = tableList(tables)
        options.lakeRoot = lakeRoot
        options.follow = follow
        options.loadIntervalSeconds = loadInterval
        guard let mode = SnapshotMode(rawValue: snapshotMode) else { throw ValidationError("--snapshot-mode must be auto, transaction or watermark") }
        options.snapshotMode = mode
        options.snapshotParallelism = snapshotParallelism
        options.flushRows = flushRows
        let stop = StopSignal()
        let runner = PipelineRunner(config: config, options: options, stop: stop)
        let line = StatusLine()
        let ticker = Task {
            while !Task.isCancelled {
                // The first line after a second: a run that fails at once shows only its error.
                try? await Task.sleep(for: .seconds(1))
                if Task.isCancelled { break }
                let now = runner.progress.snapshot
                line.show("extract \(now.extractedRows) rows │ land \(now.landedRows) rows, \(now.landedFiles) files │ load \(now.loadedRows) rows, \(now.loadedFiles) files, star ×\(now.starUpdates)")
            }
        }
        let summary: PipelineRunner.Summary
        do {
            summary = try await service.serving(config, stages: ["extract", "land", "load"]) {
                try await withStopOnSignal(stop) { try await runner.run() }
            }
        } catch {
            ticker.cancel()
            line.clear()
            throw error
        }
        ticker.cancel()
        line.clear()
        var table = TextTable("STAGE", "ROWS", "SECONDS", "ROWS/S", "")
        for stage in summary.stages {
            table.add(stage.stage, String(stage.rows), String(format: "%.1f", stage.seconds),
                      String(Int(Double(stage.rows) / max(stage.seconds, 0.001))), stage.detail)
        }
        print(table.rendered)
        print("run: done in \(String(format: "%.1f", summary.seconds)) s; the warehouse has the source up to binlog \(summary.startPosition) (extract checkpoint \(summary.extractPosition))"
              + (summary.stoppedTables.isEmpty ? "" : "; stopped tables (see above): \(summary.stoppedTables.joined(separator: ", "))"))
        if !summary.stoppedTables.isEmpty { throw ExitCode(1) }
    }
}

/// One status line on standard error, redrawn in place on a terminal and
/// logged every 10 seconds otherwise.
final class StatusLine: @unchecked Sendable {
    private let lock = NSLock()
    private let isTerminal = isatty(STDERR_FILENO) == 1 && !CommandLogging.isJSON
    private var lastLogged = Date.distantPast
    private var drawn = false

    func show(_ text: String) {
        lock.withLock {
            if isTerminal {
                FileHandle.standardError.write(Data("\r\u{1B}[2K\(text)".utf8))
                drawn = true
            } else if Date().timeIntervalSince(lastLogged) >= 10 {
                CommandLogging.progress(text)
                lastLogged = Date()
            }
        }
    }

    func clear() {
        lock.withLock {
            if drawn { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
            drawn = false
        }
    }
}
