import Parquet

/// What `sluice land` does and how.
public struct LandOptions: Sendable {
    public enum Format: String, Sendable, CaseIterable { case parquet, jsonl }

    /// Topic prefix (the extract's); default: the database name.
    public var topicPrefix: String?
    /// Tables to land; `nil` means every table with a published schema.
    public var tables: [String]?
    /// Consumer group; default `sluice-land-<prefix>`.
    public var groupID: String?
    /// Top folder of the lake in the bucket. Default `raw`.
    public var lakeRoot = "raw"
    public var format: Format = .parquet
    public var compression: ParquetCompression = .zstd
    /// A batch is written when it holds this many rows. Default 50,000.
    public var flushRows = 50_000
    /// …or this many bytes of messages. Default 16 MiB.
    public var flushBytes = 16 << 20
    /// All open batches together hold at most this many message bytes; past
    /// it the largest batch is written early. Default 32 MiB.
    public var maxBufferBytes = 32 << 20
    /// …or when the next event's time falls in another interval of this many
    /// seconds (UTC, so it must divide a day). Default 3,600.
    public var rotateIntervalSeconds = 3_600
    /// Write a partial batch once its partition has been quiet this long (wall clock). Default 5 s.
    public var idleFlushSeconds: Double = 5
    /// Write a batch once its first message has waited this long, however busy its partition
    /// (`nil`: no limit). `sluice run --follow` sets it, so a steady stream of changes is fresh too.
    public var maxBatchSeconds: Double?
    /// Keep consuming until stopped; otherwise stop once every assigned
    /// partition is landed up to its end.
    public var follow = false
    /// With `follow`: once this is set (the producer finished), stop as soon
    /// as every partition is landed up to its end. Used by `sluice run`.
    public var finishWhenCaughtUp: StopSignal?
    /// Batches encoded and stored in the background at once (beyond it, consuming waits). Default 4.
    public var maxWritesInFlight = 4
    /// Seconds between looks at `_schemas` for tables created since the start (when landing every table). Default 5.
    public var newTableCheckSeconds: Double = 5

    public init() {}
}

/// What a land run did, for the summary table.
public struct LandSummary: Sendable {
    public struct Table: Sendable {
        public var name: String
        public var files = 0
        public var rows = 0
        public var bytes = 0
    }

    public var tables: [String: Table] = [:]
    public var seconds = 0.0
    /// Tables that stopped landing this run, with the one line saying why and where.
    public var stopped: [String: String] = [:]
    /// Messages sent to the dead-letter topic.
    public var deadLetters = 0

    mutating func record(table: String, rows: Int, bytes: Int) {
        var entry = tables[table] ?? Table(name: table)
        entry.files += 1
        entry.rows += rows
        entry.bytes += bytes
        tables[table] = entry
    }
}

/// Progress callbacks for land.
public protocol LandProgressObserver: Sendable {
    func landed(table: String, key: String, rows: Int, totalRows: Int)
}
