import Foundation
import Logging
import MySQL
import SluiceSupport

/// `sluice run`: extract, land and load at the same time, as a pipeline.
///
/// Land consumes while extract produces, so a broker with bounded retention
/// never holds more than the stages' lag; load applies lake files as they
/// appear. Without `follow`, the run ends when the warehouse has everything
/// up to the binlog position the source had at start: extract stops at the
/// end of the binlog, land then drains its partitions, load makes a last pass.
/// With `follow`, all three keep going until `stop`.
///
/// A failing stage stops the other two (each finishes its batch in flight and
/// checkpoints) and its error is the run's.
public final class PipelineRunner: @unchecked Sendable {
    public struct Options: Sendable {
        public var topicPrefix: String?
        public var tables: [String]?
        public var lakeRoot = "raw"
        public var follow = false
        /// Seconds between load passes. Default 2.
        public var loadIntervalSeconds = 2.0
        /// Land batch size in rows (smaller batches mean fresher data). Default 50,000; 1,000 when following.
        public var flushRows: Int?
        /// Land writes a partial batch after this many quiet seconds. Default 5; 0.25 when following
        /// (and then also any batch whose first row waited 1 s).
        public var idleFlushSeconds: Double?
        /// How extract lines snapshot chunks up with the binlog. Default `.auto`.
        public var snapshotMode: SnapshotMode = .auto
        /// Connections reading snapshot chunks at once (watermark mode).
        public var snapshotParallelism = 1
        public init() {}
    }

    /// One stage's totals for the final table.
    public struct StageSummary: Sendable {
        public var stage: String
        public var rows: Int
        public var seconds: Double
        public var detail: String
    }

    public struct Summary: Sendable {
        public var stages: [StageSummary] = []
        public var seconds = 0.0
        /// The source's binlog position when the run started; the warehouse has everything up to it.
        public var startPosition = ""
        /// Where extract's checkpoint stands at the end.
        public var extractPosition = ""
        /// Tables extract stopped (each reported on its own line when it stopped).
        public var stoppedTables: [String] = []
    }

    let config: SluiceConfig
    let options: Options
    let stop: StopSignal
    public let progress = RunProgress()
    let logger: Logger

    public init(config: SluiceConfig, options: Options, stop: StopSignal, logger: Logger = Logger(label: "sluice.run")) {
        self.config = config
        self.options = options
        self.stop = stop
        self.logger = logger
    }

    public func run() async throws -> Summary {
        let started = Date()
        var summary = Summary()
        let settings = try config.mysql()
        let source = try await MySQLConnection.connect(settings)
        summary.startPosition = try await runBlocking { try source.currentBinlogPositionBlocking() }.description

        var extractOptions = ExtractOptions()
        extractOptions.topicPrefix = options.topicPrefix
        extractOptions.tables = options.tables
        extractOptions.follow = options.follow
        extractOptions.snapshotMode = options.snapshotMode
        extractOptions.snapshotParallelism = options.snapshotParallelism
        let extractor = try Extractor(config: config, options: extractOptions, observer: progress, stop: stop)

        let extractFinished = StopSignal()
        var landOptions = LandOptions()
        landOptions.topicPrefix = options.topicPrefix
        landOptions.tables = options.tables
        landOptions.lakeRoot = options.lakeRoot
        landOptions.follow = true
        landOptions.finishWhenCaughtUp = options.follow ? nil : extractFinished
        landOptions.flushRows = options.flushRows ?? (options.follow ? 1_000 : landOptions.flushRows)
        landOptions.idleFlushSeconds = options.idleFlushSeconds ?? (options.follow ? 0.25 : landOptions.idleFlushSeconds)
        if options.follow { landOptions.maxBatchSeconds = 1 }

        var loadOptions = Loader.Options()
        loadOptions.lakeRoot = options.lakeRoot
        loadOptions.tables = options.tables
        let landFinished = StopSignal()
        let loader = try Loader(config: config, options: loadOptions, stop: StopSignal(), logger: Logger(label: "sluice.load"))

        var failure: (any Error)?
        try await withThrowingTaskGroup(of: StageSummary.self) { group in
            group.addTask { [progress] in
                defer { extractFinished.stop() }
                let begun = Date()
                let result = try await runBlocking { try extractor.run() }
                progress.update {
                    $0.extractPosition = result.position
                    $0.stoppedTables = Array(Set($0.stoppedTables + result.stopped.map(\.table))).sorted()
                }
                let rows = result.snapshot.reduce(0) { $0 + $1.rows } + result.binlogRows
                return StageSummary(stage: "extract", rows: rows, seconds: Date().timeIntervalSince(begun),
                                    detail: "checkpoint \(result.position)")
            }
            group.addTask { [config, progress, stop, landOptions] in
                defer { landFinished.stop() }
                // Land starts once extract has published every table's schema.
                while !progress.schemasReady.isStopped && !extractFinished.isStopped && !stop.isStopped {
                    try await Task.sleep(for: .milliseconds(100))
                }
                if stop.isStopped && !progress.schemasReady.isStopped {
                    return StageSummary(stage: "land", rows: 0, seconds: 0, detail: "not started")
                }
                let lander = try Lander(config: config, options: landOptions, observer: progress, stop: stop)
                let result = try await lander.run()
                progress.update { $0.stoppedTables = Array(Set($0.stoppedTables + result.stopped.keys)).sorted() }
                let rows = result.tables.values.reduce(0) { $0 + $1.rows }
                let files = result.tables.values.reduce(0) { $0 + $1.files }
                return StageSummary(stage: "land", rows: rows, seconds: result.seconds, detail: "\(files) files")
            }
            group.addTask { [progress, stop, options] in
                try await StageHealth.track("load") {
                    let begun = Date()
                    var rows = 0, files = 0
                    while true {
                        let last = landFinished.isStopped
                        let landedBefore = progress.snapshot.landedFiles
                        let pass = try await loader.run()
                        rows += pass.rows
                        files += pass.files
                        progress.update {
                            $0.loadedRows = rows
                            $0.loadedFiles = files
                            if pass.starSeconds != nil { $0.starUpdates += 1 }
                            $0.loadStopped = pass.stopped.keys.sorted()
                        }
                        if last || (stop.isStopped && landFinished.isStopped) { break }
                        // The next pass starts after the interval, or as soon as land finished; when
                        // following, as soon as land stored a file (fresh data waits for no timer).
                        let deadline = Date().addingTimeInterval(options.loadIntervalSeconds)
                        while Date() < deadline, !landFinished.isStopped, !stop.isStopped,
                              !(options.follow && progress.snapshot.landedFiles != landedBefore) {
                            try? await Task.sleep(for: .milliseconds(20))
                        }
                    }
                    return StageSummary(stage: "load", rows: rows, seconds: Date().timeIntervalSince(begun), detail: "\(files) files")
                }
            }
            var stages: [StageSummary] = []
            while let next = await group.nextResult() {
                switch next {
                case .success(let stage): stages.append(stage)
                case .failure(let error):
                    // The first failure stops the others; they finish cleanly and the error is reported.
                    if failure == nil { failure = error }
                    stop.stop()
                }
            }
            summary.stages = ["extract", "land", "load"].compactMap { name in stages.first { $0.stage == name } }
        }
        if let failure { throw failure }
        summary.extractPosition = progress.snapshot.extractPosition
        summary.stoppedTables = Array(Set(progress.snapshot.stoppedTables + progress.snapshot.loadStopped)).sorted()
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }
}
