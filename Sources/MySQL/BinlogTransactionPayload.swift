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
        var offset = 0
        func packed() throws -> UInt64 {
            let value = try body.withUnsafeBytes { raw -> (UInt64, Int) in
                var reader = ByteReader(UnsafeRawBufferPointer(rebasing: raw[offset...]))
                return (try reader.packedInteger(), reader.offset)
            }
            offset += value.1
            return value.0
        }
        while true {
            guard offset < body.count else { throw BinlogRowDecoder.corrupt("a transaction payload ends inside its header") }
            let field = try packed()
            if field == 0 { break }
            let length = Int(try packed())
            guard length >= 0, offset + length <= body.count else { throw BinlogRowDecoder.corrupt("a transaction payload field overruns the event") }
            let value = Self.fieldValue(Array(body[offset..<(offset + length)]))
            offset += length
            switch field {
            case 1: payloadSize = value
            case 2: compression = value
            case 3: uncompressedSize = value
            default: continue   // fields added by later servers
            }
        }
        let payload = Array(body[offset...])
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
        var offset = 0
        var changes = 0
        while offset < events.count {
            guard offset + 19 <= events.count else { throw BinlogRowDecoder.corrupt("a transaction payload ends inside an event header") }
            let header = events[offset..<(offset + 19)]
            let timestamp = header.prefix(4).reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            let type = header[header.startIndex + 4]
            let length = Int(header.dropFirst(9).prefix(4).reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
            guard length >= 19, offset + length <= events.count else { throw BinlogRowDecoder.corrupt("an event in a transaction payload overruns it") }
            let body = Array(events[(offset + 19)..<(offset + length)])
            let event = try parser.decode(type: type, body: body, position: position, nextPosition: nextPosition,
                                          timestamp: timestamp, firstChange: changes)
            if case .rows(let rows) = event { changes += rows.changeCount }
            decoded.append(event)
            offset += length
        }
        return decoded
    }
}
