/// A decoded Thrift value (compact protocol), generic enough to walk any of
/// Parquet's metadata structures and skip fields Sluice does not need.
indirect enum ThriftValue: Sendable {
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case binary([UInt8])
    case list([ThriftValue])
    case map([(ThriftValue, ThriftValue)])
    case structure([Int16: ThriftValue])

    var int: Int64? { if case .int(let value) = self { return value } else { return nil } }
    var bool: Bool? { if case .bool(let value) = self { return value } else { return nil } }
    var binary: [UInt8]? { if case .binary(let value) = self { return value } else { return nil } }
    var string: String? { binary.map { String(decoding: $0, as: UTF8.self) } }
    var list: [ThriftValue]? { if case .list(let values) = self { return values } else { return nil } }
    var fields: [Int16: ThriftValue]? { if case .structure(let fields) = self { return fields } else { return nil } }
    subscript(_ id: Int16) -> ThriftValue? { fields?[id] }
}

/// Reads Thrift's compact protocol from a byte buffer.
struct ThriftCompactReader {
    let bytes: [UInt8]
    var offset: Int

    init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    /// Reads one struct (its fields up to the stop byte).
    mutating func readStruct() throws -> ThriftValue {
        var fields: [Int16: ThriftValue] = [:]
        var lastID: Int16 = 0
        while true {
            let header = try byte()
            if header == 0 { return .structure(fields) }
            let type = header & 0x0F
            let delta = Int16(header >> 4)
            let id: Int16 = delta != 0 ? lastID + delta : Int16(truncatingIfNeeded: unzigzag(try varint()))
            lastID = id
            fields[id] = try readValue(type: type)
        }
    }

    private mutating func readValue(type: UInt8) throws -> ThriftValue {
        switch type {
        case 1: return .bool(true)
        case 2: return .bool(false)
        case 3: return .int(Int64(Int8(bitPattern: try byte())))
        case 4, 5, 6: return .int(unzigzag(try varint()))
        case 7:
            guard offset + 8 <= bytes.count else { throw ParquetError.corrupt("metadata ends inside a double") }
            let bits = bytes[offset..<offset + 8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            offset += 8
            return .double(Double(bitPattern: bits))
        case 8:
            let length = Int(try varint())
            guard length >= 0, offset + length <= bytes.count else { throw ParquetError.corrupt("metadata ends inside a string") }
            defer { offset += length }
            return .binary(Array(bytes[offset..<offset + length]))
        case 9, 10:
            let header = try byte()
            var count = Int(header >> 4)
            if count == 15 { count = Int(try varint()) }
            let elementType = header & 0x0F
            var values: [ThriftValue] = []
            values.reserveCapacity(count)
            for _ in 0..<count {
                // Booleans inside lists take a whole byte each.
                if elementType == 1 || elementType == 2 { values.append(.bool(try byte() == 1)) }
                else { values.append(try readValue(type: elementType)) }
            }
            return .list(values)
        case 11:
            let count = Int(try varint())
            guard count > 0 else { return .map([]) }
            let types = try byte()
            var pairs: [(ThriftValue, ThriftValue)] = []
            for _ in 0..<count { pairs.append((try readValue(type: types >> 4), try readValue(type: types & 0x0F))) }
            return .map(pairs)
        case 12: return try readStruct()
        default: throw ParquetError.corrupt("unknown Thrift type \(type)")
        }
    }

    private mutating func byte() throws -> UInt8 {
        guard offset < bytes.count else { throw ParquetError.corrupt("metadata ends early") }
        defer { offset += 1 }
        return bytes[offset]
    }

    private mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0, shift: UInt64 = 0
        while true {
            let next = try byte()
            result |= UInt64(next & 0x7F) << shift
            if next & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw ParquetError.corrupt("varint too long") }
        }
    }

    private func unzigzag(_ value: UInt64) -> Int64 { Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1) }
}
