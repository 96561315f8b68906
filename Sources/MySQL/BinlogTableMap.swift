/// A TABLE_MAP event: the table that the row events after it change, and how
/// its columns are encoded in their row images.
///
/// Every server logs the column types and their type metadata. With
/// `binlog_row_metadata=FULL` (MariaDB ≥ 10.5, MySQL ≥ 8.0.1) the event also
/// carries the column names, signedness, character sets, ENUM/SET members and
/// the primary key: the definition the rows were *written* with, whatever the
/// table looks like by the time they are read. `MINIMAL` carries signedness
/// and character sets only.
public struct BinlogTableMap: Sendable, Hashable {
    /// One column as the event describes it.
    public struct Column: Sendable, Hashable {
        /// The binlog type code (`MYSQL_TYPE_*`): 3 LONG, 15 VARCHAR, 254 STRING…
        public var type: UInt8
        /// The type's metadata (precision/scale, length, fraction digits…), as the row decoder reads it.
        public var meta: UInt16
        public var nullable: Bool
        /// Column name (FULL metadata only).
        public var name: String?
        /// Whether a numeric column is UNSIGNED (MINIMAL and FULL metadata).
        public var unsigned: Bool?
        /// Collation id of a text, ENUM or SET column (MINIMAL and FULL metadata).
        public var collation: Int?
        /// ENUM or SET members, as bytes in the column's character set (FULL metadata only).
        public var members: [[UInt8]]?

        public init(type: UInt8, meta: UInt16, nullable: Bool) {
            self.type = type
            self.meta = meta
            self.nullable = nullable
        }

        /// The type a STRING column really is (CHAR/BINARY 254, ENUM 247, SET 248); `type` otherwise.
        public var realType: UInt8 {
            guard type == 254 else { return type }
            let high = UInt8(meta >> 8)
            return high & 0x30 != 0x30 ? high | 0x30 : high
        }

        /// Declared byte length of a CHAR/BINARY column (type 254, real type 254).
        public var fixedLength: Int {
            let high = Int(meta >> 8)
            var length = Int(meta & 0xFF)
            if high & 0x30 != 0x30 { length |= ((high & 0x30) ^ 0x30) << 4 }
            return length
        }

        /// Numeric in the sense of the SIGNEDNESS metadata: integers, DECIMAL, FLOAT, DOUBLE.
        var isNumeric: Bool { [1, 2, 3, 8, 9, 0, 246, 4, 5].contains(type) }

        /// Text in the sense of the character-set metadata: CHAR, VARCHAR and the BLOB/TEXT family.
        var isCharacter: Bool {
            switch realType {
            case 254, 253, 15, 252, 249, 250, 251: return true
            default: return false
            }
        }

        var isEnumOrSet: Bool { realType == 247 || realType == 248 }
    }

    public var tableID: UInt64
    public var database: String
    public var table: String
    public var columns: [Column]
    /// Primary-key column indexes (FULL metadata only; empty when the table has none).
    public var primaryKey: [Int]?

    /// Whether the event named its columns (`binlog_row_metadata=FULL`).
    public var hasColumnNames: Bool { !columns.isEmpty && columns.allSatisfy { $0.name != nil } }

    public init(tableID: UInt64, database: String, table: String, columns: [Column], primaryKey: [Int]? = nil) {
        self.tableID = tableID
        self.database = database
        self.table = table
        self.columns = columns
        self.primaryKey = primaryKey
    }

    /// Parses an event body (after the 19-byte common header, without the checksum).
    public init(body: [UInt8]) throws {
        self = try body.withUnsafeBytes { buffer in
            var reader = ByteReader(buffer)
            let tableID = try reader.littleEndian(6)
            _ = try reader.littleEndian(2)                               // flags
            let database = try reader.bytes(Int(try reader.littleEndian(1)))
            _ = try reader.bytes(1)
            let table = try reader.bytes(Int(try reader.littleEndian(1)))
            _ = try reader.bytes(1)
            let count = Int(try reader.packedInteger())
            let types = try reader.bytes(count)
            let metadata = try reader.packedBytes()
            let nulls = try reader.bytes((count + 7) / 8)
            let metas = try Self.typeMetadata(types: types, block: metadata)
            var columns = (0..<count).map { index in
                Column(type: types[index], meta: metas[index], nullable: nulls[index / 8] & (1 << (index % 8)) != 0)
            }
            let primaryKey = try Self.applyOptionalMetadata(&reader, to: &columns)
            return BinlogTableMap(tableID: tableID, database: String(decoding: database, as: UTF8.self),
                                  table: String(decoding: table, as: UTF8.self), columns: columns, primaryKey: primaryKey)
        }
    }

    /// Splits the type metadata block into one value per column (the bytes each type uses).
    static func typeMetadata(types: [UInt8], block: [UInt8]) throws -> [UInt16] {
        var offset = 0
        func byte() throws -> UInt16 {
            guard offset < block.count else { throw BinlogRowDecoder.corrupt("table map metadata is short") }
            defer { offset += 1 }
            return UInt16(block[offset])
        }
        return try types.map { type in
            switch type {
            case 4, 5, 252, 255, 245, 17, 18, 19:    // FLOAT, DOUBLE, BLOB, GEOMETRY, JSON, TIMESTAMP2, DATETIME2, TIME2
                return try byte()
            case 15, 253:                             // VARCHAR, VAR_STRING: max length, little-endian
                let low = try byte()
                return low | (try byte() << 8)
            case 16, 246, 254, 247, 248:              // BIT, NEWDECIMAL, STRING, ENUM, SET: two bytes, first in the high byte
                let high = try byte()
                return (high << 8) | (try byte())
            default:
                return 0
            }
        }
    }
}
