/// The optional metadata of a TABLE_MAP event (`binlog_row_metadata`):
/// type-length-value fields after the null bitmap, as MySQL 8 and MariaDB
/// 10.5+ write them.
extension BinlogTableMap {
    enum MetadataField: UInt8 {
        case signedness = 1, defaultCharset, columnCharset, columnName, setValues, enumValues, geometryType,
             simplePrimaryKey, primaryKeyWithPrefix, enumAndSetDefaultCharset, enumAndSetColumnCharset
    }

    /// Reads every field into `columns`; returns the primary key if one was logged.
    static func applyOptionalMetadata(_ reader: inout ByteReader, to columns: inout [Column]) throws -> [Int]? {
        var primaryKey: [Int]?
        while reader.remaining > 0 {
            let type = try reader.littleEndian(1)
            let value = try reader.packedBytes()
            try value.withUnsafeBytes { buffer in
                var field = ByteReader(buffer)
                switch MetadataField(rawValue: UInt8(type)) {
                case .signedness:
                    // One bit per numeric column, most significant bit first; set means UNSIGNED.
                    let numeric = columns.indices.filter { columns[$0].isNumeric }
                    for (position, index) in numeric.enumerated() where position / 8 < value.count {
                        columns[index].unsigned = value[position / 8] & (0x80 >> UInt8(position % 8)) != 0
                    }
                case .defaultCharset:
                    try applyDefaultCollation(&field, to: &columns, among: columns.indices.filter { columns[$0].isCharacter })
                case .columnCharset:
                    try applyCollations(&field, to: &columns, among: columns.indices.filter { columns[$0].isCharacter })
                case .enumAndSetDefaultCharset:
                    try applyDefaultCollation(&field, to: &columns, among: columns.indices.filter { columns[$0].isEnumOrSet })
                case .enumAndSetColumnCharset:
                    try applyCollations(&field, to: &columns, among: columns.indices.filter { columns[$0].isEnumOrSet })
                case .columnName:
                    for index in columns.indices {
                        columns[index].name = String(decoding: try field.packedBytes(), as: UTF8.self)
                    }
                case .setValues:
                    try applyMembers(&field, to: &columns, among: columns.indices.filter { columns[$0].realType == 248 })
                case .enumValues:
                    try applyMembers(&field, to: &columns, among: columns.indices.filter { columns[$0].realType == 247 })
                case .simplePrimaryKey:
                    var key: [Int] = []
                    while field.remaining > 0 { key.append(Int(try field.packedInteger())) }
                    primaryKey = key
                case .primaryKeyWithPrefix:
                    var key: [Int] = []
                    while field.remaining > 0 {
                        key.append(Int(try field.packedInteger()))
                        _ = try field.packedInteger()        // prefix length (0: the whole column)
                    }
                    primaryKey = key
                case .geometryType, nil:
                    break                                    // not needed, or newer than this reader
                }
            }
        }
        if primaryKey == nil, !columns.isEmpty, columns.allSatisfy({ $0.name != nil }) {
            primaryKey = []                                  // FULL metadata without a key field: the table has none
        }
        return primaryKey
    }

    /// A default collation, then (position among `indexes`, collation) pairs for the exceptions.
    private static func applyDefaultCollation(_ field: inout ByteReader, to columns: inout [Column], among indexes: [Int]) throws {
        let fallback = Int(try field.packedInteger())
        for index in indexes { columns[index].collation = fallback }
        while field.remaining > 0 {
            let position = Int(try field.packedInteger())
            let collation = Int(try field.packedInteger())
            guard position < indexes.count else { throw BinlogRowDecoder.corrupt("a charset exception names column \(position)") }
            columns[indexes[position]].collation = collation
        }
    }

    /// One collation per column in `indexes`.
    private static func applyCollations(_ field: inout ByteReader, to columns: inout [Column], among indexes: [Int]) throws {
        for index in indexes where field.remaining > 0 { columns[index].collation = Int(try field.packedInteger()) }
    }

    /// For each column in `indexes`: a member count, then each member as packed bytes.
    private static func applyMembers(_ field: inout ByteReader, to columns: inout [Column], among indexes: [Int]) throws {
        for index in indexes where field.remaining > 0 {
            let count = Int(try field.packedInteger())
            columns[index].members = try (0..<count).map { _ in try field.packedBytes() }
        }
    }
}
