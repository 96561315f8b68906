import Foundation

/// Warns when a snapshot may outlast the server's binlog retention.
///
/// While a table is snapshotted, extract's checkpoint stays at the binlog position the
/// snapshot began at (its changes from there are needed). If extract stops and the server has
/// purged that binlog by the time it restarts, the table must be snapshotted again from
/// scratch. The guard compares the snapshot's age plus its estimated time to finish with the
/// retention, and speaks once half of the retention would be used.
public enum BinlogRetentionGuard {
    /// The share of the retention a snapshot may use before the warning.
    static let threshold = 0.5

    /// The snapshot's estimated seconds to finish, from its rate so far; `nil` until it has a rate.
    static func secondsToFinish(elapsed: TimeInterval, rowsSent: Int, rowsAtStart: Int, estimatedRows: Int) -> TimeInterval? {
        let done = rowsSent - rowsAtStart
        guard elapsed >= 1, done > 0 else { return nil }
        return Double(max(0, estimatedRows - rowsSent)) / (Double(done) / elapsed)
    }

    /// One line when the snapshot would hold the checkpoint longer than `threshold` × retention, else `nil`.
    static func warning(table: String, elapsed: TimeInterval, rowsSent: Int, rowsAtStart: Int, estimatedRows: Int,
                        retentionSeconds: Int?) -> String? {
        guard let retentionSeconds, retentionSeconds > 0,
              let remaining = secondsToFinish(elapsed: elapsed, rowsSent: rowsSent, rowsAtStart: rowsAtStart, estimatedRows: estimatedRows),
              elapsed + remaining > threshold * Double(retentionSeconds) else { return nil }
        return "table \(table): its snapshot needs about \(duration(remaining)) more (\(rowsSent) of about \(estimatedRows) rows, "
            + "running \(duration(elapsed))), and the server keeps binlogs \(duration(Double(retentionSeconds))) "
            + "(binlog_expire_logs_seconds): if extract stops before the snapshot ends, the binlog it resumes from may be purged "
            + "and the table snapshotted again. Raise binlog_expire_logs_seconds, or snapshot fewer tables at a time"
    }

    /// A duration as people read it: seconds, minutes or hours.
    public static func duration(_ seconds: TimeInterval) -> String {
        switch seconds {
        case ..<120: return "\(Int(seconds.rounded())) s"
        case ..<7_200: return "\(Int((seconds / 60).rounded())) min"
        default: return String(format: "%.1f h", seconds / 3_600)
        }
    }
}
