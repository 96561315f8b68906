import Foundation
import Metrics
import MySQL

extension Extractor {
    /// At each checkpoint: the binlog bytes between it and the server's end, and the stopped tables.
    func recordCheckpointMetrics(at position: BinlogPosition) {
        metrics.stopped(checkpoint.stoppedTables)
        guard let logs = try? metadata.binaryLogsBlocking(), let last = logs.last,
              let behind = BinlogDistance.bytes(from: position, to: BinlogPosition(file: last.file, position: last.size), logs: logs)
        else { return }
        Gauge(label: SluiceMetric.binlogBytesBehind.rawValue).record(max(0, behind))
    }
}

/// Passes extract's progress on, and keeps `sluice_snapshot_progress_ratio` per table.
struct ExtractMetricsObserver: ExtractProgressObserver {
    let inner: any ExtractProgressObserver
    private let estimates = Estimates()

    init(forwardingTo inner: any ExtractProgressObserver) { self.inner = inner }

    func snapshotStarted(table: String, estimatedRows: Int, rowsAlreadySent: Int) {
        estimates.set(table, estimatedRows)
        record(table, rowsAlreadySent)
        inner.snapshotStarted(table: table, estimatedRows: estimatedRows, rowsAlreadySent: rowsAlreadySent)
    }

    func snapshotProgress(table: String, rowsSent: Int) {
        record(table, rowsSent)
        inner.snapshotProgress(table: table, rowsSent: rowsSent)
    }

    func snapshotFinished(table: String, rowsSent: Int, seconds: Double) {
        Gauge(label: SluiceMetric.snapshotProgress.rawValue, dimensions: [("table", table)]).record(1.0)
        inner.snapshotFinished(table: table, rowsSent: rowsSent, seconds: seconds)
    }

    func binlogProgress(position: String, rowsSent: Int, caughtUp: Bool) {
        inner.binlogProgress(position: position, rowsSent: rowsSent, caughtUp: caughtUp)
    }

    func schemasPublished(tables: [String]) { inner.schemasPublished(tables: tables) }
    func tableStopped(table: String, reason: String) { inner.tableStopped(table: table, reason: reason) }

    /// Sent over the estimate, below 1 until the snapshot ends (an estimate can be low).
    private func record(_ table: String, _ rowsSent: Int) {
        let estimate = estimates.get(table)
        let ratio = estimate > 0 ? min(0.99, Double(rowsSent) / Double(estimate)) : 0
        Gauge(label: SluiceMetric.snapshotProgress.rawValue, dimensions: [("table", table)]).record(ratio)
    }

    /// Row estimates by table.
    private final class Estimates: @unchecked Sendable {
        // @unchecked: `rows` is read and written only under `lock`.
        private let lock = NSLock()
        private var rows: [String: Int] = [:]
        func set(_ table: String, _ count: Int) { lock.withLock { rows[table] = count } }
        func get(_ table: String) -> Int { lock.withLock { rows[table] ?? 0 } }
    }
}
