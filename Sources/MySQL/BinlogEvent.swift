/// A value of one column in a binlog row image. Integers arrive as their raw
/// bits, not sign-extended (the table schema says whether they are signed).
public enum BinlogValue: Sendable, Hashable {
    case null
    case signed(Int64)
    case unsigned(UInt64)
    case float(Float)
    case double(Double)
    /// Strings (in the column's character set), DECIMAL text, BLOB bytes, JSON text (MySQL's binary JSON already decoded), BIT (big-endian).
    case bytes([UInt8])
    /// DATE, DATETIME and TIME values.
    case time(BinlogTime)
    /// TIMESTAMP: seconds since 1970 (UTC) and microseconds.
    case timestamp(seconds: UInt32, microseconds: UInt32)
}

/// The parts of a MYSQL_TIME.
public struct BinlogTime: Sendable, Hashable {
    public var year, month, day, hour, minute, second: UInt32
    public var microseconds: UInt
    public var negative: Bool

    public init(year: UInt32, month: UInt32, day: UInt32, hour: UInt32, minute: UInt32, second: UInt32,
                microseconds: UInt, negative: Bool) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
        self.microseconds = microseconds
        self.negative = negative
    }
}

/// What a row event did.
public enum BinlogRowKind: Sendable { case insert, update, delete }

/// The rows of one WRITE/UPDATE/DELETE_ROWS event. For updates, `rows`
/// alternates before-image, after-image.
public struct BinlogRowsEvent: Sendable {
    /// The TABLE_MAP the rows were written with.
    public var map: BinlogTableMap
    public var database: String { map.database }
    public var table: String { map.table }
    public var kind: BinlogRowKind
    /// Column values per row, by column position; `nil` for a column the image does not include.
    public var rows: [[BinlogValue?]]
    /// Position of this event in its file.
    public var position: UInt64
    public var nextPosition: UInt64
    /// Seconds since 1970 when the statement ran.
    public var timestamp: UInt32
    /// Changes before this event at the same `position`: row events unpacked from one MySQL
    /// transaction payload share its position and count their changes on from here. 0 otherwise.
    public var firstChange: Int = 0

    public init(map: BinlogTableMap, kind: BinlogRowKind, rows: [[BinlogValue?]], position: UInt64, nextPosition: UInt64,
                timestamp: UInt32, firstChange: Int = 0) {
        (self.map, self.kind, self.rows, self.position, self.nextPosition, self.timestamp, self.firstChange) =
            (map, kind, rows, position, nextPosition, timestamp, firstChange)
    }

    /// Row changes the event holds (an update is a before and an after image).
    public var changeCount: Int { kind == .update ? rows.count / 2 : rows.count }
}

/// The events Sluice acts on; everything else is `.other`.
public enum BinlogEvent: Sendable {
    /// The stream switched to `file` (the first event of every stream too).
    case rotate(file: String, position: UInt64)
    /// A GTID that starts a transaction: MariaDB's `domain-server-sequence` or MySQL's `uuid:n`.
    case gtid(String, nextPosition: UInt64)
    /// Row changes to a table that Sluice cannot read exactly (e.g. MySQL's partial JSON updates):
    /// that table must stop, naming `reason`.
    case refusedRows(BinlogTableMap, reason: String, position: UInt64, nextPosition: UInt64)
    /// A table's row-image layout, sent before the row events that use it.
    case tableMap(BinlogTableMap, nextPosition: UInt64)
    case rows(BinlogRowsEvent)
    /// A transaction committed (XID event); resume after `nextPosition`.
    case commit(nextPosition: UInt64, timestamp: UInt32)
    /// A statement: `BEGIN`, DDL, or statement-logged DML. `database` is the
    /// session's default database when it ran; `position` where the event starts.
    case query(database: String, statement: String, position: UInt64, nextPosition: UInt64, timestamp: UInt32)
    /// The server's keep-alive while there is nothing to send.
    case heartbeat
    case other(type: UInt32, nextPosition: UInt64)
}
