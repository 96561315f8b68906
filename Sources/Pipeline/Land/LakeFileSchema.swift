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

    /// The column values of a batch of rows, ready for `ParquetWriter`.
    public func values(of rows: [LakeRow]) throws -> [ParquetColumnValues] {
        var result: [ParquetColumnValues] = []
        for (column, parquet) in zip(table.columns, columns) {
            let texts = rows.map { row in row.values[column.name] ?? .null }
            result.append(try Self.convert(texts, column: column, parquet: parquet, rows: rows))
        }
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

    static func convert(_ values: [JSONValue], column: ColumnSchema, parquet: ParquetColumn, rows: [LakeRow]) throws -> ParquetColumnValues {
        func fail(_ index: Int) -> LandError {
            LandError(message: "value \(values[index]) of \(column.name) (\(column.type.name)) at partition \(rows[index].partition) offset \(rows[index].offset) cannot be stored exactly")
        }
        func each<T>(_ convert: (JSONValue) throws -> T?) throws -> [T?] {
            try values.indices.map { index in
                if values[index].isNull { return nil }
                guard let converted = try? convert(values[index]) else { throw fail(index) }
                return converted
            }
        }
        switch (parquet.physicalType, parquet.logicalType) {
        case (.int32, .decimal(_, let scale)?):
            return .int32(try each { value in try value.stringValue.map { Int32(try ParquetDecimal.unscaled($0, scale: scale)) } })
        case (.int64, .decimal(_, let scale)?):
            return .int64(try each { value in try value.stringValue.map { Int64(try ParquetDecimal.unscaled($0, scale: scale)) } })
        case (.fixedLenByteArray, .decimal(_, let scale)?):
            let length = parquet.typeLength ?? 16
            return .bytes(try each { value in try value.stringValue.map { ParquetDecimal.bytes(try ParquetDecimal.unscaled($0, scale: scale), length: length) } })
        case (.int32, .date?):
            return .int32(try each { value in value.stringValue.flatMap(LakeTime.days).map(Int32.init) })
        case (.int64, .timestamp?):
            return .int64(try each { value in value.stringValue.flatMap(LakeTime.microseconds) })
        case (.int32, .integer(_, let signed)?):
            return .int32(try each { value in
                guard let text = value.numberText else { return nil }
                return signed ? Int32(text) : UInt32(text).map { Int32(bitPattern: $0) }
            })
        case (.int64, .integer(_, let signed)?):
            return .int64(try each { value in
                guard let text = value.numberText else { return nil }
                return signed ? Int64(text) : UInt64(text).map { Int64(bitPattern: $0) }
            })
        case (.float, _): return .float(try each { $0.numberText.flatMap(Float.init) })
        case (.double, _): return .double(try each { $0.numberText.flatMap(Double.init) })
        case (.byteArray, .string?):
            return .bytes(try each { value in (value.stringValue ?? value.numberText).map { Array($0.utf8) } })
        case (.byteArray, _):
            return .bytes(try each { value in value.stringValue.flatMap { Data(base64Encoded: $0) }.map { Array($0) } })
        default:
            throw LandError(message: "no lake mapping for \(column.name) (\(column.type.name))")
        }
    }
}

/// Date and time text of change events as Parquet numbers.
enum LakeTime {
    /// `YYYY-MM-DD` → days since 1970-01-01.
    static func days(_ text: String) -> Int? {
        let parts = text.prefix(10).split(separator: "-")
        guard parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        // Days from the civil calendar (proleptic Gregorian), after H. Hinnant's algorithm.
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
