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
                epoch: Int = 0) {
        self.file = file
        self.position = position
        self.gtid = gtid
        self.row = row
        self.timestampMilliseconds = timestampMilliseconds
        self.snapshot = snapshot
        self.sequence = SourceOrder.sequence(file: file, epoch: epoch)
    }
}

/// One row change, Debezium-style: `op` is `r` (snapshot read), `c`, `u` or
/// `d`; or `t`: the table was emptied at this position (TRUNCATE, DROP, or
/// the start of a new snapshot of it), with no key and no row images.
public struct ChangeEvent: Sendable {
    public enum Operation: String, Sendable { case read = "r", create = "c", update = "u", delete = "d", truncate = "t" }

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

    /// The message key: the key columns as a JSON object, e.g. `{"customerNumber":103}`; none for `t`.
    public func key(schema: TableSchema) -> [UInt8]? {
        if operation == .truncate { return nil }
        let row = after ?? before ?? []
        var writer = JSONWriter(capacity: 48)
        writer.beginObject()
        for index in schema.keyIndexes where index < row.count {
            writer.key(schema.columns[index].name)
            row[index].write(to: &writer)
        }
        writer.endObject()
        return writer.bytes
    }

    /// The message value (see the README for the format).
    public func value(schema: TableSchema, connectorName: String, serverID: UInt32, nowMilliseconds: Int64) -> [UInt8] {
        var writer = JSONWriter(capacity: 512)
        writer.beginObject()
        writer.key("op"); writer.string(operation.rawValue)
        writer.key("before"); Self.writeRow(before, schema: schema, to: &writer)
        writer.key("after"); Self.writeRow(after, schema: schema, to: &writer)
        writer.key("source")
        writer.beginObject()
        writer.key("version"); writer.string(SluiceVersion.current)
        writer.key("connector"); writer.string("mysql")
        writer.key("name"); writer.string(connectorName)
        writer.key("server_id"); writer.number(serverID)
        writer.key("db"); writer.string(schema.database)
        writer.key("table"); writer.string(schema.table)
        writer.key("file"); writer.string(source.file)
        writer.key("pos"); writer.number(source.position)
        writer.key("seq"); writer.number(source.sequence)
        writer.key("gtid"); if let gtid = source.gtid { writer.string(gtid) } else { writer.null() }
        writer.key("row"); writer.number(source.row)
        writer.key("snapshot"); writer.bool(source.snapshot)
        writer.key("ts_ms"); writer.number(source.timestampMilliseconds)
        writer.endObject()
        writer.key("ts_ms"); writer.number(nowMilliseconds)
        writer.key("schema_version"); writer.number(schema.version)
        writer.endObject()
        return writer.bytes
    }

    static func writeRow(_ row: [FieldValue]?, schema: TableSchema, to writer: inout JSONWriter) {
        guard let row else { writer.null(); return }
        writer.beginObject()
        for (column, value) in zip(schema.columns, row) {
            writer.key(column.name)
            value.write(to: &writer)
        }
        writer.endObject()
    }
}

/// Sluice's version, stamped into events.
public enum SluiceVersion {
    public static let current = "0.1.0"
}
