/// Writes a Parquet file with a flat schema, from the format specification
/// (parquet-format): one data page (v1) per column chunk, PLAIN or dictionary
/// encoding, definition levels for nullable columns, page compression, and
/// min/max/null-count statistics per column chunk.
///
/// The file is built in memory: call `writeRowGroup` once per row group (its
/// size is what bounds memory) and `finish` for the bytes.
public struct ParquetWriter {
    public struct Options: Sendable {
        /// Page compression. Default ZSTD.
        public var compression: ParquetCompression = .zstd
        /// Dictionary-encode columns with few distinct values. Default on.
        public var dictionary = true
        /// A column chunk with more distinct values than this is written PLAIN. Default 65,536.
        public var maxDictionaryEntries = 65_536
        /// …or whose dictionary would exceed this many bytes. Default 1 MiB.
        public var maxDictionaryBytes = 1 << 20
        /// The footer's `created_by`.
        public var createdBy = "sluice version 0.1.0"

        public init(compression: ParquetCompression = .zstd, dictionary: Bool = true) {
            self.compression = compression
            self.dictionary = dictionary
        }
    }

    public let columns: [ParquetColumn]
    public let options: Options
    private var output: [UInt8] = Array("PAR1".utf8)
    private var rowGroups: [RowGroupMetadata] = []

    public init(columns: [ParquetColumn], options: Options = Options()) {
        self.columns = columns
        self.options = options
    }

    /// Rows written so far.
    public var rowCount: Int { rowGroups.reduce(0) { $0 + $1.rows } }

    /// Appends a row group; `values` has one entry per column, all the same length.
    public mutating func writeRowGroup(_ values: [ParquetColumnValues]) throws {
        guard values.count == columns.count else {
            throw ParquetError.invalidInput("\(values.count) columns of values for a schema of \(columns.count)")
        }
        let rows = values.first?.count ?? 0
        var chunks: [ColumnChunkMetadata] = []
        for (column, columnValues) in zip(columns, values) {
            guard columnValues.count == rows else {
                throw ParquetError.invalidInput("column \(column.name) has \(columnValues.count) values, expected \(rows)")
            }
            try Self.check(columnValues, fits: column)
            chunks.append(try writeColumnChunk(column, columnValues))
        }
        rowGroups.append(RowGroupMetadata(rows: rows, columns: chunks))
    }

    /// The complete file, footer included, with `metadata` as its key/value metadata.
    public mutating func finish(metadata: [(key: String, value: String)] = []) -> [UInt8] {
        var footer = ThriftCompactWriter()
        footer.beginStruct()
        footer.i32(1, 2)
        footer.structList(2, [nil] + columns.map { Optional($0) }) { writer, column in
            if let column { Self.writeSchemaElement(column, to: &writer) }
            else {
                writer.string(4, "schema")
                writer.i32(5, Int32(columns.count))
            }
        }
        footer.i64(3, Int64(rowCount))
        footer.structList(4, rowGroups) { writer, group in
            writer.structList(1, group.columns) { writer, chunk in
                writer.i64(2, chunk.firstPageOffset)
                writer.structure(3) { writer in chunk.write(to: &writer) }
            }
            writer.i64(2, group.columns.reduce(0) { $0 + $1.uncompressedSize })
            writer.i64(3, Int64(group.rows))
        }
        if !metadata.isEmpty {
            footer.structList(5, metadata) { writer, pair in
                writer.string(1, pair.key)
                writer.string(2, pair.value)
            }
        }
        footer.string(6, options.createdBy)
        footer.structList(7, columns) { writer, _ in writer.structure(1) { _ in } }
        footer.endStruct()
        var file = output
        file += footer.bytes
        PlainEncoding.appendLittleEndian(UInt32(footer.bytes.count), to: &file)
        file += Array("PAR1".utf8)
        return file
    }

    // MARK: Column chunks

    private mutating func writeColumnChunk(_ column: ParquetColumn, _ values: ParquetColumnValues) throws -> ColumnChunkMetadata {
        let rows = values.count
        let nonNull = (0..<rows).filter { !values.isNull($0) }.count
        var chunk = ColumnChunkMetadata(column: column, codec: options.compression, valueCount: rows,
                                        statistics: ColumnStatistics.compute(values, column: column))
        var body: [UInt8] = []
        if column.nullable {
            let levels = RLEHybrid.encode((0..<rows).map { values.isNull($0) ? 0 : 1 }, bitWidth: 1)
            PlainEncoding.appendLittleEndian(UInt32(levels.count), to: &body)
            body += levels
        }
        if options.dictionary, column.physicalType != .boolean,
           let dictionary = Dictionary(values: values, limits: options), dictionary.entries < nonNull {
            chunk.dictionaryPageOffset = Int64(output.count)
            try writePage(type: 2, body: PlainEncoding.encode(dictionary.values, fixedLength: column.typeLength),
                          valueCount: dictionary.entries, encoding: 0, into: &chunk)
            let width = RLEHybrid.bitWidth(for: max(dictionary.entries - 1, 0))
            body.append(UInt8(width))
            body += RLEHybrid.encode(dictionary.indices, bitWidth: width)
            chunk.dataPageOffset = Int64(output.count)
            try writePage(type: 0, body: body, valueCount: rows, encoding: 8, into: &chunk)
            chunk.encodings = [0, 3, 8]
        } else {
            body += PlainEncoding.encode(values, fixedLength: column.typeLength)
            chunk.dataPageOffset = Int64(output.count)
            try writePage(type: 0, body: body, valueCount: rows, encoding: 0, into: &chunk)
            chunk.encodings = [0, 3]
        }
        return chunk
    }

    /// Writes a page header and its compressed body; `type` 0 is a v1 data page, 2 a dictionary page.
    private mutating func writePage(type: Int32, body: [UInt8], valueCount: Int, encoding: Int32,
                                    into chunk: inout ColumnChunkMetadata) throws {
        let compressed = try options.compression.compress(body)
        var header = ThriftCompactWriter()
        header.beginStruct()
        header.i32(1, type)
        header.i32(2, Int32(body.count))
        header.i32(3, Int32(compressed.count))
        if type == 2 {
            header.structure(7) { writer in
                writer.i32(1, Int32(valueCount))
                writer.i32(2, encoding)
            }
        } else {
            header.structure(5) { writer in
                writer.i32(1, Int32(valueCount))
                writer.i32(2, encoding)
                writer.i32(3, 3)
                writer.i32(4, 3)
            }
        }
        header.endStruct()
        output += header.bytes
        output += compressed
        chunk.uncompressedSize += Int64(header.bytes.count + body.count)
        chunk.compressedSize += Int64(header.bytes.count + compressed.count)
    }

    static func check(_ values: ParquetColumnValues, fits column: ParquetColumn) throws {
        let matches: Bool
        switch (values, column.physicalType) {
        case (.boolean, .boolean), (.int32, .int32), (.int64, .int64), (.float, .float), (.double, .double),
             (.bytes, .byteArray): matches = true
        case (.bytes(let column_), .fixedLenByteArray):
            matches = column_.allSatisfy { $0 == nil || $0!.count == column.typeLength }
        default: matches = false
        }
        if !matches { throw ParquetError.invalidInput("values for column \(column.name) do not fit its type \(column.physicalType)") }
        if !column.nullable, (0..<values.count).contains(where: values.isNull) {
            throw ParquetError.invalidInput("column \(column.name) is required but has nulls")
        }
    }

    static func writeSchemaElement(_ column: ParquetColumn, to writer: inout ThriftCompactWriter) {
        writer.i32(1, column.physicalType.rawValue)
        if let length = column.typeLength { writer.i32(2, Int32(length)) }
        writer.i32(3, column.nullable ? 1 : 0)
        writer.string(4, column.name)
        if let converted = column.logicalType?.convertedType { writer.i32(6, converted) }
        if case .decimal(let precision, let scale) = column.logicalType {
            writer.i32(7, Int32(scale))
            writer.i32(8, Int32(precision))
        }
        if let logical = column.logicalType {
            writer.structure(10) { logical.write(to: &$0) }
        }
    }
}

/// A dictionary for one column chunk: distinct values in first-seen order and each row's index.
private struct Dictionary {
    var values: ParquetColumnValues
    var indices: [UInt32]
    var entries: Int

    init?(values: ParquetColumnValues, limits: ParquetWriter.Options) {
        func build<T: Hashable>(_ column: [T?], size: (T) -> Int) -> ([T], [UInt32])? {
            var positions: [T: UInt32] = [:]
            var distinct: [T] = []
            var indices: [UInt32] = []
            indices.reserveCapacity(column.count)
            var bytes = 0
            for value in column {
                guard let value else { continue }
                if let index = positions[value] { indices.append(index); continue }
                if distinct.count >= limits.maxDictionaryEntries { return nil }
                bytes += size(value)
                if bytes > limits.maxDictionaryBytes { return nil }
                positions[value] = UInt32(distinct.count)
                indices.append(UInt32(distinct.count))
                distinct.append(value)
            }
            return (distinct, indices)
        }
        switch values {
        case .int32(let column):
            guard let (distinct, indices) = build(column, size: { _ in 4 }) else { return nil }
            self.values = .int32(distinct); self.indices = indices; entries = distinct.count
        case .int64(let column):
            guard let (distinct, indices) = build(column, size: { _ in 8 }) else { return nil }
            self.values = .int64(distinct); self.indices = indices; entries = distinct.count
        case .float(let column):
            guard let (distinct, indices) = build(column.map { $0?.bitPattern }, size: { _ in 4 }) else { return nil }
            self.values = .float(distinct.map { Float(bitPattern: $0) }); self.indices = indices; entries = distinct.count
        case .double(let column):
            guard let (distinct, indices) = build(column.map { $0?.bitPattern }, size: { _ in 8 }) else { return nil }
            self.values = .double(distinct.map { Double(bitPattern: $0) }); self.indices = indices; entries = distinct.count
        case .bytes(let column):
            guard let (distinct, indices) = build(column, size: { $0.count + 4 }) else { return nil }
            self.values = .bytes(distinct); self.indices = indices; entries = distinct.count
        case .boolean:
            return nil
        }
    }
}

/// What the footer records about one column chunk.
struct ColumnChunkMetadata {
    var column: ParquetColumn
    var codec: ParquetCompression
    var valueCount: Int
    var statistics: ColumnStatistics
    var encodings: [Int32] = []
    var dataPageOffset: Int64 = 0
    var dictionaryPageOffset: Int64?
    var uncompressedSize: Int64 = 0
    var compressedSize: Int64 = 0

    var firstPageOffset: Int64 { dictionaryPageOffset ?? dataPageOffset }

    func write(to writer: inout ThriftCompactWriter) {
        writer.i32(1, column.physicalType.rawValue)
        writer.i32List(2, encodings)
        writer.stringList(3, [column.name])
        writer.i32(4, codec.rawValue)
        writer.i64(5, Int64(valueCount))
        writer.i64(6, uncompressedSize)
        writer.i64(7, compressedSize)
        writer.i64(9, dataPageOffset)
        if let dictionaryPageOffset { writer.i64(11, dictionaryPageOffset) }
        writer.structure(12) { statistics.write(to: &$0) }
    }
}

struct RowGroupMetadata {
    var rows: Int
    var columns: [ColumnChunkMetadata]
}
