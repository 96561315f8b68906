/// Reads Parquet files with a flat schema: PLAIN and dictionary encodings,
/// data pages v1 and v2, uncompressed, SNAPPY, GZIP and ZSTD pages.
public struct ParquetReader: Sendable {
    /// The file's columns, in order.
    public let columns: [ParquetColumn]
    public let rowCount: Int
    /// The footer's key/value metadata.
    public let metadata: [String: String]
    public let createdBy: String?
    /// Statistics per row group, per column.
    public let statistics: [[ColumnStatistics]]
    let bytes: [UInt8]
    let rowGroups: [ThriftValue]

    /// Parses the footer; the pages are decoded by `readColumns`.
    public init(_ bytes: [UInt8]) throws {
        let magic = Array("PAR1".utf8)
        guard bytes.count >= 12, Array(bytes.prefix(4)) == magic, Array(bytes.suffix(4)) == magic else {
            throw ParquetError.corrupt("not a Parquet file (no PAR1 magic)")
        }
        let lengthBytes = bytes[(bytes.count - 8)..<(bytes.count - 4)]
        let footerLength = Int(lengthBytes.reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        guard footerLength > 0, footerLength <= bytes.count - 12 else { throw ParquetError.corrupt("bad footer length") }
        var reader = ThriftCompactReader(bytes, offset: bytes.count - 8 - footerLength)
        let footer = try reader.readStruct()

        guard let schema = footer[2]?.list, let root = schema.first else { throw ParquetError.corrupt("the footer has no schema") }
        let childCount = Int(root[5]?.int ?? 0)
        guard childCount == schema.count - 1, schema.dropFirst().allSatisfy({ $0[5] == nil }) else {
            throw ParquetError.unsupported("nested schemas are not supported (flat columns only)")
        }
        columns = try schema.dropFirst().map { element in
            guard let type = element[1]?.int.flatMap({ ParquetPhysicalType(rawValue: Int32($0)) }), let name = element[4]?.string else {
                throw ParquetError.corrupt("a schema element has no type or name")
            }
            if element[3]?.int == 2 { throw ParquetError.unsupported("repeated column \(name) is not supported") }
            return ParquetColumn(name: name, physicalType: type,
                                 logicalType: ParquetLogicalType(logical: element[10], converted: element[6]?.int,
                                                                 precision: element[8]?.int, scale: element[7]?.int),
                                 nullable: element[3]?.int == 1, typeLength: element[2]?.int.map { Int($0) })
        }
        rowCount = Int(footer[3]?.int ?? 0)
        rowGroups = footer[4]?.list ?? []
        var pairs: [String: String] = [:]
        for pair in footer[5]?.list ?? [] {
            if let key = pair[1]?.string { pairs[key] = pair[2]?.string ?? "" }
        }
        metadata = pairs
        createdBy = footer[6]?.string
        statistics = rowGroups.map { group in
            (group[1]?.list ?? []).map { chunk in
                let stats = chunk[3]?[12]
                return ColumnStatistics(nullCount: stats?[3]?.int ?? 0, min: stats?[6]?.binary ?? stats?[2]?.binary,
                                        max: stats?[5]?.binary ?? stats?[1]?.binary)
            }
        }
        self.bytes = bytes
    }

    /// The footer's size from a file's last 8 bytes (to fetch just the footer of a remote file).
    public static func footerLength(lastEightBytes tail: [UInt8]) throws -> Int {
        guard tail.count == 8, Array(tail.suffix(4)) == Array("PAR1".utf8) else {
            throw ParquetError.corrupt("not a Parquet file (no PAR1 magic at the end)")
        }
        return Int(tail[0..<4].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
    }

    /// Parses only the footer, from the file's last `footerLength + 8` bytes.
    /// Schema, row count, metadata and statistics are available; pages are not.
    public init(footerTail tail: [UInt8]) throws {
        try self.init(Array("PAR1".utf8) + tail)
    }

    /// Every column's values, all row groups concatenated.
    public func readColumns() throws -> [ParquetColumnValues] {
        try columns.indices.map { try readColumn($0) }
    }

    /// One column's values, all row groups concatenated.
    public func readColumn(_ index: Int) throws -> ParquetColumnValues {
        var parts: [ParquetColumnValues] = []
        for group in rowGroups {
            guard let chunk = group[1]?.list?[index], let meta = chunk[3] else {
                throw ParquetError.corrupt("row group without column \(columns[index].name)")
            }
            parts.append(try readChunk(meta, column: columns[index]))
        }
        return try Self.concatenate(parts, type: columns[index].physicalType)
    }

    private func readChunk(_ meta: ThriftValue, column: ParquetColumn) throws -> ParquetColumnValues {
        guard let codec = meta[4]?.int.flatMap({ ParquetCompression(rawValue: Int32($0)) }) else {
            throw ParquetError.unsupported("column \(column.name) uses a compression codec Sluice does not read")
        }
        let valueCount = Int(meta[5]?.int ?? 0)
        var offset = Int(meta[11]?.int ?? meta[9]?.int ?? 0)
        if let dictionaryOffset = meta[11]?.int, let dataOffset = meta[9]?.int { offset = Int(min(dictionaryOffset, dataOffset)) }
        var dictionary: ParquetColumnValues?
        var pages: [ParquetColumnValues] = []
        var seen = 0
        while seen < valueCount {
            var reader = ThriftCompactReader(bytes, offset: offset)
            let header = try reader.readStruct()
            let compressedSize = Int(header[3]?.int ?? -1), uncompressedSize = Int(header[2]?.int ?? -1)
            let bodyStart = reader.offset
            guard compressedSize >= 0, bodyStart + compressedSize <= bytes.count else { throw ParquetError.corrupt("a page runs past the end of the file") }
            let body = bytes[bodyStart..<bodyStart + compressedSize]
            offset = bodyStart + compressedSize
            switch header[1]?.int {
            case 2?:
                let data = try codec.decompress(body, uncompressedSize: uncompressedSize)
                dictionary = try PlainEncoding.decode(data[...], type: column.physicalType, count: Int(header[7]?[1]?.int ?? 0),
                                                      fixedLength: column.typeLength)
            case 0?:
                guard let page = header[5] else { throw ParquetError.corrupt("data page without header") }
                let data = try codec.decompress(body, uncompressedSize: uncompressedSize)
                let count = Int(page[1]?.int ?? 0)
                var position = data.startIndex
                var levels: [UInt32]?
                if column.nullable {
                    guard data.count >= 4 else { throw ParquetError.corrupt("definition levels missing") }
                    let length = Int(data[0..<4].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
                    levels = try RLEHybrid.decode(data[4..<(4 + length)], bitWidth: 1, count: count)
                    position = 4 + length
                }
                pages.append(try decodeValues(data[position...], encoding: page[2]?.int ?? 0, levels: levels, count: count,
                                              column: column, dictionary: dictionary))
                seen += count
            case 3?:
                guard let page = header[8] else { throw ParquetError.corrupt("data page v2 without header") }
                let count = Int(page[1]?.int ?? 0)
                let definitionLength = Int(page[5]?.int ?? 0), repetitionLength = Int(page[6]?.int ?? 0)
                let levelsEnd = body.startIndex + repetitionLength + definitionLength
                var levels: [UInt32]?
                if column.nullable {
                    levels = try RLEHybrid.decode(body[(body.startIndex + repetitionLength)..<levelsEnd], bitWidth: 1, count: count)
                }
                let compressed = page[7]?.bool ?? true
                let values = compressed
                    ? try codec.decompress(body[levelsEnd...], uncompressedSize: uncompressedSize - repetitionLength - definitionLength)
                    : Array(body[levelsEnd...])
                pages.append(try decodeValues(values[...], encoding: page[4]?.int ?? 0, levels: levels, count: count,
                                              column: column, dictionary: dictionary))
                seen += count
            default:
                continue
            }
        }
        return try Self.concatenate(pages, type: column.physicalType)
    }

    /// Decodes a page's values and spreads them over the rows its definition levels mark non-null.
    private func decodeValues(_ data: ArraySlice<UInt8>, encoding: Int64, levels: [UInt32]?, count: Int,
                              column: ParquetColumn, dictionary: ParquetColumnValues?) throws -> ParquetColumnValues {
        let present = levels.map { $0.filter { $0 == 1 }.count } ?? count
        let values: ParquetColumnValues
        switch encoding {
        case 0:
            values = try PlainEncoding.decode(data, type: column.physicalType, count: present, fixedLength: column.typeLength)
        case 3 where column.physicalType == .boolean:
            // RLE booleans (data pages v2): a 4-byte length, then the hybrid encoding at bit width 1.
            guard data.count >= 4 else { throw ParquetError.corrupt("RLE boolean page is empty") }
            let bits = try RLEHybrid.decode(data.dropFirst(4), bitWidth: 1, count: present)
            values = .boolean(bits.map { $0 == 1 })
        case 2, 8:
            guard let dictionary else { throw ParquetError.corrupt("dictionary-encoded page without a dictionary") }
            guard let width = data.first else { throw ParquetError.corrupt("dictionary page data is empty") }
            let indices = try RLEHybrid.decode(data.dropFirst(), bitWidth: Int(width), count: present)
            values = try Self.lookUp(indices, in: dictionary)
        default:
            throw ParquetError.unsupported("column \(column.name) uses encoding \(encoding), which Sluice does not read")
        }
        guard let levels else { return values }
        return Self.spread(values, levels: levels)
    }

    static func lookUp(_ indices: [UInt32], in dictionary: ParquetColumnValues) throws -> ParquetColumnValues {
        func pick<T>(_ values: [T?]) throws -> [T?] {
            try indices.map { index in
                guard Int(index) < values.count else { throw ParquetError.corrupt("dictionary index out of range") }
                return values[Int(index)]
            }
        }
        switch dictionary {
        case .boolean(let values): return .boolean(try pick(values))
        case .int32(let values): return .int32(try pick(values))
        case .int64(let values): return .int64(try pick(values))
        case .float(let values): return .float(try pick(values))
        case .double(let values): return .double(try pick(values))
        case .bytes(let values): return .bytes(try pick(values))
        }
    }

    /// Puts nulls where the definition level is 0.
    static func spread(_ values: ParquetColumnValues, levels: [UInt32]) -> ParquetColumnValues {
        func place<T>(_ present: [T?]) -> [T?] {
            var iterator = present.makeIterator()
            return levels.map { $0 == 1 ? (iterator.next() ?? nil) : nil }
        }
        switch values {
        case .boolean(let values): return .boolean(place(values))
        case .int32(let values): return .int32(place(values))
        case .int64(let values): return .int64(place(values))
        case .float(let values): return .float(place(values))
        case .double(let values): return .double(place(values))
        case .bytes(let values): return .bytes(place(values))
        }
    }

    static func concatenate(_ parts: [ParquetColumnValues], type: ParquetPhysicalType) throws -> ParquetColumnValues {
        guard var result = parts.first else {
            switch type {
            case .boolean: return .boolean([])
            case .int32: return .int32([])
            case .int64: return .int64([])
            case .float: return .float([])
            case .double: return .double([])
            default: return .bytes([])
            }
        }
        for part in parts.dropFirst() {
            switch (result, part) {
            case (.boolean(let a), .boolean(let b)): result = .boolean(a + b)
            case (.int32(let a), .int32(let b)): result = .int32(a + b)
            case (.int64(let a), .int64(let b)): result = .int64(a + b)
            case (.float(let a), .float(let b)): result = .float(a + b)
            case (.double(let a), .double(let b)): result = .double(a + b)
            case (.bytes(let a), .bytes(let b)): result = .bytes(a + b)
            default: throw ParquetError.corrupt("pages of one column disagree on type")
            }
        }
        return result
    }
}
