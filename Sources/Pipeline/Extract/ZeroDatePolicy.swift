import MySQL

/// What extract does with a MySQL date that has no calendar day: the zero date, a zero month
/// or day, year 0 (`SLUICE_ZERO_DATES`, `--zero-dates`). The same on the snapshot and the binlog.
public enum ZeroDatePolicy: String, Sendable, CaseIterable {
    /// Debezium's: the value arrives as NULL (in a primary key column, where NULL cannot stand,
    /// its table stops).
    case null
    /// The table stops at the first such value, with a line naming the column.
    case stop
}

extension TableStop {
    /// A column holding a date with no calendar day, under `--zero-dates stop`.
    static func zeroDate(_ column: String, table: String) -> TableStop {
        TableStop(reason: "column \(column) holds a zero date (or one with a zero year, month or day), and --zero-dates stop does not carry it as NULL",
                  remedy: "Give the row a real date in MySQL, or carry such dates as NULL with --zero-dates null (SLUICE_ZERO_DATES=null); then run sluice extract --resnapshot \(table)")
    }
}

extension TableSchema {
    /// The first column of a snapshot row (text protocol) holding a date with no calendar day.
    func zeroDateColumn(textProtocol row: [[UInt8]?]) -> String? {
        zip(row, columns).first { value, column in
            guard let value, column.holdsDates else { return false }
            return !FieldValue.isCalendarDate(String(decoding: value, as: UTF8.self))
        }?.1.name
    }

    /// The first column of a binlog row image holding a date with no calendar day (or the zero TIMESTAMP).
    func zeroDateColumn(binlog row: [BinlogValue?]) -> String? {
        zip(row, columns).first { value, column in
            switch (value, column.type) {
            case (.time(let time)?, .date), (.time(let time)?, .datetime): return !time.isCalendarDate
            case (.timestamp(0, 0)?, .timestamp): return true
            default: return false
            }
        }?.1.name
    }
}

extension ColumnSchema {
    /// DATE, DATETIME or TIMESTAMP.
    var holdsDates: Bool {
        switch type {
        case .date, .datetime, .timestamp: return true
        default: return false
        }
    }
}
