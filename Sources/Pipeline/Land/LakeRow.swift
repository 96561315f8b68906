import Kafka
import Parquet
import SluiceSupport

/// One change event's place and kind, as a lake row carries them in its
/// metadata columns. Its column values go straight into the batch's
/// ``LakeBatchColumns``, never through a dictionary.
public struct LakeRow: Sendable {
    public var operation: String
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

    /// The row's place in the source's history.
    var order: SourceOrder {
        SourceOrder(sequence: sourceSequence, position: LakeFileContents.sourcePosition(sourcePosition).position, row: sourceRow)
    }
}

/// A change-event message read in place: its metadata, and where its row image is.
struct DecodedEvent {
    var row: LakeRow
    /// The `after` image (`before` for a delete), an object token; `nil` for a truncate.
    var image: Range<Int>?

    /// Reads the members of a Sluice change event (see the README) from `bytes`, skipping what land
    /// does not need (the other image, `ts_ms`). Throws a one-line `LandError` for anything else.
    init(_ bytes: UnsafeRawBufferPointer, message: KafkaMessage) throws {
        var scanner = JSONScanner(bytes)
        var operation: String?
        var before: Range<Int>?, after: Range<Int>?
        var version: Int64?
        var timestamp: Int64 = 0, position: Int64 = 0, row: Int64 = 0
        var file = "", gtid: String?, sequence: Int64?, snapshot = false
        var sawSource = false
        do {
            try scanner.forEachMember { scanner, key, _ in
                let outer = scanner
                if outer.equals(key, "op") {
                    guard case .string(let range, false) = try scanner.readValue() else { throw LandError.malformed(message, "op is not a string") }
                    operation = scanner.text(range)
                } else if outer.equals(key, "after") || outer.equals(key, "before") {
                    let token = try scanner.readValue()
                    if case .object(let range) = token {
                        if outer.equals(key, "after") { after = range } else { before = range }
                    }
                } else if outer.equals(key, "schema_version") {
                    guard case .number(let range) = try scanner.readValue(), let value = scanner.integer(range) else {
                        throw LandError.malformed(message, "schema_version is not an integer")
                    }
                    version = value
                } else if outer.equals(key, "source") {
                    sawSource = true
                    try scanner.forEachMember { scanner, key, _ in
                        let field = scanner
                        let token = try scanner.readValue()
                        switch token {
                        case .number(let range):
                            let value = scanner.integer(range) ?? 0
                            if field.equals(key, "ts_ms") { timestamp = value }
                            else if field.equals(key, "pos") { position = value }
                            else if field.equals(key, "row") { row = value }
                            else if field.equals(key, "seq") { sequence = value }
                        case .string(let range, let escaped):
                            if field.equals(key, "file") { file = String(decoding: try scanner.stringBytes(range, escaped: escaped), as: UTF8.self) }
                            else if field.equals(key, "gtid") { gtid = scanner.text(range) }
                        case .bool(let flag):
                            if field.equals(key, "snapshot") { snapshot = flag }
                        default:
                            break
                        }
                    }
                } else {
                    _ = try scanner.readValue()
                }
            }
        } catch let error as JSONParseError {
            throw LandError.malformed(message, "the value is not JSON (\(error.summary))")
        }
        guard let operation, ["r", "c", "u", "d", "t", "s"].contains(operation), let version, sawSource else {
            throw LandError.malformed(message, "the value is not a Sluice change event (op, source, schema_version)")
        }
        if operation != "t" && operation != "s" {   // row-less: a truncate, a schema version
            guard let image = operation == "d" ? before : after else {
                throw LandError.malformed(message, "a '\(operation)' event without its \(operation == "d" ? "before" : "after") image")
            }
            self.image = image
        }
        self.row = LakeRow(operation: operation, sourceTimestampMilliseconds: timestamp, sourcePosition: "\(file):\(position)",
                           sourceRow: row, sourceSequence: sequence ?? SourceOrder.sequence(file: file, epoch: 0), sourceGTID: gtid,
                           snapshot: snapshot, schemaVersion: Int(version), partition: message.partition, offset: message.offset,
                           size: bytes.count)
    }
}

/// The table columns of one batch (one schema version), built row by row.
struct LakeBatchColumns {
    let schema: TableSchema
    let file: LakeFileSchema
    var builders: [LakeColumnBuilder]
    /// Each column's name as UTF-8, to match event members without making strings.
    let names: [[UInt8]]
    let positions: [String: Int]
    private(set) var count = 0

    init(schema: TableSchema) {
        self.schema = schema
        file = LakeFileSchema(table: schema)
        builders = zip(schema.columns, file.columns).map { LakeColumnBuilder(column: $0, parquet: $1) }
        names = schema.columns.map { Array($0.name.utf8) }
        positions = Dictionary(schema.columns.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Appends a row: the members of the object at `image` (in schema order, fast; any order works),
    /// or every column null (`image == nil`: a truncate). On a value that cannot be stored exactly,
    /// nothing of the row stays and the refusal names the column.
    mutating func append(image: Range<Int>?, in bytes: UnsafeRawBufferPointer, skipMetadata: Bool = false,
                         metadata: ((String, JSONScanner.Token, JSONScanner) throws -> Void)? = nil) throws {
        let rowCount = count
        do {
            if let image {
                var scanner = JSONScanner(bytes, from: image.lowerBound)
                var next = 0
                try scanner.forEachMember { scanner, key, escaped in
                    let matched = scanner
                    let index: Int?
                    if next < names.count, matched.equals(key, names[next]) {
                        index = next
                    } else {
                        let name = String(decoding: try matched.stringBytes(key, escaped: escaped), as: UTF8.self)
                        index = positions[name]
                        if index == nil, let metadata {
                            let token = try scanner.readValue()
                            try metadata(name, token, scanner)
                            return
                        }
                    }
                    let token = try scanner.readValue()
                    guard let index else { return }   // a member the schema does not have
                    guard builders[index].count == rowCount else { return }   // repeated: the first counts
                    do { try builders[index].append(token, from: scanner) } catch let refusal as LakeColumnBuilder.Refusal {
                        throw LakeColumnBuilder.Refusal(reason: "\(refusal.reason) of \(schema.columns[index].name) (\(schema.columns[index].type.name))")
                    }
                    next = index + 1
                }
            }
            for index in builders.indices where builders[index].count == rowCount { builders[index].appendNull() }
            count += 1
        } catch {
            for index in builders.indices { builders[index].truncate(to: rowCount) }
            throw error
        }
    }

    /// The Parquet values of rows `range` of the table columns.
    func values(_ range: Range<Int>) -> [ParquetColumnValues] { builders.map { $0.values(range) } }
}

func oneLineReason(_ error: any Error) -> String {
    (error as? JSONParseError)?.summary ?? String(describing: error)
}
