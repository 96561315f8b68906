import MySQL

/// Extract's durable progress, stored as the latest value of key `extract` in
/// the compacted topic `<prefix>._offsets`. It only ever describes messages
/// that Kafka has acknowledged.
///
/// Each captured table has its own position: the binlog before it holds no
/// change of that table that is still to be sent. A run that captures only
/// some tables (`--tables`) moves only theirs, so the others lose nothing and
/// resume from where they were. A table is being snapshotted, streaming,
/// stopped (it cannot go on exactly; the reason says what to run) or dropped
/// in the source.
public struct ExtractCheckpoint: Sendable, Equatable {
    public enum State: String, Sendable {
        case snapshotting, streaming, stopped, dropped
    }

    /// A snapshot of one table in progress, taken in key-ordered chunks while the binlog streams.
    public struct Snapshot: Sendable, Equatable {
        /// The schema version the snapshot sends (its floor is where the snapshot began).
        public var version: Int
        /// Key of the last row sent, as text values in key-column order (`nil`: none yet).
        public var lastKey: [String?]?
        /// Rows sent so far.
        public var rows: Int

        public init(version: Int, lastKey: [String?]? = nil, rows: Int = 0) {
            self.version = version
            self.lastKey = lastKey
            self.rows = rows
        }
    }

    /// One captured table.
    public struct Table: Sendable, Equatable {
        public var state: State
        /// Every change of this table before this position has been sent (or is covered by a snapshot).
        public var position: BinlogPosition
        /// The snapshot in progress (state `snapshotting`).
        public var snapshot: Snapshot?
        /// Why the table stopped and what to run (state `stopped`).
        public var reason: String?

        public init(state: State, position: BinlogPosition, snapshot: Snapshot? = nil, reason: String? = nil) {
            self.state = state
            self.position = position
            self.snapshot = snapshot
            self.reason = reason
        }
    }

    /// Where the binlog reader resumes: no captured table needs anything before it.
    public var binlog: BinlogPosition
    /// The source server's `server_id` and binlog base name; another server or another log stops extract.
    public var serverID: UInt32
    public var tables: [String: Table]
    /// Grows by one with every `--reset`, so positions keep increasing across a reset binlog (see `SourceOrder`).
    public var epoch: Int
    /// The next offset of `<prefix>._signals` to act on (`sluice snapshot` requests before it are done).
    public var signalsOffset: Int64 = 0

    public init(binlog: BinlogPosition, serverID: UInt32, tables: [String: Table], epoch: Int = 0) {
        self.binlog = binlog
        self.serverID = serverID
        self.tables = tables
        self.epoch = epoch
    }

    /// Whether no table is being snapshotted.
    public var snapshotComplete: Bool { !tables.values.contains { $0.state == .snapshotting } }

    /// Tables that stopped, with their reasons.
    public var stoppedTables: [(table: String, reason: String)] {
        tables.keys.sorted().compactMap { name in
            tables[name].flatMap { $0.state == .stopped ? (name, $0.reason ?? "stopped") : nil }
        }
    }

    public var json: JSONValue {
        .object([
            ("version", .number("2")),
            ("binlog", Self.positionJSON(binlog)),
            ("server_id", .number(String(serverID))),
            ("epoch", .number(String(epoch))),
            ("signals_offset", .number(String(signalsOffset))),
            ("tables", .object(tables.keys.sorted().map { name in
                let table = tables[name]!
                var members: [(String, JSONValue)] = [("state", .string(table.state.rawValue)), ("position", Self.positionJSON(table.position))]
                if let snapshot = table.snapshot {
                    members.append(("snapshot", .object([
                        ("version", .number(String(snapshot.version))), ("rows", .number(String(snapshot.rows))),
                        ("last_key", snapshot.lastKey.map { .array($0.map { $0.map { .string($0) } ?? .null }) } ?? .null),
                    ])))
                }
                if let reason = table.reason { members.append(("reason", .string(reason))) }
                return (name, .object(members))
            })),
        ])
    }

    static func positionJSON(_ position: BinlogPosition) -> JSONValue {
        .object([("file", .string(position.file)), ("pos", .number(String(position.position))),
                 ("gtid", position.gtid.map { .string($0) } ?? .null)])
    }

    static func position(_ json: JSONValue?) -> BinlogPosition? {
        guard let file = json?["file"]?.stringValue, let position = json?["pos"]?.intValue else { return nil }
        return BinlogPosition(file: file, position: UInt64(position), gtid: json?["gtid"]?.stringValue)
    }

    public init(json: JSONValue) throws {
        guard let binlog = Self.position(json["binlog"]) else {
            throw JSONParseError(offset: 0, reason: "not an extract checkpoint")
        }
        var tables: [String: Table] = [:]
        if json["version"]?.intValue == 2 {
            for (name, entry) in json["tables"]?.objectMembers ?? [] {
                guard let state = entry["state"]?.stringValue.flatMap(State.init), let position = Self.position(entry["position"]) else {
                    throw JSONParseError(offset: 0, reason: "checkpoint entry of \(name) lacks state or position")
                }
                var snapshot: Snapshot?
                if let progress = entry["snapshot"], let version = progress["version"]?.intValue {
                    snapshot = Snapshot(version: Int(version), lastKey: progress["last_key"]?.arrayValue?.map(\.stringValue),
                                        rows: Int(progress["rows"]?.intValue ?? 0))
                }
                tables[name] = Table(state: state, position: position, snapshot: snapshot, reason: entry["reason"]?.stringValue)
            }
        } else {
            // Version 1 (one snapshot for all tables): finished tables stream from the binlog
            // position; unfinished ones are snapshotted again from the start.
            for (name, progress) in json["snapshot"]?["tables"]?.objectMembers ?? [] {
                tables[name] = progress["done"] == .bool(true)
                    ? Table(state: .streaming, position: binlog)
                    : Table(state: .snapshotting, position: binlog)
            }
        }
        self.init(binlog: binlog, serverID: UInt32(json["server_id"]?.intValue ?? 0), tables: tables,
                  epoch: Int(json["epoch"]?.intValue ?? 0))
        signalsOffset = Int64(json["signals_offset"]?.intValue ?? 0)
    }
}
