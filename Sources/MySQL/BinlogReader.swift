import CMariaDB
import Foundation

/// Reads the binary log as a replica would (Connector/C's `mariadb_rpl`),
/// decoding row events into values.
///
/// Owns its own connection and replication handle (freed in `deinit`); use
/// it from one thread. `next()` blocks until an event arrives; with
/// `stopAtEnd` it returns `nil` at the current end of the log instead, and in
/// follow mode the server's heartbeat (every `heartbeatSeconds`) wakes it so
/// the caller can check for a stop request. A connection that stays silent
/// longer than `readTimeoutSeconds` counts as lost. Every failure throws; a
/// lost connection (server restart, killed dump thread, network) throws
/// `MySQLError` with code `.connectionLost`, which callers may retry.
public final class BinlogReader {
    private let connection: MySQLConnection
    private let rpl: UnsafeMutablePointer<MARIADB_RPL>
    private let stopAtEnd: Bool
    /// Bytes of checksum at the end of every event (4 with CRC32, else 0).
    private let checksumLength: Int
    /// What each TABLE_MAP said, by table id, and the decoder for events read from raw bytes.
    private var parser = BinlogEventParser()
    /// Events unpacked from one MySQL transaction payload, still to be returned.
    private var pending: [BinlogEvent] = []

    /// Opens the stream at `position`.
    public init(configuration: MySQLConnection.Configuration, from position: BinlogPosition, replicaServerID: UInt32,
                stopAtEnd: Bool, heartbeatSeconds: Int = 1, readTimeoutSeconds: UInt32 = 30) throws {
        var settings = configuration
        settings.readTimeoutSeconds = readTimeoutSeconds
        let connection = try MySQLConnection.connectBlocking(settings)
        self.connection = connection
        self.stopAtEnd = stopAtEnd
        let checksum = try connection.queryBlocking("SELECT @@global.binlog_checksum").scalar ?? "NONE"
        checksumLength = checksum.uppercased() == "NONE" ? 0 : 4
        try connection.executeBlocking("SET @master_binlog_checksum = @@global.binlog_checksum")
        try connection.executeBlocking("SET @mariadb_slave_capability = 4")
        try connection.executeBlocking("SET @master_heartbeat_period = \(heartbeatSeconds * 1_000_000_000)")
        guard let rpl = connection.lock.withLock({ mariadb_rpl_init_ex(connection.handle, UInt32(MARIADB_RPL_VERSION)) }) else {
            throw MySQLError(code: .unsupportedServer, message: "cannot start binlog replication (mariadb_rpl_init failed)")
        }
        self.rpl = rpl
        _ = position.file.withCString { sluice_rpl_set_filename(rpl, $0, strlen($0)) }
        _ = sluice_rpl_set_start(rpl, UInt(position.position))
        _ = sluice_rpl_set_server_id(rpl, replicaServerID)
        _ = sluice_rpl_set_flags(rpl, stopAtEnd ? UInt32(MARIADB_RPL_BINLOG_DUMP_NON_BLOCK) : 0)
        let opened = connection.lock.withLock { mariadb_rpl_open(rpl) }
        if opened != 0 {
            let error = self.error(context: "cannot read the binlog from \(position)")
            mariadb_rpl_close(rpl)
            throw error
        }
    }

    deinit {
        mariadb_rpl_close(rpl)
    }

    /// The next event, or `nil` at the end of the log when opened with `stopAtEnd`.
    public func next() throws -> BinlogEvent? {
        if !pending.isEmpty { return pending.removeFirst() }
        // Connector/C keeps the last error until cleared; clear it so an
        // end-of-stream NULL is not mistaken for a failure.
        rpl.pointee.error_no = 0
        rpl.pointee.error_msg.0 = 0
        guard let event = connection.lock.withLock({ mariadb_rpl_fetch(rpl, nil) }) else {
            // Only a non-blocking dump ends normally; a blocking one ends only when something broke.
            if stopAtEnd && mariadb_rpl_errno(rpl) == 0 && mysql_errno(connection.handle) == 0 { return nil }
            if let skipped = fileDataEventLeftUnparsed() { return skipped }
            throw error(context: "reading the binlog failed")
        }
        defer { mariadb_free_rpl_event(event) }
        let e = event.pointee
        let nextPosition = UInt64(e.next_event_pos)
        let type = e.event_type.rawValue
        // MySQL-only events (GTIDs, partial JSON updates, compressed transactions): from raw bytes.
        if [33, 39, 40].contains(type) {
            let position = nextPosition - UInt64(e.event_length)
            let body = try body(of: e)
            guard type == 40 else {
                return try parser.decode(type: UInt8(type), body: body, position: position, nextPosition: nextPosition, timestamp: e.timestamp)
            }
            var events = try BinlogTransactionPayload(body: body).decode(with: &parser, position: position, nextPosition: nextPosition)
            guard !events.isEmpty else { return .other(type: type, nextPosition: nextPosition) }
            let first = events.removeFirst()
            pending = events
            return first
        }
        switch e.event_type {
        case TABLE_MAP_EVENT:
            let map = try BinlogTableMap(body: try body(of: e))
            parser.register(map)
            return .tableMap(map, nextPosition: nextPosition)
        case WRITE_ROWS_EVENT, UPDATE_ROWS_EVENT, DELETE_ROWS_EVENT, WRITE_ROWS_EVENT_V1, UPDATE_ROWS_EVENT_V1,
             DELETE_ROWS_EVENT_V1:
            return .rows(try decodeRows(e))
        case WRITE_ROWS_COMPRESSED_EVENT, UPDATE_ROWS_COMPRESSED_EVENT, DELETE_ROWS_COMPRESSED_EVENT,
             WRITE_ROWS_COMPRESSED_EVENT_V1, UPDATE_ROWS_COMPRESSED_EVENT_V1, DELETE_ROWS_COMPRESSED_EVENT_V1:
            throw MySQLError(code: .unsupportedServer, message: "the binlog has compressed row events",
                             hint: "turn log_bin_compress off on the server")
        case ROTATE_EVENT:
            // Read from the raw bytes: Connector/C 3.3 mis-parses the rotate sent when the server moves to
            // the next file (seen after a restart: file "0", position garbage).
            let body = try body(of: e)
            guard body.count > 8 else { throw BinlogRowDecoder.corrupt("a rotate event is short") }
            let position = body[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            return .rotate(file: String(decoding: body[8...], as: UTF8.self), position: position)
        case GTID_EVENT:
            return .gtid("\(e.event.gtid.domain_id)-\(e.server_id)-\(e.event.gtid.sequence_nr)", nextPosition: nextPosition)
        case XID_EVENT:
            return .commit(nextPosition: nextPosition, timestamp: e.timestamp)
        case QUERY_EVENT:
            return .query(database: Self.string(e.event.query.database), statement: Self.string(e.event.query.statement),
                          position: nextPosition - UInt64(e.event_length), nextPosition: nextPosition, timestamp: e.timestamp)
        case EXECUTE_LOAD_QUERY_EVENT:
            // LOAD DATA logged as a statement (binlog_format=STATEMENT/MIXED): a query for what it names.
            return .query(database: Self.string(e.event.execute_load_query.schema), statement: Self.string(e.event.execute_load_query.statement),
                          position: nextPosition - UInt64(e.event_length), nextPosition: nextPosition, timestamp: e.timestamp)
        case HEARTBEAT_LOG_EVENT:
            return .heartbeat
        default:
            return .other(type: e.event_type.rawValue, nextPosition: nextPosition)
        }
    }

    /// Event types that carry the data file of a `LOAD DATA` logged as a statement: Append_block (9),
    /// Delete_file (11, a failed statement's file dropped) and Begin_load_query (17). Nothing in them
    /// is a row; the Execute_load_query that follows is the statement, read as a query.
    static let fileDataEventTypes: Set<UInt8> = [9, 11, 17]

    /// The event Connector/C could not parse, when it only carries a `LOAD DATA` file. Connector/C 3.3
    /// expects Begin_load_query's file to end in a NUL byte and reports any other as a malformed
    /// packet (CR_BINLOG_ERROR), and does not know Append_block (CR_UNKNOWN_BINLOG_EVENT). The packet
    /// is still in the connection's read buffer, where its 19-byte header (after the OK byte) gives
    /// the type and the next position. Anything else: `nil`.
    private func fileDataEventLeftUnparsed() -> BinlogEvent? {
        guard [UInt32(CR_BINLOG_ERROR), UInt32(CR_UNKNOWN_BINLOG_EVENT)].contains(mariadb_rpl_errno(rpl)) else { return nil }
        return connection.lock.withLock { () -> BinlogEvent? in
            let net = connection.handle.pointee.net
            // Connector/C checked the 19-byte header before it failed; the buffer's end only bounds the read.
            guard let start = net.read_pos, let end = net.buff_end, end - start >= 20, start[0] == 0 else { return nil }
            let header = UnsafeRawBufferPointer(start: start + 1, count: 19)
            guard Self.fileDataEventTypes.contains(header[4]) else { return nil }
            let next = (0..<4).reduce(UInt64(0)) { $0 | UInt64(header[13 + $1]) << (8 * UInt64($1)) }
            // Connector/C also leaves the error on the connection, where it would read as a failure later.
            connection.handle.pointee.net.last_errno = 0
            connection.handle.pointee.net.last_error.0 = 0
            return .other(type: UInt32(header[4]), nextPosition: next)
        }
    }

    /// The event's body: after the 19-byte common header, without the checksum. Connector/C's
    /// raw buffer may start with the packet's OK byte, so the header is found by its type byte.
    private func body(of e: MARIADB_RPL_EVENT) throws -> [UInt8] {
        if let raw = e.raw_data {
            let buffer = UnsafeRawBufferPointer(start: raw, count: e.raw_data_size)
            for start in [0, 1] where start + 19 <= buffer.count && UInt32(buffer[start + 4]) == e.event_type.rawValue {
                let size = (0..<4).reduce(0) { $0 | Int(buffer[start + 9 + $1]) << (8 * $1) }
                guard size == Int(e.event_length), start + size <= buffer.count, size >= 19 + checksumLength else { continue }
                return Array(buffer[(start + 19)..<(start + size - checksumLength)])
            }
        }
        throw BinlogRowDecoder.corrupt("the client library gave no raw bytes for a \(e.event_type.rawValue) event")
    }

    private func decodeRows(_ e: MARIADB_RPL_EVENT) throws -> BinlogRowsEvent {
        let rowsEvent = e.event.rows
        let kind: BinlogRowKind
        switch e.event_type {
        case WRITE_ROWS_EVENT, WRITE_ROWS_EVENT_V1: kind = .insert
        case UPDATE_ROWS_EVENT, UPDATE_ROWS_EVENT_V1: kind = .update
        default: kind = .delete
        }
        let entry = try parser.map(forTableID: UInt64(rowsEvent.table_id))
        let count = Int(rowsEvent.column_count)
        func bitmap(_ pointer: UnsafeMutablePointer<UInt8>?) -> [Bool]? {
            guard let pointer else { return nil }
            return (0..<count).map { pointer[$0 / 8] & (1 << ($0 % 8)) != 0 }
        }
        let present = bitmap(rowsEvent.column_bitmap) ?? Array(repeating: true, count: count)
        let presentAfter = kind == .update ? (bitmap(rowsEvent.column_update_bitmap) ?? present) : nil
        let rows = try entry.decoder.decodeRows(UnsafeRawBufferPointer(start: rowsEvent.row_data, count: rowsEvent.row_data_size),
                                                present: present, presentAfter: presentAfter)
        let position = UInt64(e.next_event_pos) - UInt64(e.event_length)
        return BinlogRowsEvent(map: entry.map, kind: kind, rows: rows, position: position,
                               nextPosition: UInt64(e.next_event_pos), timestamp: e.timestamp)
    }

    private static func string(_ value: MARIADB_STRING) -> String {
        guard let start = value.str else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: start, count: value.length), as: UTF8.self)
    }

    private func error(context: String) -> MySQLError {
        let number = mariadb_rpl_errno(rpl) != 0 ? mariadb_rpl_errno(rpl) : mysql_errno(connection.handle)
        var message = mariadb_rpl_errno(rpl) != 0 ? String(cString: mariadb_rpl_error(rpl)) : String(cString: mysql_error(connection.handle))
        if message.isEmpty { message = "the connection ended without an error message" }
        let code: MySQLError.Code = number == 1236 ? .unsupportedServer
            : number == 0 ? .connectionLost : MySQLError.code(forErrorNumber: number)
        return MySQLError(code: code, errorNumber: number, message: "\(context): \(message)",
                          hint: number == 1236 ? "the binlog position is gone (purged?); take a new snapshot with sluice extract --reset" : nil)
    }
}
