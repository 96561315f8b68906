import CCompression

/// MySQL's TRANSACTION_PAYLOAD_EVENT (`binlog_transaction_compression=ON`, MySQL ≥ 8.0.20): a
/// whole transaction's events, compressed together.
///
/// The body starts with fields, each a packed type, a packed length and that many bytes of
/// value: 1 the payload size, 2 the compression (0 zstd, 255 none), 3 the uncompressed size;
/// type 0 ends them. The payload follows: the transaction's events one after another, each
/// with its common header and no checksum.
struct BinlogTransactionPayload {
    var compression: UInt64 = 255
    var payloadSize: UInt64?
    var uncompressedSize: UInt64?
    /// The inner events' bytes, decompressed.
    var events: [UInt8] = []

    static let zstd: UInt64 = 0, none: UInt64 = 255
    /// Larger transactions than this are refused rather than held in memory at once.
    static let maximumUncompressedSize: UInt64 = 1 << 30

    init(body: [UInt8]) throws {
        var fields: [UInt64: UInt64] = [:]
        let payload = try body.withUnsafeBytes { raw -> [UInt8] in
            var reader = ByteReader(raw)
            while true {
                guard !reader.isAtEnd else { throw BinlogRowDecoder.corrupt("a transaction payload ends inside its header") }
                let field = try reader.packedInteger()
                if field == 0 { return try reader.bytes(reader.remaining) }
                let length = Int(try reader.packedInteger())
                guard length <= reader.remaining else { throw BinlogRowDecoder.corrupt("a transaction payload field overruns the event") }
                fields[field] = Self.fieldValue(try reader.bytes(length))   // other fields: added by later servers
            }
        }
        (payloadSize, uncompressedSize) = (fields[1], fields[3])
        compression = fields[2] ?? Self.none
        if let payloadSize, payloadSize != UInt64(payload.count) {
            throw BinlogRowDecoder.corrupt("a transaction payload says \(payloadSize) bytes but holds \(payload.count)")
        }
        switch compression {
        case Self.none:
            events = payload
        case Self.zstd:
            events = try Self.decompress(payload, size: uncompressedSize)
        default:
            throw MySQLError(code: .unsupportedServer, message: "a transaction payload uses compression type \(compression), which Sluice does not know",
                             hint: "set binlog_transaction_compression=OFF on the server, or upgrade Sluice")
        }
    }

    /// A field value: MySQL writes it as a packed integer; a plain little-endian integer of the
    /// field's length is read too.
    static func fieldValue(_ bytes: [UInt8]) -> UInt64 {
        let littleEndian = bytes.prefix(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard let first = bytes.first else { return 0 }
        switch (first, bytes.count) {
        case (0..<251, 1): return UInt64(first)
        case (252, 3), (253, 4), (254, 9): return bytes.dropFirst().reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        default: return littleEndian
        }
    }

    static func decompress(_ payload: [UInt8], size: UInt64?) throws -> [UInt8] {
        let frameSize = payload.withUnsafeBytes { ZSTD_getFrameContentSize($0.baseAddress, $0.count) }
        let expected = size ?? (frameSize < ZSTD_CONTENTSIZE_ERROR ? frameSize : 0)
        guard expected > 0, expected <= maximumUncompressedSize else {
            throw MySQLError(code: .unsupportedServer, message: "a compressed transaction of \(expected) bytes cannot be read at once",
                             hint: "set binlog_transaction_compression=OFF for transactions this large")
        }
        var output = [UInt8](repeating: 0, count: Int(expected))
        let written = output.withUnsafeMutableBytes { out in
            payload.withUnsafeBytes { ZSTD_decompress(out.baseAddress, out.count, $0.baseAddress, $0.count) }
        }
        guard ZSTD_isError(written) == 0, written == Int(expected) else {
            throw BinlogRowDecoder.corrupt("a transaction payload does not decompress to its \(expected) bytes")
        }
        return output
    }

    /// The inner events, decoded in order. They all take the payload's position; row changes are
    /// numbered on across row events, so the source order of every change stays distinct.
    func decode(with parser: inout BinlogEventParser, position: UInt64, nextPosition: UInt64) throws -> [BinlogEvent] {
        var decoded: [BinlogEvent] = []
        var changes = 0
        try events.withUnsafeBytes { raw in
            var reader = ByteReader(raw)
            while !reader.isAtEnd {
                // The common header: timestamp, type, server id, length, next position, flags.
                guard reader.remaining >= 19 else { throw BinlogRowDecoder.corrupt("a transaction payload ends inside an event header") }
                let timestamp = UInt32(try reader.littleEndian(4))
                let type = UInt8(try reader.littleEndian(1))
                _ = try reader.bytes(4)
                let length = Int(try reader.littleEndian(4))
                _ = try reader.bytes(6)
                guard length >= 19, length - 19 <= reader.remaining else { throw BinlogRowDecoder.corrupt("an event in a transaction payload overruns it") }
                let event = try parser.decode(type: type, body: try reader.bytes(length - 19), position: position,
                                              nextPosition: nextPosition, timestamp: timestamp, firstChange: changes)
                if case .rows(let rows) = event { changes += rows.changeCount }
                decoded.append(event)
            }
        }
        return decoded
    }
}
