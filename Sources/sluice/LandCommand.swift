import ArgumentParser
import Foundation
import Parquet
import Pipeline

/// `sluice land`: Kafka → S3 lake.
struct LandCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "land",
        abstract: "Write the change-event topics to the S3 lake as Parquet (or JSON Lines), exactly once per offset.",
        discussion: """
            Objects: <root>/<table>/dt=<YYYY-MM-DD>/<topic>+<partition>+<first offset>.parquet. Offsets are \
            committed to the consumer group only after the object is stored. Several processes with the same \
            --group split the partitions. Without --follow it stops once every partition is landed to its end.
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var service: ServiceOptions
    @Option(help: "Topic prefix of the extract (default: the database name).") var topicPrefix: String?
    @Option(help: "Comma-separated tables (default: every extracted table).") var tables: String?
    @Option(name: .customLong("group"), help: "Consumer group (default: sluice-land-<prefix>).") var group: String?
    @Option(help: "Top folder of the lake in the bucket.") var lakeRoot = "raw"
    @Option(help: "parquet or jsonl (gzip JSON Lines).") var format = "parquet"
    @Option(help: "Parquet compression: zstd, snappy or none.") var compression = "zstd"
    @Option(help: "Rows per object at most.") var flushRows = 50_000
    @Option(help: "Message bytes per object at most.") var flushBytes = 16 << 20
    @Option(help: "Message bytes all open batches may hold together; past it the largest is written early.")
    var maxBufferBytes = 32 << 20
    @Option(help: "Event-time interval in seconds; an object never spans two (must divide 86400).") var rotateInterval = 3_600
    @Option(help: "Write a partial batch after its partition has been quiet this many seconds.") var idleFlush: Double = 5
    @Flag(help: "Keep consuming until interrupted.") var follow = false

    func validate() throws {
        guard LandOptions.Format(rawValue: format) != nil else { throw ValidationError("--format must be parquet or jsonl") }
        guard Self.codec(compression) != nil else { throw ValidationError("--compression must be zstd, snappy or none") }
        guard flushRows > 0, flushBytes > 0, maxBufferBytes >= flushBytes else {
            throw ValidationError("--flush-rows and --flush-bytes must be positive, and --max-buffer-bytes at least --flush-bytes")
        }
        guard rotateInterval > 0, 86_400 % rotateInterval == 0 else {
            throw ValidationError("--rotate-interval must divide 86400 (a day), e.g. 600, 3600 or 86400")
        }
        guard idleFlush > 0 else { throw ValidationError("--idle-flush must be positive") }
    }

    static func codec(_ name: String) -> ParquetCompression? {
        ["zstd": .zstd, "snappy": .snappy, "none": .uncompressed][name]
    }

    func run() async throws {
        let config = try connection.load()
        var options = LandOptions()
        options.topicPrefix = topicPrefix
        options.tables = tableList(tables)
        options.groupID = group
        options.lakeRoot = lakeRoot
        options.format = LandOptions.Format(rawValue: format)!
        options.compression = Self.codec(compression)!
        options.flushRows = flushRows
        options.flushBytes = flushBytes
        options.maxBufferBytes = maxBufferBytes
        options.rotateIntervalSeconds = rotateInterval
        options.idleFlushSeconds = idleFlush
        options.follow = follow
        let stop = StopSignal()
        let display = ProgressDisplay()
        let lander = try Lander(config: config, options: options, observer: LandProgressPrinter(display: display), stop: stop)
        let summary = try await service.serving(config, stages: ["land"]) {
            try await withStopOnSignal(stop) { try await lander.run() }
        }
        display.close()
        var table = TextTable("TABLE", "FILES", "ROWS", "BYTES", "ROWS/S")
        for entry in summary.tables.values.sorted(by: { $0.name < $1.name }) {
            table.add(entry.name, String(entry.files), String(entry.rows), String(entry.bytes),
                      String(Int(Double(entry.rows) / max(summary.seconds, 0.001))))
        }
        print(table.rendered)
        var line = "land: done in \(String(format: "%.1f", summary.seconds)) s"
        if summary.deadLetters > 0 { line += "; \(summary.deadLetters) messages sent to the dead-letter topic" }
        if !summary.stopped.isEmpty { line += "; stopped tables (see above): \(summary.stopped.keys.sorted().joined(separator: ", "))" }
        print(line)
        if !summary.stopped.isEmpty { throw ExitCode(1) }
    }
}

struct LandProgressPrinter: LandProgressObserver {
    let display: ProgressDisplay
    func landed(table: String, key: String, rows: Int, totalRows: Int) {
        display.start(table, total: totalRows, done: totalRows)
    }
}
