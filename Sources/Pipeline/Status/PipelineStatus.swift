import Foundation

/// Where each stage is and how far behind, as `sluice status` prints it.
/// A stage whose servers cannot be reached carries the reason instead.
public struct PipelineStatus: Sendable {
    public struct Extract: Sendable {
        public var sourcePosition = ""
        public var checkpoint: String?
        public var snapshotComplete: Bool?
        /// Binlog bytes between the checkpoint and the source's current position.
        public var bytesBehind: Int64?
        /// How long the server keeps binlogs (`nil`: until purged by hand).
        public var binlogRetentionSeconds: Int?
        /// Tables extract stopped (they cannot go on exactly until snapshotted again).
        public var stoppedTables: [StoppedTable] = []
        public var problem: String?
    }

    public struct StoppedTable: Sendable {
        public var table: String
        /// One line: table, binlog position, cause, what to run.
        public var reason: String
    }

    public struct Partition: Sendable {
        public var topic: String
        public var partition: Int32
        /// The group's committed offset (`nil`: never committed).
        public var committed: Int64?
        public var end: Int64
        public var lag: Int64 { end - max(committed ?? 0, 0) }
    }

    public struct Land: Sendable {
        public var group = ""
        public var partitions: [Partition] = []
        /// Tables land stopped (a marker in the lake), with the reason and where.
        public var stoppedTables: [StoppedTable] = []
        /// Messages in `<prefix>._dead_letters` (not change events; kept with why and where from).
        public var deadLetters: Int64 = 0
        public var lag: Int64 { partitions.reduce(0) { $0 + $1.lag } }
        public var problem: String?
    }

    public struct Load: Sendable {
        public var lakeFiles = 0
        public var loadedFiles = 0
        public var pendingFiles: Int { max(0, lakeFiles - loadedFiles) }
        public var lastLoadAt: String?
        /// Keys applied to staging that the star has not consumed yet.
        public var pendingKeys = 0
        /// Tables whose loading stopped, with the reason.
        public var stoppedTables: [StoppedTable] = []
        /// MySQL commit → warehouse commit, over the last `freshnessSamples` CDC changes.
        public var freshnessP50Milliseconds: Int?
        public var freshnessP95Milliseconds: Int?
        public var freshnessSamples = 0
        public var problem: String?
    }

    /// Every table some stage stopped.
    public var stoppedTables: [StoppedTable] { extract.stoppedTables + land.stoppedTables + load.stoppedTables }

    static func json(_ tables: [StoppedTable]) -> JSONValue {
        .array(tables.map { .object([("table", .string($0.table)), ("reason", .string($0.reason))]) })
    }

    public var prefix = ""
    public var extract = Extract()
    public var land = Land()
    public var load = Load()

    public var json: JSONValue {
        func number(_ value: Int64?) -> JSONValue { value.map { .number(String($0)) } ?? .null }
        func string(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        return .object([
            ("prefix", .string(prefix)),
            ("extract", .object([
                ("source_position", .string(extract.sourcePosition)), ("checkpoint", string(extract.checkpoint)),
                ("snapshot_complete", extract.snapshotComplete.map(JSONValue.bool) ?? .null),
                ("bytes_behind", number(extract.bytesBehind)), ("problem", string(extract.problem)),
                ("binlog_retention_seconds", number(extract.binlogRetentionSeconds.map(Int64.init))),
                ("stopped_tables", Self.json(extract.stoppedTables)),
            ])),
            ("land", .object([
                ("group", .string(land.group)), ("lag", number(land.lag)), ("problem", string(land.problem)),
                ("dead_letters", number(land.deadLetters)), ("stopped_tables", Self.json(land.stoppedTables)),
                ("partitions", .array(land.partitions.map { partition in
                    .object([("topic", .string(partition.topic)), ("partition", number(Int64(partition.partition))),
                             ("committed", number(partition.committed)), ("end", number(partition.end)), ("lag", number(partition.lag))])
                })),
            ])),
            ("load", .object([
                ("lake_files", number(Int64(load.lakeFiles))), ("loaded_files", number(Int64(load.loadedFiles))),
                ("pending_files", number(Int64(load.pendingFiles))), ("last_load_at", string(load.lastLoadAt)),
                ("pending_keys", number(Int64(load.pendingKeys))), ("stopped_tables", Self.json(load.stoppedTables)),
                ("freshness_p50_ms", number(load.freshnessP50Milliseconds.map(Int64.init))),
                ("freshness_p95_ms", number(load.freshnessP95Milliseconds.map(Int64.init))),
                ("freshness_samples", number(Int64(load.freshnessSamples))), ("problem", string(load.problem)),
            ])),
        ])
    }
}
