/// Parquet's PLAIN encoding of non-null values.
enum PlainEncoding {
    static func appendLittleEndian<T: FixedWidthInteger>(_ value: T, to output: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { output.append(contentsOf: $0) }
    }

    /// Encodes the non-null values of a column.
    static func encode(_ values: ParquetColumnValues, fixedLength: Int?) -> [UInt8] {
        var output: [UInt8] = []
        switch values {
        case .boolean(let column):
            var byte: UInt8 = 0, bit = 0
            for value in column.compactMap({ $0 }) {
                if value { byte |= 1 << bit }
                bit += 1
                if bit == 8 { output.append(byte); byte = 0; bit = 0 }
            }
            if bit > 0 { output.append(byte) }
        case .int32(let column): for value in column { if let value { appendLittleEndian(value, to: &output) } }
        case .int64(let column): for value in column { if let value { appendLittleEndian(value, to: &output) } }
        case .float(let column): for value in column { if let value { appendLittleEndian(value.bitPattern, to: &output) } }
        case .double(let column): for value in column { if let value { appendLittleEndian(value.bitPattern, to: &output) } }
        case .bytes(let column):
            for value in column {
                guard let value else { continue }
                if fixedLength == nil { appendLittleEndian(UInt32(value.count), to: &output) }
                output += value
            }
        }
        return output
    }

    /// Decodes `count` values of a physical type.
    static func decode(_ bytes: ArraySlice<UInt8>, type: ParquetPhysicalType, count: Int, fixedLength: Int?) throws -> ParquetColumnValues {
        var offset = bytes.startIndex
        func take(_ size: Int) throws -> ArraySlice<UInt8> {
            guard size >= 0, offset + size <= bytes.endIndex else { throw ParquetError.corrupt("PLAIN values end early") }
            defer { offset += size }
            return bytes[offset..<offset + size]
        }
        func littleEndian<T: FixedWidthInteger>(_: T.Type) throws -> T {
            try take(MemoryLayout<T>.size).reversed().reduce(T(0)) { $0 << 8 | T($1) }
        }
        switch type {
        case .boolean:
            let packed = try take((count + 7) / 8)
            return .boolean((0..<count).map { packed[packed.startIndex + $0 / 8] & (1 << ($0 % 8)) != 0 })
        case .int32: return .int32(try (0..<count).map { _ in try littleEndian(Int32.self) })
        case .int64: return .int64(try (0..<count).map { _ in try littleEndian(Int64.self) })
        case .float: return .float(try (0..<count).map { _ in Float(bitPattern: try littleEndian(UInt32.self)) })
        case .double: return .double(try (0..<count).map { _ in Double(bitPattern: try littleEndian(UInt64.self)) })
        case .byteArray:
            return .bytes(try (0..<count).map { _ in Array(try take(Int(try littleEndian(UInt32.self)))) })
        case .fixedLenByteArray:
            guard let fixedLength else { throw ParquetError.corrupt("a FIXED_LEN_BYTE_ARRAY column has no length") }
            return .bytes(try (0..<count).map { _ in Array(try take(fixedLength)) })
        case .int96:
            throw ParquetError.unsupported("INT96 columns are not supported")
        }
    }
}
