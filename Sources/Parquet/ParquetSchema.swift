/// Parquet's physical types (how values are stored).
public enum ParquetPhysicalType: Int32, Sendable {
    case boolean = 0, int32 = 1, int64 = 2, int96 = 3, float = 4, double = 5, byteArray = 6, fixedLenByteArray = 7
}

/// Time units of TIME and TIMESTAMP logical types.
public enum ParquetTimeUnit: Sendable, Hashable { case millis, micros, nanos }

/// Parquet's logical types (what stored values mean), the subset Sluice writes and reads.
public enum ParquetLogicalType: Sendable, Hashable {
    case string
    case json
    case decimal(precision: Int, scale: Int)
    case date
    case timestamp(adjustedToUTC: Bool, unit: ParquetTimeUnit)
    case time(adjustedToUTC: Bool, unit: ParquetTimeUnit)
    case integer(bitWidth: Int, signed: Bool)
}

/// One column of a flat schema.
public struct ParquetColumn: Sendable, Hashable {
    public var name: String
    public var physicalType: ParquetPhysicalType
    public var logicalType: ParquetLogicalType?
    /// `false` means REQUIRED (no definition levels).
    public var nullable: Bool
    /// Byte width for FIXED_LEN_BYTE_ARRAY.
    public var typeLength: Int?

    public init(name: String, physicalType: ParquetPhysicalType, logicalType: ParquetLogicalType? = nil,
                nullable: Bool = true, typeLength: Int? = nil) {
        self.name = name
        self.physicalType = physicalType
        self.logicalType = logicalType
        self.nullable = nullable
        self.typeLength = typeLength
    }
}

/// The values of one column, in row order (`nil` is null).
public enum ParquetColumnValues: Sendable, Equatable {
    case boolean([Bool?])
    case int32([Int32?])
    case int64([Int64?])
    case float([Float?])
    case double([Double?])
    /// BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY values.
    case bytes([[UInt8]?])

    public var count: Int {
        switch self {
        case .boolean(let values): return values.count
        case .int32(let values): return values.count
        case .int64(let values): return values.count
        case .float(let values): return values.count
        case .double(let values): return values.count
        case .bytes(let values): return values.count
        }
    }

    /// Whether the value at `index` is null.
    public func isNull(_ index: Int) -> Bool {
        switch self {
        case .boolean(let values): return values[index] == nil
        case .int32(let values): return values[index] == nil
        case .int64(let values): return values[index] == nil
        case .float(let values): return values[index] == nil
        case .double(let values): return values[index] == nil
        case .bytes(let values): return values[index] == nil
        }
    }
}

/// Compression of pages.
public enum ParquetCompression: Int32, Sendable, CaseIterable {
    case uncompressed = 0, snappy = 1, gzip = 2, zstd = 6
}
