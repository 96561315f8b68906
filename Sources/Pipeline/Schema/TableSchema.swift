import MySQL

/// A column of a captured table.
public struct ColumnSchema: Sendable, Hashable {
    public var name: String
    public var type: ColumnType
    /// The MySQL declaration, e.g. `decimal(10,2)` or `varchar(50)`.
    public var sourceType: String
    /// The column's character set for text (`latin1`, `utf8mb4`), else `nil`.
    public var characterSet: String?
    public var nullable: Bool

    /// `CHAR(n)`: MySQL pads it with spaces and returns it without trailing spaces.
    public var isFixedWidthText: Bool {
        if case .string = type { return sourceType.lowercased().hasPrefix("char") }
        return false
    }

    /// `BINARY(n)`: always `n` bytes, padded with 0x00 (the binlog drops the padding).
    public var fixedBinaryLength: Int? {
        guard case .binary(let length) = type, sourceType.lowercased().hasPrefix("binary") else { return nil }
        return length
    }
}

/// The schema of one captured table, as published to `<prefix>._schemas`.
public struct TableSchema: Sendable, Hashable {
    public var database: String
    public var table: String
    public var columns: [ColumnSchema]
    /// Key columns in order. For a table without a primary key, every column (see the README).
    public var key: [String]
    /// Whether `key` is a real primary key.
    public var hasPrimaryKey: Bool
    /// Increases by one with each published change (columns, key, or a new floor); 0 until published.
    public var version: Int = 0
    /// From this binlog position on, row images of the table are read with this version (`nil`: from the start).
    public var since: BinlogPosition?
    /// Rows of the table logged before this position are superseded: a snapshot started or the
    /// table was truncated or dropped there. Consumers drop state older than the floor.
    public var floor: BinlogPosition?
    /// The table was dropped at `floor` (it has no rows).
    public var dropped = false
    /// The extract epoch the version was published in (orders `floor` across resets).
    public var epoch = 0

    /// `floor` as a source order (`nil`: none).
    public var floorOrder: SourceOrder? { floor.map { SourceOrder($0, epoch: epoch) } }

    /// Index of each key column in `columns`.
    public var keyIndexes: [Int] { key.compactMap { name in columns.firstIndex { $0.name == name } } }

    /// Same columns and key, whatever the version.
    public func sameShape(as other: TableSchema) -> Bool {
        columns == other.columns && key == other.key && hasPrimaryKey == other.hasPrimaryKey
    }

    /// Maps a MySQL definition; throws a clear error for a type Sluice cannot carry exactly.
    public init(_ definition: MySQLTableDefinition) throws {
        database = definition.database
        table = definition.name
        columns = try definition.columns.map { column in
            ColumnSchema(name: column.name, type: try TableSchema.columnType(column, table: definition.name),
                         sourceType: column.columnType, characterSet: column.characterSet, nullable: column.isNullable)
        }
        hasPrimaryKey = !definition.primaryKey.isEmpty
        key = hasPrimaryKey ? definition.primaryKey : definition.columns.map(\.name)
        if let clash = definition.columns.first(where: { ReservedColumnNames.all.contains($0.name) }) {
            throw MySQLError(code: .unsupportedType,
                             message: "column \(definition.database).\(definition.name).\(clash.name) has the name of a column Sluice adds in the lake and staging (\(ReservedColumnNames.all.sorted().joined(separator: ", ")))",
                             hint: "rename the column (ALTER TABLE … RENAME COLUMN)")
        }
    }

    init(database: String, table: String, columns: [ColumnSchema], key: [String], hasPrimaryKey: Bool, version: Int,
         since: BinlogPosition? = nil, floor: BinlogPosition? = nil, dropped: Bool = false, epoch: Int = 0) {
        self.database = database
        self.table = table
        self.columns = columns
        self.key = key
        self.hasPrimaryKey = hasPrimaryKey
        self.version = version
        self.since = since
        self.floor = floor
        self.dropped = dropped
        self.epoch = epoch
    }

    static func columnType(_ column: MySQLColumnDefinition, table: String) throws -> ColumnType {
        let signed = !column.isUnsigned
        switch column.dataType {
        case "tinyint": return .integer(bits: 8, signed: signed)
        case "smallint": return .integer(bits: 16, signed: signed)
        case "mediumint": return .integer(bits: 24, signed: signed)
        case "int", "integer": return .integer(bits: 32, signed: signed)
        case "bigint": return .integer(bits: 64, signed: signed)
        case "decimal", "numeric": return .decimal(precision: column.numericPrecision ?? 10, scale: column.numericScale ?? 0)
        case "float": return .float
        case "double", "real", "double precision": return .double
        case "bit": return .bit(width: column.numericPrecision ?? 1)
        case "date": return .date
        case "datetime": return .datetime(precision: column.datetimePrecision ?? 0)
        case "timestamp": return .timestamp(precision: column.datetimePrecision ?? 0)
        case "time": return .time(precision: column.datetimePrecision ?? 0)
        case "year": return .year
        case "char", "varchar", "tinytext", "text", "mediumtext", "longtext":
            return .string(maxLength: column.characterMaximumLength)
        case "enum": return .enumeration(values: parseValueList(column.columnType))
        case "set": return .set(values: parseValueList(column.columnType))
        case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob":
            return .binary(maxLength: column.characterMaximumLength)
        case "json": return .json
        case let spatial where ColumnSchema.geometryTypes.contains(spatial): return .binary(maxLength: nil)
        case "inet4", "inet6", "uuid": return .string(maxLength: nil)
        default:
            throw MySQLError(code: .unsupportedType,
                             message: "column \(table).\(column.name) has type \(column.columnType), which Sluice cannot map",
                             hint: "leave the table out with --tables, or change the column's type")
        }
    }

    /// `enum('a','b''c')` → `["a", "b'c"]`.
    static func parseValueList(_ declaration: String) -> [String] {
        guard let open = declaration.firstIndex(of: "("), let close = declaration.lastIndex(of: ")") else { return [] }
        var values: [String] = [], current = "", inQuote = false
        var characters = declaration[declaration.index(after: open)..<close].makeIterator()
        while let character = characters.next() {
            if inQuote {
                if character == "'" {
                    // '' inside quotes is an escaped quote; a lone ' ends the value.
                    if let next = characters.next() {
                        if next == "'" { current.append("'") } else { inQuote = false; values.append(current); current = "" }
                    } else { inQuote = false; values.append(current) }
                } else { current.append(character) }
            } else if character == "'" { inQuote = true }
        }
        return values
    }
}
