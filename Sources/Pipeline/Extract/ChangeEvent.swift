/// Where a change came from, as carried in the event's `source` block.
public struct SourcePosition: Sendable, Hashable {
    /// Binlog file name, e.g. `binlog.000002`.
    public var file: String
    /// Byte position of the row event in `file` (for snapshot rows: the snapshot's position).
    public var position: UInt64
    /// MariaDB GTID `domain-server-sequence` of the transaction, when known.
    public var gtid: String?
    /// Index of the row within its binlog event (or within the snapshot of its table).
    public var row: Int
    /// Commit time of the transaction (snapshot rows: the snapshot's start), milliseconds since 1970.
    public var timestampMilliseconds: Int64
    public var snapshot: Bool
    /// The file's sequence number with the extract epoch above it (see `SourceOrder`).
    public var sequence: Int64

    public init(file: String, position: UInt64, gtid: String?, row: Int, timestampMilliseconds: Int64, snapshot: Bool,
                epoch: Int = 0, sequence: Int64? = nil) {
        self.file = file
        self.position = position
        self.gtid = gtid
        self.row = row
        self.timestampMilliseconds = timestampMilliseconds
        self.snapshot = snapshot
        self.sequence = sequence ?? SourceOrder.sequence(file: file, epoch: epoch)
    }
}

/// One row change, Debezium-style: `op` is `r` (snapshot read), `c`, `u` or
/// `d`; or `t`: the table was emptied at this position (TRUNCATE, DROP, or
/// the start of a new snapshot of it), with no key and no row images.
public struct ChangeEvent: Sendable {
    /// `t`: the table was emptied here; `s`: a schema version that changes no row begins here
    /// (an ALTER followed in place), so staging takes its columns even before a row uses them.
    public enum Operation: String, Sendable { case read = "r", create = "c", update = "u", delete = "d", truncate = "t", schema = "s" }

    public var operation: Operation
    /// Column values in schema order; `nil` for `c` and `r`.
    public var before: [FieldValue]?
    /// Column values in schema order; `nil` for `d`.
    public var after: [FieldValue]?
    public var source: SourcePosition

    public init(operation: Operation, before: [FieldValue]?, after: [FieldValue]?, source: SourcePosition) {
        self.operation = operation
        self.before = before
        self.after = after
        self.source = source
    }

    /// The message key: the key columns as a JSON object, e.g. `{"accountId":103}`; none for `t`.
    public func key(schema: TableSchema) -> [UInt8]? {
        key(layout: EventLayout(schema: schema, connectorName: "", serverID: 0))
    }

    /// The message key, with the key columns' names encoded once in `layout`.
    func key(layout: EventLayout) -> [UInt8]? {
        if operation == .truncate { return nil }
        let row = after ?? before ?? []
        var writer = JSONWriter(capacity: 48)
        writer.beginObject()
        for (index, key) in layout.keyColumns where index < row.count {
            writer.rawKey(key)
            row[index].write(to: &writer)
        }
        writer.endObject()
        return writer.bytes
    }

    /// The message value (see the README for the format).
    public func value(schema: TableSchema, connectorName: String, serverID: UInt32, nowMilliseconds: Int64) -> [UInt8] {
        value(layout: EventLayout(schema: schema, connectorName: connectorName, serverID: serverID), nowMilliseconds: nowMilliseconds)
    }

    /// The message value, with the keys and constant members of `layout` encoded once.
    func value(layout: EventLayout, nowMilliseconds: Int64) -> [UInt8] {
        var writer = JSONWriter(capacity: 512)
        writer.beginObject()
        writer.rawKey(EventLayout.op); writer.string(operation.rawValue)
        writer.rawKey(EventLayout.before); Self.writeRow(before, layout: layout, to: &writer)
        writer.rawKey(EventLayout.after); Self.writeRow(after, layout: layout, to: &writer)
        writer.rawKey(EventLayout.source)
        writer.beginObject(members: layout.sourceMembers)
        writer.rawKey(EventLayout.file); writer.string(source.file)
        writer.rawKey(EventLayout.pos); writer.number(source.position)
        writer.rawKey(EventLayout.seq); writer.number(source.sequence)
        writer.rawKey(EventLayout.gtid); if let gtid = source.gtid { writer.string(gtid) } else { writer.null() }
        writer.rawKey(EventLayout.row); writer.number(source.row)
        writer.rawKey(EventLayout.snapshot); writer.bool(source.snapshot)
        writer.rawKey(EventLayout.sourceTime); writer.number(source.timestampMilliseconds)
        writer.endObject()
        writer.rawKey(EventLayout.time); writer.number(nowMilliseconds)
        writer.rawKey(EventLayout.version); writer.number(layout.schemaVersion)
        writer.endObject()
        return writer.bytes
    }

    static func writeRow(_ row: [FieldValue]?, layout: EventLayout, to writer: inout JSONWriter) {
        guard let row else { writer.null(); return }
        writer.beginObject()
        for (key, value) in zip(layout.columnKeys, row) {
            writer.rawKey(key)
            value.write(to: &writer)
        }
        writer.endObject()
    }
}

/// What every event of one schema version shares, encoded once: the column keys and the
/// constant members of `source`.
struct EventLayout {
    static let op = JSONWriter.encodedKey("op"), before = JSONWriter.encodedKey("before"), after = JSONWriter.encodedKey("after")
    static let source = JSONWriter.encodedKey("source"), file = JSONWriter.encodedKey("file"), pos = JSONWriter.encodedKey("pos")
    static let seq = JSONWriter.encodedKey("seq"), gtid = JSONWriter.encodedKey("gtid"), row = JSONWriter.encodedKey("row")
    static let snapshot = JSONWriter.encodedKey("snapshot"), sourceTime = JSONWriter.encodedKey("ts_ms")
    static let time = JSONWriter.encodedKey("ts_ms"), version = JSONWriter.encodedKey("schema_version")

    let columnKeys: [[UInt8]]
    /// The key columns: their index in the row and their encoded name.
    let keyColumns: [(index: Int, key: [UInt8])]
    /// `"version":"…","connector":"mysql","name":…,"server_id":…,"db":…,"table":…`
    let sourceMembers: [UInt8]
    let schemaVersion: Int

    /// A row's key as text (every column for a table without a key): how snapshot chunks
    /// and their watermarks compare keys.
    func keyText(_ values: [FieldValue]) -> [String?] { keyColumns.map { values[$0.index].text } }

    init(schema: TableSchema, connectorName: String, serverID: UInt32) {
        let columnKeys = schema.columns.map { JSONWriter.encodedKey($0.name) }
        self.columnKeys = columnKeys
        keyColumns = schema.keyIndexes.map { ($0, columnKeys[$0]) }
        var members = JSONWriter(capacity: 160)
        members.beginObject()
        members.key("version"); members.string(SluiceVersion.current)
        members.key("connector"); members.string("mysql")
        members.key("name"); members.string(connectorName)
        members.key("server_id"); members.number(serverID)
        members.key("db"); members.string(schema.database)
        members.key("table"); members.string(schema.table)
        members.endObject()
        sourceMembers = Array(members.bytes.dropFirst().dropLast())
        schemaVersion = schema.version
    }
}

/// Sluice's version, stamped into events.
public enum SluiceVersion {
    public static let current = "0.1.0"
}
