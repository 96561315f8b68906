/// Extract's durable progress, stored as the latest value of key `extract` in
/// the compacted topic `<prefix>._offsets`. It only ever describes messages
/// that Kafka has acknowledged.
public struct ExtractCheckpoint: Sendable, Equatable {
    /// Progress of one table's snapshot.
    public struct TableProgress: Sendable, Equatable {
        public var done: Bool
        /// Rows sent so far (across restarts).
        public var rows: Int
        /// Key of the last row sent, as text values in key-column order.
        public var lastKey: [String?]?

        public init(done: Bool, rows: Int, lastKey: [String?]?) {
            self.done = done
            self.rows = rows
            self.lastKey = lastKey
        }
    }

    /// Where the (first) snapshot was taken; CDC starts here.
    public var snapshotFile: String
    public var snapshotPosition: UInt64
    public var snapshotGTID: String?
    /// Per-table snapshot progress.
    public var tables: [String: TableProgress]
    /// The binlog position after the last fully sent transaction (CDC resumes here).
    public var binlogFile: String
    public var binlogPosition: UInt64
    public var binlogGTID: String?

    /// Whether every table's snapshot is complete.
    public var snapshotComplete: Bool { tables.values.allSatisfy(\.done) }

    public var json: JSONValue {
        .object([
            ("version", .number("1")),
            ("snapshot", .object([
                ("file", .string(snapshotFile)), ("pos", .number(String(snapshotPosition))),
                ("gtid", snapshotGTID.map { .string($0) } ?? .null),
                ("tables", .object(tables.keys.sorted().map { name in
                    let progress = tables[name]!
                    return (name, .object([
                        ("done", .bool(progress.done)), ("rows", .number(String(progress.rows))),
                        ("last_key", progress.lastKey.map { .array($0.map { $0.map { .string($0) } ?? .null }) } ?? .null),
                    ]))
                })),
            ])),
            ("binlog", .object([
                ("file", .string(binlogFile)), ("pos", .number(String(binlogPosition))),
                ("gtid", binlogGTID.map { .string($0) } ?? .null),
            ])),
        ])
    }

    public init(snapshotFile: String, snapshotPosition: UInt64, snapshotGTID: String?, tables: [String: TableProgress]) {
        self.snapshotFile = snapshotFile
        self.snapshotPosition = snapshotPosition
        self.snapshotGTID = snapshotGTID
        self.tables = tables
        self.binlogFile = snapshotFile
        self.binlogPosition = snapshotPosition
        self.binlogGTID = snapshotGTID
    }

    public init(json: JSONValue) throws {
        guard let snapshot = json["snapshot"], let binlog = json["binlog"],
              let file = snapshot["file"]?.stringValue, let position = snapshot["pos"]?.intValue,
              let binlogFile = binlog["file"]?.stringValue, let binlogPosition = binlog["pos"]?.intValue else {
            throw JSONParseError(offset: 0, reason: "not an extract checkpoint")
        }
        var tables: [String: TableProgress] = [:]
        for (name, progress) in snapshot["tables"]?.objectMembers ?? [] {
            tables[name] = TableProgress(
                done: progress["done"] == .bool(true), rows: Int(progress["rows"]?.intValue ?? 0),
                lastKey: progress["last_key"]?.arrayValue?.map(\.stringValue))
        }
        self.init(snapshotFile: file, snapshotPosition: UInt64(position), snapshotGTID: snapshot["gtid"]?.stringValue,
                  tables: tables)
        self.binlogFile = binlogFile
        self.binlogPosition = UInt64(binlogPosition)
        self.binlogGTID = binlog["gtid"]?.stringValue
    }
}
