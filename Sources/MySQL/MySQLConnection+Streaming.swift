import CMariaDB

/// One row of a streamed result: each column's bytes as the text protocol
/// sends them (UTF-8 for text, the raw bytes for binary columns), `nil` for NULL.
public typealias MySQLRawRow = [[UInt8]?]

extension MySQLConnection {
    /// Runs a query and hands its rows to `body` in batches of at most
    /// `batchSize`, reading them from the server as they are consumed
    /// (`mysql_use_result`): memory holds one batch, whatever the table size.
    /// Blocking: run it on a thread of its own (the snapshot reader does).
    /// Return `false` from `body` to stop early.
    public func streamRowsBlocking(_ sql: String, batchSize: Int,
                                   _ body: ([MySQLColumn], [MySQLRawRow]) throws -> Bool) throws {
        try lock.withLock {
            try runStatement(sql)
            guard let result = mysql_use_result(handle) else {
                throw MySQLConnection.error(from: handle, context: "streaming a query")
            }
            defer { mysql_free_result(result) }
            let columns = MySQLColumn.columns(of: result)
            var batch: [MySQLRawRow] = []
            batch.reserveCapacity(batchSize)
            while let row = mysql_fetch_row(result) {
                let lengths = mysql_fetch_lengths(result)!
                batch.append((0..<columns.count).map { index in
                    row[index].map { Array(UnsafeRawBufferPointer(start: $0, count: Int(lengths[index]))) }
                })
                if batch.count == batchSize {
                    let more = try body(columns, batch)
                    batch.removeAll(keepingCapacity: true)
                    if !more {
                        // Drain the rest so the connection stays usable.
                        while mysql_fetch_row(result) != nil {}
                        return
                    }
                }
            }
            if mysql_errno(handle) != 0 {
                throw MySQLConnection.error(from: handle, context: "reading rows")
            }
            if !batch.isEmpty { _ = try body(columns, batch) }
        }
    }
}
