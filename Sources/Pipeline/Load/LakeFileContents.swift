import Parquet
import S3

/// A lake object's rows as typed columns, whichever format land wrote:
/// Parquet carries its schema in the footer; JSON Lines objects are read with
/// the schema version land stored beside them (`_schema/v<N>.json`) and
/// converted the way land converts events to Parquet, so both load alike.
struct LakeFileContents {
    var table: String
    /// Primary-key columns, as named in the source (every column for a table without one).
    var key: [String]
    /// Whether `key` is a real primary key; a table without one is a multiset of rows.
    var hasPrimaryKey = true
    var columns: [ParquetColumn]
    var values: [ParquetColumnValues]
    var rowCount: Int
    /// The Kafka offsets the object covers (Parquet footers say; `nil` for JSON Lines).
    var offsets: Offsets?
    /// The schema version of its rows (`nil` for a file without rows or an older lake).
    var schemaVersion: Int?
    /// Rows of the table older than this are superseded (the version began with a snapshot, truncate or drop).
    var floor: SourceOrder?

    struct Offsets {
        var topic: String
        var partition: Int32
        var first: Int64
        var last: Int64
    }

    /// Each row's place in the source's history: `_source_seq` (or, in lakes written before it,
    /// the sequence of the file named in `_source_pos`), the position, `_source_row`.
    func sourceOrders() throws -> [SourceOrder] {
        guard case .bytes(let positions)? = column("_source_pos"), case .int64(let rows)? = column("_source_row") else {
            throw LoadError(message: "lake file of \(table) lacks Sluice's metadata columns (_source_pos, _source_row)")
        }
        var sequences: [Int64?]?
        if case .int64(let values)? = column("_source_seq") { sequences = values }
        return (0..<rowCount).map { index in
            let source = Self.sourcePosition(String(decoding: positions[index] ?? [], as: UTF8.self))
            let sequence = sequences?[index] ?? SourceOrder.sequence(file: source.file, epoch: 0)
            return SourceOrder(sequence: sequence, position: source.position, row: rows[index] ?? 0)
        }
    }

    /// `_source_pos` (`binlog file:position`) split in two; a position-less text is a file at 0.
    static func sourcePosition(_ text: String) -> (file: String, position: Int64) {
        guard let split = text.lastIndex(of: ":") else { return (text, 0) }
        return (String(text[..<split]), Int64(text[text.index(after: split)...]) ?? 0)
    }

    func column(_ name: String) -> ParquetColumnValues? {
        columns.firstIndex { $0.name == name }.map { values[$0] }
    }

    static func read(_ object: S3ObjectInfo, s3: S3Client, bucket: String, layout: LakeLayout) async throws -> LakeFileContents {
        let body = try await s3.getObject(bucket: bucket, key: object.key)
        if object.key.hasSuffix(".jsonl.gz") {
            return try await jsonLines(object.key, body: body, s3: s3, bucket: bucket, layout: layout)
        }
        let reader = try ParquetReader(body)
        guard let table = reader.metadata["sluice.table"], let key = reader.metadata["sluice.key"] else {
            throw LoadError(message: "lake file \(object.key) has no sluice.table/sluice.key metadata; was it written by sluice land?")
        }
        var offsets: Offsets?
        if let topic = reader.metadata["sluice.topic"], let partition = reader.metadata["sluice.partition"].flatMap({ Int32($0) }),
           let first = reader.metadata["sluice.first_offset"].flatMap({ Int64($0) }),
           let last = reader.metadata["sluice.last_offset"].flatMap({ Int64($0) }) {
            offsets = Offsets(topic: topic, partition: partition, first: first, last: last)
        }
        return LakeFileContents(table: table, key: key.split(separator: ",").map(String.init),
                                hasPrimaryKey: reader.metadata["sluice.has_primary_key"] != "false", columns: reader.columns,
                                values: reader.rowCount == 0 ? [] : try reader.readColumns(), rowCount: reader.rowCount, offsets: offsets,
                                schemaVersion: reader.rowCount == 0 ? nil : reader.metadata["sluice.schema_version"].flatMap { Int($0) },
                                floor: SourceOrder.floor(footer: reader.metadata))
    }

    static func jsonLines(_ key: String, body: [UInt8], s3: S3Client, bucket: String, layout: LakeLayout) async throws -> LakeFileContents {
        guard let table = LakeLayout.parse(key)?.table else { throw LoadError(message: "\(key) is not a lake object key") }
        let text = try Gzip.decompress(body)
        let lines = text.split(separator: 0x0A, omittingEmptySubsequences: true)
        guard let first = lines.first else {
            return LakeFileContents(table: table, key: [], columns: [], values: [], rowCount: 0, offsets: nil, schemaVersion: nil, floor: nil)
        }
        let firstLine: JSONValue
        do { firstLine = try JSONValue.parse(Array(first)) } catch {
            throw LoadError(message: "lake file \(key) line 1 is not JSON (\(oneLineReason(error)))")
        }
        let version = Int(firstLine["_schema_version"]?.intValue ?? 0)
        let schemaKey = layout.schemaKey(table: table, version: version)
        let schema: TableSchema
        do {
            schema = try TableSchema(json: try JSONValue.parse(try await s3.getObject(bucket: bucket, key: schemaKey)))
        } catch let error as S3Error where error.code == .noSuchKey {
            throw LoadError(message: "lake file \(key) needs its schema at s3://\(bucket)/\(schemaKey), which is missing; land it again with this version of sluice")
        }
        // Each line is read like an event's image: the table's columns into typed columns, the
        // `_` members into the row's metadata.
        var columns = LakeBatchColumns(schema: schema)
        var rows: [LakeRow] = []
        for (number, line) in lines.enumerated() {
            var row = LakeRow(operation: "", sourceTimestampMilliseconds: 0, sourcePosition: "", sourceRow: 0, sourceSequence: 0,
                              sourceGTID: nil, snapshot: false, schemaVersion: 0, partition: 0, offset: 0, size: line.count)
            var sequence: Int64?
            do {
                try Array(line).withUnsafeBytes { bytes in
                    try columns.append(image: 0..<bytes.count, in: bytes) { name, token, scanner in
                        switch (name, token) {
                        case ("_op", .string(let range, _)): row.operation = scanner.text(range)
                        case ("_source_pos", .string(let range, let escaped)):
                            row.sourcePosition = String(decoding: try scanner.stringBytes(range, escaped: escaped), as: UTF8.self)
                        case ("_source_gtid", .string(let range, _)): row.sourceGTID = scanner.text(range)
                        case ("_snapshot", .bool(let flag)): row.snapshot = flag
                        case (_, .number(let range)):
                            let value = scanner.integer(range) ?? 0
                            switch name {
                            case "_source_ts_ms": row.sourceTimestampMilliseconds = value
                            case "_source_row": row.sourceRow = value
                            case "_schema_version": row.schemaVersion = Int(value)
                            case "_kafka_partition": row.partition = Int32(truncatingIfNeeded: value)
                            case "_kafka_offset": row.offset = value
                            case "_source_seq": sequence = value
                            default: break
                            }
                        default: break
                        }
                    }
                }
            } catch let refusal as LakeColumnBuilder.Refusal {
                throw LoadError(message: "lake file \(key) line \(number + 1): \(refusal.reason) cannot be read exactly")
            } catch {
                throw LoadError(message: "lake file \(key) line \(number + 1) is not JSON (\(oneLineReason(error)))")
            }
            guard !row.operation.isEmpty, !row.sourcePosition.isEmpty else {
                throw LoadError(message: "a JSON Lines lake row lacks _op or _source_pos (\(key) line \(number + 1))")
            }
            row.sourceSequence = sequence ?? SourceOrder.sequence(file: Self.sourcePosition(row.sourcePosition).file, epoch: 0)
            guard row.schemaVersion == version else {
                throw LoadError(message: "lake file \(key) mixes schema versions; land writes one version per object")
            }
            rows.append(row)
        }
        let file = LakeFileSchema(table: schema)
        return LakeFileContents(table: table, key: schema.key, hasPrimaryKey: schema.hasPrimaryKey, columns: file.columns,
                                values: file.values(rows: rows[...], columns: columns, range: 0..<rows.count),
                                rowCount: rows.count, offsets: nil, schemaVersion: version, floor: schema.floorOrder)
    }
}
