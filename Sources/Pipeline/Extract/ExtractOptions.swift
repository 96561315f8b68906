/// What `sluice extract` does and how.
public struct ExtractOptions: Sendable {
    /// Topic prefix; default: the database name.
    public var topicPrefix: String?
    /// Tables to capture; `nil` means every base table of the database.
    public var tables: [String]?
    /// Keep following the binlog until stopped (otherwise stop at the end of the current binlog).
    public var follow = false
    /// Ignore any checkpoint and take a new snapshot.
    public var reset = false
    /// Tables to snapshot again (while the others stream): how a stopped table resumes.
    public var resnapshot: [String] = []
    /// Rows fetched from MySQL per batch while snapshotting. Default 2000.
    public var snapshotBatchRows = 2000
    /// Rows between checkpoints during a snapshot. Default 20,000.
    public var checkpointEveryRows = 20_000
    /// Longest time between checkpoints. Default 2 s.
    public var checkpointInterval: Duration = .seconds(2)
    /// The replica server id Sluice presents to MySQL when reading the binlog (and that id + 1
    /// for its DDL checks); must be unique among the server's replicas. `nil`: `SLUICE_SERVER_ID`,
    /// or one derived from the topic prefix (`ReplicaServerID`).
    public var replicaServerID: UInt32?
    /// Rows per snapshot chunk: each chunk is one consistent read, sent when the binlog reaches it. Default 20,000.
    public var snapshotChunkRows = 20_000
    /// How long extract keeps reconnecting to a binlog that went away before it fails. Default 300 s.
    public var reconnectTimeout: Duration = .seconds(300)
    /// Seconds without a byte from the binlog connection (heartbeats arrive every second) before it counts as lost. Default 30.
    public var readTimeoutSeconds: UInt32 = 30

    /// How snapshot chunks are made consistent with the binlog. Default `.auto`.
    public var snapshotMode: SnapshotMode = .auto
    /// The table (in the captured database) watermark mode writes its marks to; never captured.
    public var watermarkTable = "sluice_watermarks"
    /// Watermark mode: connections reading chunks at once, off the binlog thread (a table's
    /// chunks too: each is a key range found first). Default 1.
    public var snapshotParallelism = 1

    public init() {}
}

/// How a snapshot chunk is lined up with the binlog.
public enum SnapshotMode: String, Sendable, CaseIterable {
    /// `transaction` where the server reports a read view's binlog position without a lock
    /// (MariaDB's `binlog_snapshot_*`), else `watermark`: the least privilege that works.
    case auto
    /// One consistent read per chunk at a known binlog position. On servers without
    /// `binlog_snapshot_*` (MySQL) that position needs a brief `FLUSH TABLES WITH READ LOCK`.
    case transaction
    /// DBLog's watermarks: a low and a high mark written to a small table around each chunk read;
    /// rows that changed between the marks are left to their binlog events. No lock, no long transaction.
    case watermark
}

/// What an extract run did, for the summary table.
public struct ExtractSummary: Sendable {
    public struct Table: Sendable {
        public var name: String
        public var rows: Int
        public var seconds: Double
    }

    /// Snapshot work done in this run (tables already complete are not listed).
    public var snapshot: [Table] = []
    /// Row changes sent from the binlog in this run.
    public var binlogRows = 0
    public var binlogSeconds = 0.0
    /// Where the checkpoint stands at the end.
    public var position: String = ""
    /// Tables that stopped (they cannot go on exactly), with the one line that says why and what to run.
    public var stopped: [(table: String, reason: String)] = []
}

/// Progress callbacks; the CLI draws bars or writes log lines from them.
public protocol ExtractProgressObserver: Sendable {
    func snapshotStarted(table: String, estimatedRows: Int, rowsAlreadySent: Int)
    func snapshotProgress(table: String, rowsSent: Int)
    func snapshotFinished(table: String, rowsSent: Int, seconds: Double)
    func binlogProgress(position: String, rowsSent: Int, caughtUp: Bool)
    /// Every table's schema is in `<prefix>._schemas` (consumers may start).
    func schemasPublished(tables: [String])
    /// A table stopped; `reason` is one line naming the table, the position, the cause and what to run.
    func tableStopped(table: String, reason: String)
}

extension ExtractProgressObserver {
    public func schemasPublished(tables: [String]) {}
    public func tableStopped(table: String, reason: String) {}
}
