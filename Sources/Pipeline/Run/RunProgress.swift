import Foundation

/// Live counters of the three stages of `sluice run`, fed by their observers
/// and read by the CLI's progress line.
public final class RunProgress: @unchecked Sendable, ExtractProgressObserver, LandProgressObserver {
    public struct Snapshot: Sendable {
        public var extractedRows = 0
        public var extractPosition = ""
        public var landedRows = 0
        public var landedFiles = 0
        public var loadedRows = 0
        public var loadedFiles = 0
        public var starUpdates = 0
        /// Tables extract or land stopped so far.
        public var stoppedTables: [String] = []
        /// Tables stopped loading after the last load pass.
        public var loadStopped: [String] = []
    }

    private let lock = NSLock()
    private var state = Snapshot()
    private var snapshotRows: [String: Int] = [:]
    private var binlogRows = 0

    /// Set once extract has published every table's schema.
    public let schemasReady = StopSignal()

    public init() {}

    public func schemasPublished(tables: [String]) { schemasReady.stop() }

    public func tableStopped(table: String, reason: String) {
        lock.withLock { if !state.stoppedTables.contains(table) { state.stoppedTables.append(table) } }
    }

    public var snapshot: Snapshot { lock.withLock { state } }

    func update(_ change: (inout Snapshot) -> Void) { lock.withLock { change(&state) } }

    public func snapshotStarted(table: String, estimatedRows: Int, rowsAlreadySent: Int) {}
    public func snapshotProgress(table: String, rowsSent: Int) {
        lock.withLock {
            snapshotRows[table] = rowsSent
            state.extractedRows = snapshotRows.values.reduce(0, +) + binlogRows
        }
    }
    public func snapshotFinished(table: String, rowsSent: Int, seconds: Double) { snapshotProgress(table: table, rowsSent: rowsSent) }
    public func binlogProgress(position: String, rowsSent: Int, caughtUp: Bool) {
        lock.withLock {
            binlogRows = rowsSent
            state.extractPosition = position
            state.extractedRows = snapshotRows.values.reduce(0, +) + binlogRows
        }
    }
    public func landed(table: String, key: String, rows: Int, totalRows: Int) {
        update { $0.landedRows += rows; $0.landedFiles += 1 }
    }
}
