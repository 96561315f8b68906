import Foundation
import Parquet
import Warehouse

/// A lake column as a warehouse column: its snake_case name, SQL type, and
/// how its Parquet values are written as COPY text.
public struct StagingColumn {
    let source: ParquetColumn
    let name: String
    let sqlType: String

    init(_ column: ParquetColumn) {
        source = column
        name = StagingColumn.snakeCase(column.name)
        sqlType = StagingColumn.sqlType(column)
    }

    /// `accountId` → `account_id`, `addressLine1` → `address_line1`, `URL` → `url`:
    /// a source column's name in `staging`.
    public static func snakeCase(_ name: String) -> String {
        var output = ""
        let characters = Array(name)
        for (index, character) in characters.enumerated() {
            if character.isUppercase, index > 0,
               characters[index - 1].isLowercase || characters[index - 1].isNumber
                || (index + 1 < characters.count && characters[index + 1].isLowercase && characters[index - 1].isUppercase) {
                output.append("_")
            }
            output += character.lowercased()
        }
        return output
    }

    /// The column's type on Redshift: `text` and `bytea` have no Redshift spelling.
    var redshiftType: String {
        switch sqlType {
        case "text": return "varchar(65535)"
        case "bytea": return "varbyte(1024000)"
        default: return sqlType
        }
    }

    static func sqlType(_ column: ParquetColumn) -> String {
        switch (column.physicalType, column.logicalType) {
        case (_, .decimal(let precision, let scale)?): return "numeric(\(precision),\(scale))"
        case (_, .date?): return "date"
        case (_, .timestamp(true, _)?): return "timestamptz"
        case (_, .timestamp(false, _)?): return "timestamp"
        case (.int32, .integer(let bits, let signed)?):
            if bits <= 16 && (signed || bits < 16) { return "smallint" }
            return signed || bits < 32 ? "integer" : "bigint"
        case (.int64, .integer(_, false)?): return "numeric(20,0)"
        case (.int32, _): return "integer"
        case (.int64, _): return "bigint"
        case (.float, _): return "real"
        case (.double, _): return "double precision"
        case (.boolean, _): return "boolean"
        case (.byteArray, .string?), (.byteArray, .json?): return "text"
        default: return "bytea"
        }
    }

    /// Appends row `index` of `values` to a COPY row, straight from the typed values (the same text
    /// `texts` gives, with no string per value).
    func render(_ values: ParquetColumnValues) -> @Sendable (Int, inout CopyRowBuffer) -> Void {
        switch (values, source.logicalType) {
        case (.int32(let v), .decimal(_, let scale)?):
            return { i, out in if let x = v[i] { out.appendDecimal(unscaled: Int128(x), scale: scale) } else { out.appendNull() } }
        case (.int64(let v), .decimal(_, let scale)?):
            return { i, out in if let x = v[i] { out.appendDecimal(unscaled: Int128(x), scale: scale) } else { out.appendNull() } }
        case (.bytes(let v), .decimal(_, let scale)?):
            return { i, out in
                if let x = v[i] { out.appendDecimal(unscaled: ParquetDecimal.unscaled(bytes: x), scale: scale) } else { out.appendNull() }
            }
        case (.int32(let v), .date?):
            return { i, out in if let x = v[i] { out.appendDate(days: Int64(x)) } else { out.appendNull() } }
        case (.int64(let v), .timestamp(let utc, let unit)?):
            let perSecond: Int64 = unit == .millis ? 1_000 : unit == .micros ? 1_000_000 : 1_000_000_000
            return { i, out in if let x = v[i] { out.appendTimestamp(x, perSecond: perSecond, utc: utc) } else { out.appendNull() } }
        case (.int32(let v), .integer(_, false)?):
            return { i, out in if let x = v[i] { out.appendInteger(UInt32(bitPattern: x)) } else { out.appendNull() } }
        case (.int64(let v), .integer(_, false)?):
            return { i, out in if let x = v[i] { out.appendInteger(UInt64(bitPattern: x)) } else { out.appendNull() } }
        case (.int32(let v), _):
            return { i, out in if let x = v[i] { out.appendInteger(x) } else { out.appendNull() } }
        case (.int64(let v), _):
            return { i, out in if let x = v[i] { out.appendInteger(x) } else { out.appendNull() } }
        case (.float(let v), _):
            return { i, out in if let x = v[i] { out.appendPlain(StagingColumn.floatText(Double(x))) } else { out.appendNull() } }
        case (.double(let v), _):
            return { i, out in if let x = v[i] { out.appendPlain(StagingColumn.floatText(x)) } else { out.appendNull() } }
        case (.boolean(let v), _):
            return { i, out in if let x = v[i] { out.appendPlain(x ? "t" : "f") } else { out.appendNull() } }
        case (.bytes(let v), .string?), (.bytes(let v), .json?):
            return { i, out in if let x = v[i] { out.appendText(x) } else { out.appendNull() } }
        case (.bytes(let v), _):
            return { i, out in if let x = v[i] { out.appendHex(x) } else { out.appendNull() } }
        }
    }

    /// The column's values as COPY text (`nil` is NULL).
    func texts(_ values: ParquetColumnValues) -> [String?] {
        switch (values, source.logicalType) {
        case (.int32(let v), .decimal(_, let scale)?): return v.map { $0.map { ParquetDecimal.text(Int128($0), scale: scale) } }
        case (.int64(let v), .decimal(_, let scale)?): return v.map { $0.map { ParquetDecimal.text(Int128($0), scale: scale) } }
        case (.bytes(let v), .decimal(_, let scale)?):
            return v.map { $0.map { ParquetDecimal.text(ParquetDecimal.unscaled(bytes: $0), scale: scale) } }
        case (.int32(let v), .date?): return v.map { $0.map { LakeTime.dateText(milliseconds: Int64($0) * 86_400_000) } }
        case (.int64(let v), .timestamp(let utc, let unit)?):
            let perSecond: Int64 = unit == .millis ? 1_000 : unit == .micros ? 1_000_000 : 1_000_000_000
            return v.map { $0.map { StagingColumn.timestampText($0, perSecond: perSecond, utc: utc) } }
        case (.int32(let v), .integer(_, false)?): return v.map { $0.map { String(UInt32(bitPattern: $0)) } }
        case (.int64(let v), .integer(_, false)?): return v.map { $0.map { String(UInt64(bitPattern: $0)) } }
        case (.int32(let v), _): return v.map { $0.map(String.init) }
        case (.int64(let v), _): return v.map { $0.map(String.init) }
        case (.float(let v), _): return v.map { $0.map { StagingColumn.floatText(Double($0)) } }
        case (.double(let v), _): return v.map { $0.map { StagingColumn.floatText($0) } }
        case (.boolean(let v), _): return v.map { $0.map { $0 ? "t" : "f" } }
        case (.bytes(let v), .string?), (.bytes(let v), .json?): return v.map { $0.map { String(decoding: $0, as: UTF8.self) } }
        case (.bytes(let v), _): return v.map { $0.map { "\\x" + $0.map { String(format: "%02x", $0) }.joined() } }
        }
    }

    static func floatText(_ value: Double) -> String {
        value.isNaN ? "NaN" : value.isInfinite ? (value > 0 ? "Infinity" : "-Infinity") : "\(value)"
    }

    static func timestampText(_ value: Int64, perSecond: Int64, utc: Bool) -> String {
        let seconds = value >= 0 ? value / perSecond : (value - perSecond + 1) / perSecond
        let fraction = value - seconds * perSecond
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        var text = String(format: "%04d-%02d-%02d %02d:%02d:%02d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                          parts.tm_hour, parts.tm_min, parts.tm_sec)
        if fraction != 0 {
            let digits = perSecond == 1_000 ? 3 : perSecond == 1_000_000 ? 6 : 9
            let raw = String(fraction)
            text += "." + String(repeating: "0", count: digits - raw.count) + raw
        }
        return text + (utc ? "+00" : "")
    }
}
