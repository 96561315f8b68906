import Kafka

/// One change event as a lake row: the table's columns (the after image, or
/// the before image for deletes) plus Sluice's metadata columns.
public struct LakeRow: Sendable {
    public var operation: String
    /// Column values by schema column name (absent columns read as null).
    public var values: [String: JSONValue]
    public var sourceTimestampMilliseconds: Int64
    /// `binlog file:position` of the change.
    public var sourcePosition: String
    public var sourceRow: Int64
    /// The binlog file's sequence number with the extract epoch (see `SourceOrder`).
    public var sourceSequence: Int64
    public var sourceGTID: String?
    public var snapshot: Bool
    public var schemaVersion: Int
    public var partition: Int32
    public var offset: Int64
    /// Bytes of the message, to bound batch sizes.
    public var size: Int

    /// Parses a change-event message; throws a clear error for anything that is not one.
    public init(message: KafkaMessage) throws {
        guard let value = message.value else {
            throw LandError.malformed(message, "a tombstone cannot be a row")
        }
        let event: JSONValue
        do { event = try JSONValue.parse(value) } catch {
            throw LandError.malformed(message, "the value is not JSON (\(oneLineReason(error)))")
        }
        guard let operation = event["op"]?.stringValue, ["r", "c", "u", "d", "t"].contains(operation),
              let source = event["source"], let version = event["schema_version"]?.intValue else {
            throw LandError.malformed(message, "the value is not a Sluice change event (op, source, schema_version)")
        }
        if operation == "t" {
            // A truncate carries no row: every column reads null.
            self.values = [:]
        } else {
            let image = operation == "d" ? event["before"] : event["after"]
            guard let members = image?.objectMembers else {
                throw LandError.malformed(message, "a '\(operation)' event without its \(operation == "d" ? "before" : "after") image")
            }
            self.values = Dictionary(members, uniquingKeysWith: { first, _ in first })
        }
        self.operation = operation
        self.sourceTimestampMilliseconds = source["ts_ms"]?.intValue ?? 0
        let file = source["file"]?.stringValue ?? ""
        self.sourcePosition = "\(file):\(source["pos"]?.intValue ?? 0)"
        self.sourceRow = source["row"]?.intValue ?? 0
        self.sourceSequence = source["seq"]?.intValue ?? SourceOrder.sequence(file: file, epoch: 0)
        self.sourceGTID = source["gtid"]?.stringValue
        self.snapshot = source["snapshot"] == .bool(true)
        self.schemaVersion = Int(version)
        self.partition = message.partition
        self.offset = message.offset
        self.size = value.count
    }
}

extension LakeRow {
    /// A row of a JSON Lines lake object (the table's columns, then the `_`-prefixed metadata).
    init(lakeLine line: JSONValue, schema: TableSchema) throws {
        guard let members = line.objectMembers, let operation = line["_op"]?.stringValue,
              let position = line["_source_pos"]?.stringValue else {
            throw LandError(message: "a JSON Lines lake row lacks _op or _source_pos")
        }
        let names = Set(schema.columns.map(\.name))
        self.operation = operation
        self.values = Dictionary(members.filter { names.contains($0.0) }, uniquingKeysWith: { first, _ in first })
        self.sourceTimestampMilliseconds = line["_source_ts_ms"]?.intValue ?? 0
        self.sourcePosition = position
        self.sourceRow = line["_source_row"]?.intValue ?? 0
        self.sourceSequence = line["_source_seq"]?.intValue
            ?? SourceOrder.sequence(file: LakeFileContents.sourcePosition(position).file, epoch: 0)
        self.sourceGTID = line["_source_gtid"]?.stringValue
        self.snapshot = line["_snapshot"] == .bool(true)
        self.schemaVersion = Int(line["_schema_version"]?.intValue ?? 0)
        self.partition = Int32(line["_kafka_partition"]?.intValue ?? 0)
        self.offset = line["_kafka_offset"]?.intValue ?? 0
        self.size = 0
    }
}

func oneLineReason(_ error: any Error) -> String {
    (error as? JSONParseError)?.summary ?? String(describing: error)
}
