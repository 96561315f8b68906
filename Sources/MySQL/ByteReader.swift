/// Sequential reads from a byte buffer, failing cleanly on a short buffer.
struct ByteReader {
    let data: UnsafeRawBufferPointer
    var offset = 0

    init(_ data: UnsafeRawBufferPointer) { self.data = data }

    var isAtEnd: Bool { offset >= data.count }

    mutating func bytes(_ count: Int) throws -> [UInt8] {
        guard count >= 0, offset + count <= data.count else {
            throw BinlogRowDecoder.corrupt("row data ends early (need \(count) bytes at \(offset) of \(data.count))")
        }
        defer { offset += count }
        return Array(data[offset..<offset + count])
    }

    mutating func littleEndian(_ count: Int) throws -> UInt64 {
        try bytes(count).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    mutating func bigEndian(_ count: Int) throws -> UInt64 {
        try bytes(count).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    /// A length-encoded integer (the client/server protocol's "packed" integer).
    mutating func packedInteger() throws -> UInt64 {
        let first = try littleEndian(1)
        switch first {
        case 0..<251: return first
        case 252: return try littleEndian(2)
        case 253: return try littleEndian(3)
        case 254: return try littleEndian(8)
        default: throw BinlogRowDecoder.corrupt("invalid packed integer (first byte \(first))")
        }
    }

    /// A packed length followed by that many bytes.
    mutating func packedBytes() throws -> [UInt8] {
        try bytes(Int(try packedInteger()))
    }

    /// The bytes left.
    var remaining: Int { data.count - offset }
}
