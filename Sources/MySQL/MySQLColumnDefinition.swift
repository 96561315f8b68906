/// A column as `information_schema.COLUMNS` describes it.
public struct MySQLColumnDefinition: Sendable, Hashable, Codable {
    public var name: String
    /// 1-based position in the table.
    public var position: Int
    /// `DATA_TYPE`, lower case: `int`, `decimal`, `varchar`…
    public var dataType: String
    /// `COLUMN_TYPE`, the full declaration: `int(11) unsigned`, `decimal(10,2)`, `enum('a','b')`…
    public var columnType: String
    public var numericPrecision: Int?
    public var numericScale: Int?
    public var datetimePrecision: Int?
    /// Maximum length in characters for text types.
    public var characterMaximumLength: Int?
    /// `latin1`, `utf8mb4`…; `nil` for non-text columns.
    public var characterSet: String?
    public var isNullable: Bool
    /// `COLUMN_DEFAULT` as the server prints it (`NULL` or `nil` when the default is NULL).
    public var defaultValue: String?
    /// `EXTRA`: `auto_increment`, `VIRTUAL GENERATED`, `STORED GENERATED`…
    public var extra: String

    /// Whether rows that existed before this column was added read NULL in it: a nullable
    /// column whose default is NULL, neither generated nor auto-incremented.
    public var existingRowsReadNull: Bool {
        let lowered = extra.lowercased()
        return isNullable && (defaultValue == nil || defaultValue == "NULL")
            && !lowered.contains("auto_increment") && !lowered.contains("generated")
    }

    /// Whether an integer column is declared `unsigned`.
    public var isUnsigned: Bool { columnType.lowercased().contains("unsigned") }

    public init(name: String, position: Int, dataType: String, columnType: String, numericPrecision: Int? = nil,
                numericScale: Int? = nil, datetimePrecision: Int? = nil, characterMaximumLength: Int? = nil,
                characterSet: String? = nil, isNullable: Bool, defaultValue: String? = nil, extra: String = "") {
        self.name = name
        self.position = position
        self.dataType = dataType
        self.columnType = columnType
        self.numericPrecision = numericPrecision
        self.numericScale = numericScale
        self.datetimePrecision = datetimePrecision
        self.characterMaximumLength = characterMaximumLength
        self.characterSet = characterSet
        self.isNullable = isNullable
        self.defaultValue = defaultValue
        self.extra = extra
    }
}

/// A table's columns in order and its primary key.
public struct MySQLTableDefinition: Sendable, Hashable {
    public var database: String
    public var name: String
    public var columns: [MySQLColumnDefinition]
    /// Primary-key column names in key order; empty when the table has none.
    public var primaryKey: [String]
    /// `TABLE_ROWS`, InnoDB's estimate (for progress bars, never for correctness).
    public var estimatedRows: Int

    public init(database: String, name: String, columns: [MySQLColumnDefinition], primaryKey: [String], estimatedRows: Int) {
        self.database = database
        self.name = name
        self.columns = columns
        self.primaryKey = primaryKey
        self.estimatedRows = estimatedRows
    }
}
