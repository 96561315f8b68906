import Foundation
import Metrics

/// One stage's metrics, recorded through swift-metrics (no-ops unless the CLI set a backend
/// with `--metrics-address`). Per-table counters are made once and kept.
final class StageMetrics: @unchecked Sendable {
    // @unchecked: `tables` is read and written only under `lock`; the metric handles are Sendable.
    struct TableCounters {
        let rows: Counter
        let bytes: Counter

        func add(rows count: Int, bytes size: Int) {
            if count > 0 { rows.increment(by: count) }
            if size > 0 { bytes.increment(by: size) }
        }
    }

    let stage: String
    private let up: Gauge
    private let lock = NSLock()
    private var tables: [String: TableCounters] = [:]

    init(stage: String) {
        self.stage = stage
        up = Gauge(label: SluiceMetric.stageUp.rawValue, dimensions: [("stage", stage)])
    }

    /// Lake files written (land) or applied (load).
    var files: Counter { Counter(label: SluiceMetric.files.rawValue, dimensions: [("stage", stage)]) }

    /// The table's rows and bytes counters of this stage.
    func table(_ name: String) -> TableCounters {
        lock.withLock {
            if let counters = tables[name] { return counters }
            let dimensions = [("stage", stage), ("table", name)]
            let counters = TableCounters(rows: Counter(label: SluiceMetric.rows.rawValue, dimensions: dimensions),
                                         bytes: Counter(label: SluiceMetric.bytes.rawValue, dimensions: dimensions))
            tables[name] = counters
            return counters
        }
    }

    /// Counts an error of `kind` (a short snake_case word: `snapshot_chunk`, `binlog_connection`, `table_stopped`…).
    func error(_ kind: String) {
        Counter(label: SluiceMetric.errors.rawValue, dimensions: [("stage", stage), ("kind", kind)]).increment()
    }

    /// Marks the stage running (or ended), for `sluice_stage_up` and the health endpoints.
    func running(_ isRunning: Bool) {
        up.record(isRunning ? 1 : 0)
        StageHealth.shared.set(stage, running: isRunning)
    }

    /// The tables this stage has stopped now (table → why): the gauge and `/readyz`.
    func stopped(_ tables: [String: String]) {
        StageHealth.shared.setStopped(stage, tables)
    }

    func stopped(_ tables: [(table: String, reason: String)]) {
        stopped(Dictionary(tables.map { ($0.table, $0.reason) }, uniquingKeysWith: { first, _ in first }))
    }

    static func stoppedGauge(_ stage: String) -> Gauge {
        Gauge(label: SluiceMetric.tablesStopped.rawValue, dimensions: [("stage", stage)])
    }
}
