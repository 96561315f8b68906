/// Writes Thrift's compact protocol, the encoding of Parquet's metadata
/// (file footer and page headers). Only what Parquet's structures use.
struct ThriftCompactWriter {
    private(set) var bytes: [UInt8] = []
    private var lastFieldID: [Int16] = [0]

    enum FieldType: UInt8 {
        case boolTrue = 1, boolFalse = 2, byte = 3, i16 = 4, i32 = 5, i64 = 6, double = 7, binary = 8
        case list = 9, set = 10, map = 11, structure = 12
    }

    mutating func fieldHeader(_ id: Int16, _ type: FieldType) {
        let delta = id - lastFieldID[lastFieldID.count - 1]
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            varint(zigzag(Int64(id)))
        }
        lastFieldID[lastFieldID.count - 1] = id
    }

    mutating func i32(_ id: Int16, _ value: Int32) { fieldHeader(id, .i32); varint(zigzag(Int64(value))) }
    mutating func i64(_ id: Int16, _ value: Int64) { fieldHeader(id, .i64); varint(zigzag(value)) }
    mutating func byte(_ id: Int16, _ value: Int8) { fieldHeader(id, .byte); bytes.append(UInt8(bitPattern: value)) }
    mutating func bool(_ id: Int16, _ value: Bool) { fieldHeader(id, value ? .boolTrue : .boolFalse) }
    mutating func binary(_ id: Int16, _ value: [UInt8]) { fieldHeader(id, .binary); varint(UInt64(value.count)); bytes += value }
    mutating func string(_ id: Int16, _ value: String) { binary(id, Array(value.utf8)) }

    /// A struct field: `body` writes its fields.
    mutating func structure(_ id: Int16, _ body: (inout ThriftCompactWriter) -> Void) {
        fieldHeader(id, .structure)
        beginStruct()
        body(&self)
        endStruct()
    }

    /// A list of structs.
    mutating func structList<T>(_ id: Int16, _ elements: [T], _ body: (inout ThriftCompactWriter, T) -> Void) {
        listHeader(id, .structure, count: elements.count)
        for element in elements {
            beginStruct()
            body(&self, element)
            endStruct()
        }
    }

    mutating func i32List(_ id: Int16, _ values: [Int32]) {
        listHeader(id, .i32, count: values.count)
        for value in values { varint(zigzag(Int64(value))) }
    }

    mutating func stringList(_ id: Int16, _ values: [String]) {
        listHeader(id, .binary, count: values.count)
        for value in values { varint(UInt64(value.utf8.count)); bytes += Array(value.utf8) }
    }

    mutating func beginStruct() { lastFieldID.append(0) }
    mutating func endStruct() { bytes.append(0); lastFieldID.removeLast() }

    private mutating func listHeader(_ id: Int16, _ elementType: FieldType, count: Int) {
        fieldHeader(id, .list)
        if count < 15 {
            bytes.append(UInt8(count) << 4 | elementType.rawValue)
        } else {
            bytes.append(0xF0 | elementType.rawValue)
            varint(UInt64(count))
        }
    }

    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    private func zigzag(_ value: Int64) -> UInt64 { UInt64(bitPattern: (value << 1) ^ (value >> 63)) }
}
