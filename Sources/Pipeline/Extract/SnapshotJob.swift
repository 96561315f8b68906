import Foundation
import MySQL

/// One table's snapshot, taken while the binlog streams.
///
/// The table is read in key order, a chunk at a time. Each chunk is one
/// consistent read whose binlog position (MariaDB's `binlog_snapshot_*`, no
/// lock) is known when it opens; its rows are sent only once the binlog
/// reader has reached that position, so every change before it is already
/// out and every change after it follows. A table without a primary key is one
/// chunk, read this way in watermark mode too (see `coversChange(at:)`). The read view stays
/// open (no rows buffered) while the reader catches up.
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
        self.readFrom = lastKey
    }

    /// Whether the table's change at `position` is among the rows this snapshot has still to
    /// send, so that sending its binlog event as well would count it twice. Rows with a key are
    /// superseded by key (a chunk's rows go out after every change before it), but a table
    /// without a key is a multiset: its one chunk is a consistent read at `chunkPosition`, and
    /// before that chunk opens, at a position past every change the reader has met so far.
    func coversChange(at position: BinlogPosition) -> Bool {
        guard !schema.hasPrimaryKey else { return false }
        guard let chunkPosition else { return true }
        return position < chunkPosition
    }

    var progress: ExtractCheckpoint.Snapshot { .init(version: schema.version, lastKey: lastKey, rows: rows) }

    /// Watermark mode: chunks between their marks, in key order, until the reader sends them.
    var chunks: [WatermarkChunk] = []
    /// Watermark mode: the key after which the next chunk starts (`lastKey` plus the chunks
    /// being read or waiting), and whether the table's last chunk is among them.
    var readFrom: [String?]?
    var readAll = false

    /// Ends the open chunk's transaction, if any, and forgets chunks not yet sent.
    func closeChunk() {
        if let connection { _ = try? connection.executeBlocking("ROLLBACK") }
        chunkPosition = nil
        chunks = []
        readFrom = lastKey
        readAll = false
    }

    /// Ends the job: its connection is released.
    func close() {
        closeChunk()
        connection = nil
    }
}

/// A chunk of a watermark snapshot: the keys after `from` up to `through` (the table's end when
/// `nil`), read between a low and a high mark. Its rows wait until the reader has passed its high
/// mark and every earlier chunk's; keys the binlog changes from its low mark until it is sent are
/// dropped from it, since their binlog events carry their newer state.
final class WatermarkChunk {
    let mark: String
    let from: [String?]?
    let through: [String?]?
    /// The rows, once the read has finished.
    var read: ChunkRead?
    var seenLow = false
    var seenHigh = false
    var changedKeys: Set<[String?]> = []

    init(mark: String, from: [String?]?, through: [String?]?) {
        (self.mark, self.from, self.through) = (mark, from, through)
    }

    /// The last chunk of the table: no upper bound.
    var isLast: Bool { through == nil }
}
