import MySQL

/// Bytes of binlog between two positions, across files (`nil` if a file is gone).
enum BinlogDistance {
    static func bytes(from: BinlogPosition, to: BinlogPosition, logs: [(file: String, size: UInt64)]) -> Int64? {
        if from.file == to.file { return Int64(to.position) - Int64(from.position) }
        guard let start = logs.firstIndex(where: { $0.file == from.file }),
              let end = logs.firstIndex(where: { $0.file == to.file }), start < end else { return nil }
        var bytes = Int64(logs[start].size) - Int64(from.position)
        for index in (start + 1)..<end { bytes += Int64(logs[index].size) }
        return bytes + Int64(to.position)
    }
}
