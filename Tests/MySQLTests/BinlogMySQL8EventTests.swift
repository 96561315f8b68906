import CCompression
@testable import MySQL
import Testing

/// MySQL 8's binlog events that MariaDB never writes: compressed transaction payloads, GTID
/// events and partial JSON updates. No MySQL 8 server can run here (Debian ships MariaDB only),
/// so these are byte vectors built from the published format (MySQL's `binlog_event.h`,
/// `rows_event.h`, `control_events.h`, and the replication protocol's Rows_log_event) by the
/// small encoder below; the row-image values are the ones MariaDB writes identically and the
/// stack's MariaDB tests already cover live.
@Suite struct BinlogMySQL8EventTests {
    // MARK: encoder for test vectors

    /// An event: 19-byte common header (timestamp, type, server id, length, next position, flags), then the body.
    static func event(_ type: UInt8, _ body: [UInt8], timestamp: UInt32 = 1_700_000_000) -> [UInt8] {
        var bytes = le(UInt64(timestamp), 4) + [type] + le(1, 4) + le(UInt64(19 + body.count), 4) + le(0, 4) + [0, 0]
        bytes += body
        return bytes
    }

    static func le(_ value: UInt64, _ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }

    static func packed(_ value: UInt64) -> [UInt8] {
        switch value {
        case 0..<251: return [UInt8(value)]
        case 251..<65_536: return [252] + le(value, 2)
        case 65_536..<16_777_216: return [253] + le(value, 3)
        default: return [254] + le(value, 8)
        }
    }

    /// TABLE_MAP for shop.orders(id INT, name VARCHAR(20), amount DECIMAL(5,2)), table id 77.
    static let tableMap: [UInt8] = le(77, 6) + [0, 0] + [4] + Array("shop".utf8) + [0] + [6] + Array("orders".utf8) + [0]
        + [3, 3, 15, 246] + packed(4) + [20, 0, 5, 2] + [0b110]

    /// One row image of the table: null bitmap, then id (4 bytes), name (1-byte length), amount (binary DECIMAL).
    static func row(id: UInt32, name: String?, amount: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [name == nil ? 0b010 : 0]
        bytes += le(UInt64(id), 4)
        if let name { bytes += [UInt8(name.utf8.count)] + Array(name.utf8) }
        return bytes + amount
    }

    /// DECIMAL(5,2) 123.45 and 2.50 in MySQL's binary decimal (3 integer digits in 2 bytes, 2 fraction digits in 1, sign bit flipped).
    static let amount12345: [UInt8] = [0x80, 0x7B, 0x2D], amount250: [UInt8] = [0x80, 0x02, 0x32]

    /// A version-2 row event body (MySQL writes v2; extra data: only its own 2-byte length).
    static func rows(update: Bool = false, _ images: [UInt8]) -> [UInt8] {
        le(77, 6) + [1, 0] + le(2, 2) + packed(3) + [0b111] + (update ? [0b111] : []) + images
    }

    static func query(_ statement: String) -> [UInt8] {
        le(9, 4) + le(0, 4) + [4] + le(0, 2) + le(0, 2) + Array("shop".utf8) + [0] + Array(statement.utf8)
    }

    /// A TRANSACTION_PAYLOAD_EVENT body: the header fields as (packed type, packed length, packed value), the end mark, the payload.
    static func payloadBody(events: [UInt8], compression: UInt64) -> [UInt8] {
        let payload = compression == 0 ? zstd(events) : events
        func field(_ type: UInt64, _ value: UInt64) -> [UInt8] { let v = packed(value); return packed(type) + packed(UInt64(v.count)) + v }
        return field(1, UInt64(payload.count)) + field(2, compression) + field(3, UInt64(events.count)) + [0] + payload
    }

    static func zstd(_ input: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: ZSTD_compressBound(input.count))
        let size = output.withUnsafeMutableBytes { out in input.withUnsafeBytes { ZSTD_compress(out.baseAddress, out.count, $0.baseAddress, $0.count, 3) } }
        return Array(output.prefix(size))
    }

    /// BEGIN; insert two rows; update one; delete one; COMMIT (XID) — as a compressed transaction holds them.
    static let transaction: [UInt8] = event(2, query("BEGIN")) + event(19, tableMap)
        + event(30, rows(row(id: 1, name: "Ann", amount: amount12345) + row(id: 2, name: nil, amount: amount250)))
        + event(31, rows(update: true, row(id: 1, name: "Ann", amount: amount12345) + row(id: 1, name: "Anna", amount: amount250)))
        + event(32, rows(row(id: 2, name: nil, amount: amount250)))
        + event(16, le(4242, 8))

    // MARK: tests

    @Test(arguments: [UInt64(0), 255]) func transactionPayloadYieldsItsEventsInOrder(compression: UInt64) throws {
        let body = Self.payloadBody(events: Self.transaction, compression: compression)
        if compression == 0 { #expect(body.count < Self.transaction.count + 20) }
        var parser = BinlogEventParser()
        let events = try BinlogTransactionPayload(body: body).decode(with: &parser, position: 4000, nextPosition: 4321)
        #expect(events.count == 6)
        guard events.count == 6 else { return }
        if case .query(let database, let statement, let position, let next, _) = events[0] {
            #expect(database == "shop" && statement == "BEGIN" && position == 4000 && next == 4321)
        } else { Issue.record("first event \(events[0])") }
        guard case .tableMap(let map, _) = events[1] else { Issue.record("second event \(events[1])"); return }
        #expect(map.table == "orders" && map.columns.map(\.type) == [3, 15, 246])
        guard case .rows(let inserts) = events[2], case .rows(let updates) = events[3], case .rows(let deletes) = events[4] else {
            Issue.record("row events expected: \(events)"); return
        }
        #expect(inserts.kind == .insert && updates.kind == .update && deletes.kind == .delete)
        #expect(inserts.rows == [[.unsigned(1), .bytes(Array("Ann".utf8)), .bytes(Array("123.45".utf8))],
                                 [.unsigned(2), .null, .bytes(Array("2.50".utf8))]])
        #expect(updates.rows[1] == [.unsigned(1), .bytes(Array("Anna".utf8)), .bytes(Array("2.50".utf8))])
        #expect(deletes.rows == [[.unsigned(2), .null, .bytes(Array("2.50".utf8))]])
        // All share the payload's position; their changes are numbered on, so each has its own source order.
        #expect([inserts, updates, deletes].map(\.position) == [4000, 4000, 4000])
        #expect([inserts, updates, deletes].map(\.firstChange) == [0, 2, 3])
        guard case .commit(let next, _) = events[5] else { Issue.record("last event \(events[5])"); return }
        #expect(next == 4321)
    }

    @Test func damagedPayloadsThrow() throws {
        let good = Self.payloadBody(events: Self.transaction, compression: 0)
        #expect(throws: (any Error).self) { _ = try BinlogTransactionPayload(body: Array(good.prefix(good.count - 5))) }
        var parser = BinlogEventParser()
        let cut = Self.payloadBody(events: Array(Self.transaction.dropLast(3)), compression: 255)
        #expect(throws: (any Error).self) { _ = try BinlogTransactionPayload(body: cut).decode(with: &parser, position: 1, nextPosition: 2) }
        let unknown = Self.payloadBody(events: Self.transaction, compression: 7)
        let error = #expect(throws: MySQLError.self) { _ = try BinlogTransactionPayload(body: unknown) }
        #expect(error?.summary.contains("binlog_transaction_compression") == true)
    }

    @Test func partialJSONUpdatesAreRefusedNamingTheSetting() throws {
        var parser = BinlogEventParser()
        _ = try parser.decode(type: 19, body: Self.tableMap, position: 100, nextPosition: 200, timestamp: 0)
        let event = try parser.decode(type: 39, body: Self.rows(update: true, []), position: 200, nextPosition: 300, timestamp: 0)
        guard case .refusedRows(let map, let reason, let position, let next) = event else { Issue.record("\(event)"); return }
        #expect(map.table == "orders" && position == 200 && next == 300)
        #expect(reason.contains("binlog_row_value_options"))
    }

    @Test func mysqlGTIDEventsReadAsUUIDColonNumber() throws {
        let uuid: [UInt8] = [0x3e, 0x11, 0xfa, 0x47, 0x71, 0xca, 0x11, 0xe1, 0x9e, 0x33, 0xc8, 0x0a, 0xa9, 0x42, 0x95, 0x62]
        var parser = BinlogEventParser()
        let event = try parser.decode(type: 33, body: [1] + uuid + Self.le(23, 8) + [2] + Self.le(0, 16), position: 0, nextPosition: 500, timestamp: 0)
        guard case .gtid(let gtid, let next) = event else { Issue.record("\(event)"); return }
        #expect(gtid == "3e11fa47-71ca-11e1-9e33-c80aa9429562:23" && next == 500)
        #expect(MySQLGTID.goesBack(from: gtid, to: "3e11fa47-71ca-11e1-9e33-c80aa9429562:24") == false)
        #expect(MySQLGTID.goesBack(from: "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-30", to: gtid) == true)
        #expect(MySQLGTID.goesBack(from: gtid, to: "0-1-5") == nil)
    }
}
