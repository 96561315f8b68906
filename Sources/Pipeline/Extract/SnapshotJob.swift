import Foundation
import MySQL

/// One table's snapshot, taken while the binlog streams.
///
/// The table is read in key order, a chunk at a time. Each chunk is one
/// consistent read whose binlog position (MariaDB's `binlog_snapshot_*`, no
/// lock) is known when it opens; its rows are sent only once the binlog
/// reader has reached that position, so every change before it is already
/// out and every change after it follows. A table without a primary key is one
/// chunk. The read view stays open (no rows buffered) while the reader catches up.
final class SnapshotJob {
    let table: String
    /// The version the snapshot sends; its floor is where the snapshot began.
    var schema: TableSchema
    var lastKey: [String?]?
    var rows: Int
    /// The connection holding the open chunk's read view, and that view's position.
    var connection: MySQLConnection?
    var chunkPosition: BinlogPosition?
    /// Failed chunk attempts in a row, and when to try again.
    var failures = 0
    var retryAfter = Date.distantPast
    let started = Date()
    let rowsAtStart: Int
    /// The table's row count estimate when the snapshot began (information_schema), 0 if unknown.
    var estimatedRows = 0
    /// When the binlog retention was last compared with this snapshot, and whether it warned.
    var retentionCheckedAt = Date.distantPast
    var retentionWarned = false

    init(table: String, schema: TableSchema, lastKey: [String?]? = nil, rows: Int = 0) {
        self.table = table
        self.schema = schema
        self.lastKey = lastKey
        self.rows = rows
        self.rowsAtStart = rows
    }

    var progress: ExtractCheckpoint.Snapshot { .init(version: schema.version, lastKey: lastKey, rows: rows) }

    /// Watermark mode: the chunk read between the marks, until the reader passes the high mark.
    var watermark: WatermarkChunk?

    /// Ends the open chunk's transaction, if any.
    func closeChunk() {
        if let connection { _ = try? connection.executeBlocking("ROLLBACK") }
        chunkPosition = nil
        watermark = nil
    }

    /// Ends the job: its connection is released.
    func close() {
        closeChunk()
        connection = nil
    }
}

/// A chunk read in watermark mode: its rows (at most a chunk's worth) wait for the reader to
/// pass the high mark; keys the binlog changes between the low and the high mark are dropped
/// from it, since their binlog events carry their newer state.
final class WatermarkChunk {
    let mark: String
    let rows: [[FieldValue]]
    /// The key of the last row read (where the next chunk starts), whether or not it is sent.
    let lastKey: [String?]?
    /// Fewer rows than a chunk: the table ends here.
    let isLast: Bool
    var seenLow = false
    var changedKeys: Set<[String?]> = []

    init(mark: String, rows: [[FieldValue]], lastKey: [String?]?, isLast: Bool) {
        (self.mark, self.rows, self.lastKey, self.isLast) = (mark, rows, lastKey, isLast)
    }
}
