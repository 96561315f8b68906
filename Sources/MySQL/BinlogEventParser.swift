/// Decodes events from their raw bytes (19-byte common header, then the body), for the events
/// Connector/C does not parse or parses for MariaDB only: MySQL's GTID events, partial JSON
/// updates, and everything packed inside a MySQL transaction payload (which holds table maps,
/// row events, and the BEGIN/XID that frame them, written without checksums).
///
/// Row events of MySQL and MariaDB share the layout of the replication protocol
/// (`Rows_log_event`): table id (6 bytes), flags (2), for version 2 extra data (a 2-byte
/// length that counts itself, then the data), the column count (packed), the columns-present
/// bitmap, for updates the after-image bitmap, then the rows.
struct BinlogEventParser {
    /// Table maps seen so far, by table id (row events refer to the last map of their id).
    var tableMaps: [UInt64: (map: BinlogTableMap, decoder: BinlogRowDecoder)] = [:]

    /// MySQL's event type codes Sluice reads from raw bytes.
    enum EventType {
        static let query: UInt8 = 2, xid: UInt8 = 16, tableMap: UInt8 = 19, executeLoadQuery: UInt8 = 18
        static let writeRowsV1: UInt8 = 23, updateRowsV1: UInt8 = 24, deleteRowsV1: UInt8 = 25
        static let writeRows: UInt8 = 30, updateRows: UInt8 = 31, deleteRows: UInt8 = 32
        static let mysqlGTID: UInt8 = 33, mysqlAnonymousGTID: UInt8 = 34
        static let partialUpdateRows: UInt8 = 39, transactionPayload: UInt8 = 40
    }

    /// Remembers a table map (also called for maps Connector/C parsed).
    mutating func register(_ map: BinlogTableMap) {
        tableMaps[map.tableID] = (map, BinlogRowDecoder(map: map))
    }

    /// Decodes one event of `type` from its body. `position`/`nextPosition` are where it sits in
    /// the binlog file (for events inside a payload: the payload's); `firstChange` numbers the
    /// changes of row events that share a position.
    mutating func decode(type: UInt8, body: [UInt8], position: UInt64, nextPosition: UInt64, timestamp: UInt32,
                         firstChange: Int = 0) throws -> BinlogEvent {
        switch type {
        case EventType.tableMap:
            let map = try BinlogTableMap(body: body)
            register(map)
            return .tableMap(map, nextPosition: nextPosition)
        case EventType.writeRows, EventType.updateRows, EventType.deleteRows,
             EventType.writeRowsV1, EventType.updateRowsV1, EventType.deleteRowsV1:
            return .rows(try rows(type: type, body: body, position: position, nextPosition: nextPosition,
                                  timestamp: timestamp, firstChange: firstChange))
        case EventType.partialUpdateRows:
            let map = try self.map(forTableID: try Self.tableID(body)).map
            return .refusedRows(map, reason: "the server logs partial JSON updates (binlog_row_value_options=PARTIAL_JSON), which carry only the changed parts of a JSON value",
                                position: position, nextPosition: nextPosition)
        case EventType.mysqlGTID:
            return .gtid(try Self.mysqlGTID(body), nextPosition: nextPosition)
        case EventType.xid:
            return .commit(nextPosition: nextPosition, timestamp: timestamp)
        case EventType.query, EventType.executeLoadQuery:
            // LOAD DATA as a statement is a query whose fixed part is 13 bytes longer (file id, offsets, duplicates).
            let (database, statement) = try Self.query(body, fixedLength: type == EventType.query ? 13 : 26)
            return .query(database: database, statement: statement, position: position, nextPosition: nextPosition, timestamp: timestamp)
        default:
            return .other(type: UInt32(type), nextPosition: nextPosition)
        }
    }

    /// A row event's changes, decoded with the columns of its table map.
    func rows(type: UInt8, body: [UInt8], position: UInt64, nextPosition: UInt64, timestamp: UInt32,
              firstChange: Int) throws -> BinlogRowsEvent {
        let kind: BinlogRowKind = [EventType.writeRows, EventType.writeRowsV1].contains(type) ? .insert
            : [EventType.updateRows, EventType.updateRowsV1].contains(type) ? .update : .delete
        let entry = try map(forTableID: try Self.tableID(body))
        return try body.withUnsafeBytes { raw in
            var reader = ByteReader(raw)
            _ = try reader.bytes(8)                                   // table id, flags
            if type >= EventType.writeRows {                         // version 2: extra data
                let extra = Int(try reader.littleEndian(2))
                guard extra >= 2 else { throw BinlogRowDecoder.corrupt("a row event's extra data length is \(extra)") }
                _ = try reader.bytes(extra - 2)
            }
            let count = Int(try reader.packedInteger())
            guard count == entry.map.columns.count else {
                throw BinlogRowDecoder.corrupt("a row event of \(entry.map.table) has \(count) columns, its table map \(entry.map.columns.count)")
            }
            func bitmap() throws -> [Bool] {
                let bytes = try reader.bytes((count + 7) / 8)
                return (0..<count).map { bytes[$0 / 8] & (1 << ($0 % 8)) != 0 }
            }
            let present = try bitmap()
            let presentAfter = kind == .update ? try bitmap() : nil
            let rows = try entry.decoder.decodeRows(UnsafeRawBufferPointer(rebasing: raw[reader.offset...]),
                                                    present: present, presentAfter: presentAfter)
            return BinlogRowsEvent(map: entry.map, kind: kind, rows: rows, position: position, nextPosition: nextPosition,
                                   timestamp: timestamp, firstChange: firstChange)
        }
    }

    func map(forTableID id: UInt64) throws -> (map: BinlogTableMap, decoder: BinlogRowDecoder) {
        guard let entry = tableMaps[id] else {
            throw MySQLError(code: .queryFailed, message: "a row event refers to table id \(id) without its table map")
        }
        return entry
    }

    /// The 6-byte table id at the start of a row event's body.
    static func tableID(_ body: [UInt8]) throws -> UInt64 {
        guard body.count >= 6 else { throw BinlogRowDecoder.corrupt("a row event is shorter than its header") }
        return body[0..<6].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    /// MySQL's GTID event: flags (1), the source's UUID (16), the transaction number (8, little-endian).
    static func mysqlGTID(_ body: [UInt8]) throws -> String {
        guard body.count >= 25 else { throw BinlogRowDecoder.corrupt("a GTID event is short") }
        let hex = body[1..<17].map { byte in String(byte, radix: 16).leftPadded(to: 2) }
        let uuid = [hex[0..<4], hex[4..<6], hex[6..<8], hex[8..<10], hex[10..<16]].map { $0.joined() }.joined(separator: "-")
        let number = body[17..<25].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return "\(uuid):\(number)"
    }

    /// A query event's default database and statement: thread id (4), seconds (4), database
    /// length (1), error code (2), status variables length (2), the status variables, the
    /// database and a NUL, then the statement.
    static func query(_ body: [UInt8], fixedLength: Int = 13) throws -> (database: String, statement: String) {
        guard body.count >= fixedLength else { throw BinlogRowDecoder.corrupt("a query event is short") }
        let databaseLength = Int(body[8])
        let statusLength = Int(body[11]) | Int(body[12]) << 8
        let databaseStart = fixedLength + statusLength
        guard databaseStart + databaseLength + 1 <= body.count else { throw BinlogRowDecoder.corrupt("a query event is short") }
        let database = String(decoding: body[databaseStart..<(databaseStart + databaseLength)], as: UTF8.self)
        let statement = String(decoding: body[(databaseStart + databaseLength + 1)...], as: UTF8.self)
        return (database, statement)
    }
}

extension String {
    func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
