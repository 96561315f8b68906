/// Min, max and null count of a column chunk. `min`/`max` are PLAIN-encoded
/// (without a length prefix), ordered as the column's logical type orders
/// them (unsigned integers unsigned, decimals as signed numbers, text by bytes).
public struct ColumnStatistics: Sendable, Equatable {
    public var nullCount: Int64
    public var min: [UInt8]?
    public var max: [UInt8]?

    func write(to writer: inout ThriftCompactWriter) {
        writer.i64(3, nullCount)
        if let max { writer.binary(5, max) }
        if let min { writer.binary(6, min) }
    }

    static func compute(_ values: ParquetColumnValues, column: ParquetColumn) -> ColumnStatistics {
        let nulls = Int64((0..<values.count).filter(values.isNull).count)
        func encode<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
            var bytes: [UInt8] = []
            PlainEncoding.appendLittleEndian(value, to: &bytes)
            return bytes
        }
        func extremes<T>(_ column: [T?], _ less: (T, T) -> Bool) -> (T, T)? {
            var result: (T, T)?
            for value in column {
                guard let value else { continue }
                if let current = result {
                    result = (less(value, current.0) ? value : current.0, less(current.1, value) ? value : current.1)
                } else {
                    result = (value, value)
                }
            }
            return result
        }
        let unsigned: Bool
        if case .integer(_, let signed) = column.logicalType { unsigned = !signed } else { unsigned = false }
        var minimum: [UInt8]?, maximum: [UInt8]?
        switch values {
        case .boolean(let column):
            if let (low, high) = extremes(column, { !$0 && $1 }) { minimum = [low ? 1 : 0]; maximum = [high ? 1 : 0] }
        case .int32(let column):
            let found = unsigned ? extremes(column) { UInt32(bitPattern: $0) < UInt32(bitPattern: $1) } : extremes(column, <)
            if let (low, high) = found { minimum = encode(low); maximum = encode(high) }
        case .int64(let column):
            let found = unsigned ? extremes(column) { UInt64(bitPattern: $0) < UInt64(bitPattern: $1) } : extremes(column, <)
            if let (low, high) = found { minimum = encode(low); maximum = encode(high) }
        case .float(let column):
            if let (low, high) = extremes(column.map { $0?.isNaN == true ? nil : $0 }, <) { minimum = encode(low.bitPattern); maximum = encode(high.bitPattern) }
        case .double(let column):
            if let (low, high) = extremes(column.map { $0?.isNaN == true ? nil : $0 }, <) { minimum = encode(low.bitPattern); maximum = encode(high.bitPattern) }
        case .bytes(let bytes):
            let isDecimal: Bool
            if case .decimal = column.logicalType { isDecimal = true } else { isDecimal = false }
            let found = isDecimal ? extremes(bytes, ColumnStatistics.signedBigEndianLess) : extremes(bytes) { $0.lexicographicallyPrecedes($1) }
            if let (low, high) = found { minimum = low; maximum = high }
        }
        return ColumnStatistics(nullCount: nulls, min: minimum, max: maximum)
    }
}

extension ColumnStatistics {
    /// Orders equal-length big-endian two's-complement numbers (DECIMAL in FIXED_LEN_BYTE_ARRAY).
    static func signedBigEndianLess(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        let leftNegative = (left.first ?? 0) & 0x80 != 0, rightNegative = (right.first ?? 0) & 0x80 != 0
        if leftNegative != rightNegative { return leftNegative }
        return left.lexicographicallyPrecedes(right)
    }
}
