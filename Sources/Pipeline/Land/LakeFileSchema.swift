import Foundation
import Parquet

/// The columns of a lake file for one table schema version: the table's
/// columns (all nullable) then Sluice's metadata columns (required).
public struct LakeFileSchema: Sendable {
    public let table: TableSchema
    public let columns: [ParquetColumn]

    /// Metadata columns added to every row, in order.
    public static let metadataColumns: [ParquetColumn] = [
        ParquetColumn(name: "_op", physicalType: .byteArray, logicalType: .string, nullable: false),
        ParquetColumn(name: "_source_ts_ms", physicalType: .int64, logicalType: .integer(bitWidth: 64, signed: true), nullable: false),
        ParquetColumn(name: "_source_pos", physicalType: .byteArray, logicalType: .string, nullable: false),
        ParquetColumn(name: "_source_row", physicalType: .int64, logicalType: .integer(bitWidth: 64, signed: true), nullable: false),
        ParquetColumn(name: "_source_gtid", physicalType: .byteArray, logicalType: .string, nullable: true),
        ParquetColumn(name: "_snapshot", physicalType: .boolean, nullable: false),
        ParquetColumn(name: "_schema_version", physicalType: .int32, logicalType: .integer(bitWidth: 32, signed: true), nullable: false),
        ParquetColumn(name: "_kafka_partition", physicalType: .int32, logicalType: .integer(bitWidth: 32, signed: true), nullable: false),
        ParquetColumn(name: "_kafka_offset", physicalType: .int64, logicalType: .integer(bitWidth: 64, signed: true), nullable: false),
        ParquetColumn(name: "_source_seq", physicalType: .int64, logicalType: .integer(bitWidth: 64, signed: true), nullable: false),
    ]

    public init(table: TableSchema) {
        self.table = table
        self.columns = table.columns.map(Self.parquetColumn) + Self.metadataColumns
    }

    /// How a column type is stored.
    static func parquetColumn(_ column: ColumnSchema) -> ParquetColumn {
        let name = column.name
        switch column.type {
        case .integer(let bits, let signed):
            if bits == 64 { return ParquetColumn(name: name, physicalType: .int64, logicalType: .integer(bitWidth: 64, signed: signed)) }
            let width = bits <= 8 ? 8 : bits <= 16 ? 16 : 32
            return ParquetColumn(name: name, physicalType: .int32, logicalType: .integer(bitWidth: width, signed: signed))
        case .decimal(let precision, let scale) where precision <= 38:
            return ParquetDecimal.column(name: name, precision: precision, scale: scale)
        case .float: return ParquetColumn(name: name, physicalType: .float)
        case .double: return ParquetColumn(name: name, physicalType: .double)
        case .bit: return ParquetColumn(name: name, physicalType: .int64, logicalType: .integer(bitWidth: 64, signed: false))
        case .date: return ParquetColumn(name: name, physicalType: .int32, logicalType: .date)
        case .datetime: return ParquetColumn(name: name, physicalType: .int64, logicalType: .timestamp(adjustedToUTC: false, unit: .micros))
        case .timestamp: return ParquetColumn(name: name, physicalType: .int64, logicalType: .timestamp(adjustedToUTC: true, unit: .micros))
        case .year: return ParquetColumn(name: name, physicalType: .int32, logicalType: .integer(bitWidth: 16, signed: true))
        case .binary: return ParquetColumn(name: name, physicalType: .byteArray)
        case .decimal, .time, .string, .enumeration, .set, .json:
            // DECIMAL wider than 38 digits and TIME (which may exceed 24 h) stay exact as text.
            return ParquetColumn(name: name, physicalType: .byteArray, logicalType: .string)
        }
    }

    /// The column values of rows `range` of a batch, ready for `ParquetWriter`: the table
    /// columns from `columns`, then the metadata columns from `rows`.
    func values(rows: ArraySlice<LakeRow>, columns: LakeBatchColumns?, range: Range<Int>) -> [ParquetColumnValues] {
        var result = columns?.values(range) ?? table.columns.map { _ in .bytes([]) }
        result.append(.bytes(rows.map { Array($0.operation.utf8) }))
        result.append(.int64(rows.map(\.sourceTimestampMilliseconds)))
        result.append(.bytes(rows.map { Array($0.sourcePosition.utf8) }))
        result.append(.int64(rows.map(\.sourceRow)))
        result.append(.bytes(rows.map { $0.sourceGTID.map { Array($0.utf8) } }))
        result.append(.boolean(rows.map(\.snapshot)))
        result.append(.int32(rows.map { Int32($0.schemaVersion) }))
        result.append(.int32(rows.map(\.partition)))
        result.append(.int64(rows.map(\.offset)))
        result.append(.int64(rows.map(\.sourceSequence)))
        return result
    }
}

/// Date and time text of change events as Parquet numbers.
enum LakeTime {
    /// `YYYY-MM-DD` → days since 1970-01-01.
    static func days(_ text: String) -> Int? {
        let parts = text.prefix(10).split(separator: "-")
        guard parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]) else { return nil }
        return civilDays(year: year, month: month, day: day)
    }

    /// Days from 1970-01-01 of a proleptic Gregorian date, after H. Hinnant's algorithm (`nil` for month or day out of range).
    static func civilDays(year: Int, month: Int, day: Int) -> Int? {
        guard (1...12).contains(month), (1...31).contains(day) else { return nil }
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// `YYYY-MM-DDTHH:MM:SS[.ffffff][Z]` → microseconds since 1970 (the text read as UTC).
    static func microseconds(_ text: String) -> Int64? {
        guard text.count >= 19, let days = days(text) else { return nil }
        let clock = text.dropFirst(11)
        let parts = clock.prefix(8).split(separator: ":")
        guard parts.count == 3, let hour = Int64(parts[0]), let minute = Int64(parts[1]), let second = Int64(parts[2]) else { return nil }
        var micros: Int64 = 0
        let rest = clock.dropFirst(8)
        if rest.hasPrefix(".") {
            let digits = rest.dropFirst().prefix { $0.isNumber }
            guard let fraction = Int64(digits.prefix(6)) else { return nil }
            micros = fraction * Int64(pow(10, Double(6 - min(digits.count, 6))))
        }
        return ((Int64(days) * 24 + hour) * 60 + minute) * 60_000_000 + second * 1_000_000 + micros
    }

    /// Days since 1970 → `YYYY-MM-DD`.
    static func dateText(milliseconds: Int64) -> String {
        var seconds = time_t(milliseconds / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday)
    }
}
