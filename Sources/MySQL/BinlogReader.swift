import CMariaDB
import Foundation

/// Reads the binary log as a replica would (Connector/C's `mariadb_rpl`),
/// decoding row events into values.
///
/// Owns its own connection and replication handle (freed in `deinit`); use
/// it from one thread. `next()` blocks until an event arrives; with
/// `stopAtEnd` it returns `nil` at the current end of the log instead, and in
/// follow mode the server's heartbeat (every `heartbeatSeconds`) wakes it so
/// the caller can check for a stop request.
public final class BinlogReader {
    private let connection: MySQLConnection
    private let rpl: UnsafeMutablePointer<MARIADB_RPL>
    /// What each TABLE_MAP said, by table id: the table's name and a row decoder for its columns.
    private var tableMaps: [UInt64: (database: String, table: String, decoder: BinlogRowDecoder)] = [:]

    /// Opens the stream at `position`.
    public init(configuration: MySQLConnection.Configuration, from position: BinlogPosition, replicaServerID: UInt32,
                stopAtEnd: Bool, heartbeatSeconds: Int = 1) throws {
        let connection = try MySQLConnection.connectBlocking(configuration)
        self.connection = connection
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
        // Connector/C keeps the last error until cleared; clear it so an
        // end-of-stream NULL is not mistaken for a failure.
        rpl.pointee.error_no = 0
        rpl.pointee.error_msg.0 = 0
        guard let event = connection.lock.withLock({ mariadb_rpl_fetch(rpl, nil) }) else {
            let number = mysql_errno(connection.handle)
            if mariadb_rpl_errno(rpl) != 0 || [2006, 2013, 1236].contains(number) {
                throw error(context: "reading the binlog failed")
            }
            return nil
        }
        defer { mariadb_free_rpl_event(event) }
        let e = event.pointee
        let nextPosition = UInt64(e.next_event_pos)
        switch e.event_type {
        case TABLE_MAP_EVENT:
            let map = e.event.table_map
            let decoder = try BinlogRowDecoder(columnTypes: Self.bytes(map.column_types), metadata: Self.bytes(map.metadata))
            tableMaps[map.table_id] = (Self.string(map.database), Self.string(map.table), decoder)
            return .other(type: e.event_type.rawValue, nextPosition: nextPosition)
        case WRITE_ROWS_EVENT, UPDATE_ROWS_EVENT, DELETE_ROWS_EVENT, WRITE_ROWS_EVENT_V1, UPDATE_ROWS_EVENT_V1,
             DELETE_ROWS_EVENT_V1:
            return .rows(try decodeRows(e))
        case WRITE_ROWS_COMPRESSED_EVENT, UPDATE_ROWS_COMPRESSED_EVENT, DELETE_ROWS_COMPRESSED_EVENT,
             WRITE_ROWS_COMPRESSED_EVENT_V1, UPDATE_ROWS_COMPRESSED_EVENT_V1, DELETE_ROWS_COMPRESSED_EVENT_V1:
            throw MySQLError(code: .unsupportedServer, message: "the binlog has compressed row events",
                             hint: "turn log_bin_compress off on the server")
        case ROTATE_EVENT:
            return .rotate(file: Self.string(e.event.rotate.filename), position: e.event.rotate.position)
        case GTID_EVENT:
            return .gtid("\(e.event.gtid.domain_id)-\(e.server_id)-\(e.event.gtid.sequence_nr)", nextPosition: nextPosition)
        case XID_EVENT:
            return .commit(nextPosition: nextPosition, timestamp: e.timestamp)
        case QUERY_EVENT:
            return .query(database: Self.string(e.event.query.database), statement: Self.string(e.event.query.statement),
                          nextPosition: nextPosition, timestamp: e.timestamp)
        case HEARTBEAT_LOG_EVENT:
            return .heartbeat
        default:
            return .other(type: e.event_type.rawValue, nextPosition: nextPosition)
        }
    }

    private func decodeRows(_ e: MARIADB_RPL_EVENT) throws -> BinlogRowsEvent {
        let rowsEvent = e.event.rows
        let kind: BinlogRowKind
        switch e.event_type {
        case WRITE_ROWS_EVENT, WRITE_ROWS_EVENT_V1: kind = .insert
        case UPDATE_ROWS_EVENT, UPDATE_ROWS_EVENT_V1: kind = .update
        default: kind = .delete
        }
        guard let map = tableMaps[rowsEvent.table_id] else {
            throw MySQLError(code: .queryFailed, message: "a row event refers to table id \(rowsEvent.table_id) without its table map")
        }
        let count = Int(rowsEvent.column_count)
        func bitmap(_ pointer: UnsafeMutablePointer<UInt8>?) -> [Bool]? {
            guard let pointer else { return nil }
            return (0..<count).map { pointer[$0 / 8] & (1 << ($0 % 8)) != 0 }
        }
        let present = bitmap(rowsEvent.column_bitmap) ?? Array(repeating: true, count: count)
        let presentAfter = kind == .update ? (bitmap(rowsEvent.column_update_bitmap) ?? present) : nil
        let rows = try map.decoder.decodeRows(UnsafeRawBufferPointer(start: rowsEvent.row_data, count: rowsEvent.row_data_size),
                                              present: present, presentAfter: presentAfter)
        let position = UInt64(e.next_event_pos) - UInt64(e.event_length)
        return BinlogRowsEvent(database: map.database, table: map.table, kind: kind, rows: rows, position: position,
                               nextPosition: UInt64(e.next_event_pos), timestamp: e.timestamp)
    }

    private static func bytes(_ value: MARIADB_STRING) -> [UInt8] {
        guard let start = value.str else { return [] }
        return Array(UnsafeRawBufferPointer(start: start, count: value.length))
    }

    private static func string(_ value: MARIADB_STRING) -> String {
        guard let start = value.str else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: start, count: value.length), as: UTF8.self)
    }

    private func error(context: String) -> MySQLError {
        let number = mariadb_rpl_errno(rpl) != 0 ? mariadb_rpl_errno(rpl) : mysql_errno(connection.handle)
        var message = mariadb_rpl_errno(rpl) != 0 ? String(cString: mariadb_rpl_error(rpl)) : String(cString: mysql_error(connection.handle))
        if message.isEmpty { message = "unknown error" }
        let code: MySQLError.Code = number == 1236 ? .unsupportedServer : MySQLError.code(forErrorNumber: number)
        return MySQLError(code: code, errorNumber: number, message: "\(context): \(message)",
                          hint: number == 1236 ? "the binlog position is gone (purged?); take a new snapshot with sluice extract --reset" : nil)
    }
}
