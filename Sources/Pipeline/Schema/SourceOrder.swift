import MySQL

/// Where a change sits in the source's history, as every stage compares it:
/// by (sequence, position, row), never by binlog file name as text.
///
/// `sequence` is the binlog file's sequence number (`binlog.000042` → 42)
/// plus the extract *epoch* in the bits above 2^40. The epoch grows by one on
/// every `sluice extract --reset`, so a new snapshot after `RESET MASTER` or
/// a move to another server (whose file numbers start again) still orders
/// after everything taken before it.
public struct SourceOrder: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var sequence: Int64
    public var position: Int64
    public var row: Int64

    public init(sequence: Int64, position: Int64, row: Int64 = 0) {
        self.sequence = sequence
        self.position = position
        self.row = row
    }

    /// The order of a binlog position read in extract epoch `epoch`.
    public init(_ position: BinlogPosition, epoch: Int, row: Int64 = 0) {
        self.init(sequence: Self.sequence(file: position.file, epoch: epoch), position: Int64(position.position), row: row)
    }

    /// `epoch << 40 | file sequence`.
    public static func sequence(file: String, epoch: Int) -> Int64 {
        Int64(epoch) << 40 | Int64(BinlogPosition.sequence(ofFile: file) & 0xFF_FFFF_FFFF)
    }

    public static func < (lhs: SourceOrder, rhs: SourceOrder) -> Bool {
        (lhs.sequence, lhs.position, lhs.row) < (rhs.sequence, rhs.position, rhs.row)
    }

    public var description: String { "\(sequence):\(position):\(row)" }

    /// A lake file's floor, from its Parquet footer (`sluice.floor_seq`, `sluice.floor_pos`).
    public static func floor(footer metadata: [String: String]) -> SourceOrder? {
        guard let sequence = metadata["sluice.floor_seq"].flatMap({ Int64($0) }),
              let position = metadata["sluice.floor_pos"].flatMap({ Int64($0) }) else { return nil }
        return SourceOrder(sequence: sequence, position: position)
    }

    /// The staging columns that hold it, in comparison order.
    public static let columns = ["_src_seq", "_src_pos", "_src_row"]

    /// SQL that is true when the row `left` is older than `right` (table aliases), e.g. the merge guard.
    public static func olderSQL(_ left: String, than right: String) -> String {
        "(\(left)._src_seq, \(left)._src_pos, \(left)._src_row) < (\(right)._src_seq, \(right)._src_pos, \(right)._src_row)"
    }

    /// SQL that is true when the staging row (unqualified columns) is older than this order.
    public var newerThanSQL: String {
        "(_src_seq, _src_pos, _src_row) < (\(sequence), \(position), \(row))"
    }
}
