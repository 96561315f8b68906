/// Every metric Sluice exports, by its Prometheus name (base units, `_total` on counters).
/// Stages record them through swift-metrics; `--metrics-address` serves them.
public enum SluiceMetric: String, CaseIterable, Sendable {
    case rows = "sluice_rows_total"
    case bytes = "sluice_bytes_total"
    case files = "sluice_files_total"
    case errors = "sluice_errors_total"
    case deadLetters = "sluice_dead_letters_total"
    case tablesStopped = "sluice_tables_stopped"
    case binlogBytesBehind = "sluice_binlog_bytes_behind"
    case consumerLag = "sluice_consumer_lag_messages"
    case lakeFilesUnloaded = "sluice_lake_files_unloaded"
    case loadPassDuration = "sluice_load_pass_duration_seconds"
    case freshness = "sluice_freshness_seconds"
    case snapshotProgress = "sluice_snapshot_progress_ratio"
    case stageUp = "sluice_stage_up"

    /// The `# HELP` text.
    public var help: String {
        switch self {
        case .rows: "Rows moved, by stage (extract: change events sent; land: rows written to the lake; load: rows applied to staging) and table."
        case .bytes: "Bytes moved, by stage (extract: event bytes sent to Kafka; land: Parquet bytes stored; load: lake bytes applied) and table."
        case .files: "Lake files, by stage (land: written; load: applied)."
        case .errors: "Errors a stage recovered from or stopped a table for, by stage and kind."
        case .deadLetters: "Kafka messages land could not read as change events, sent to the dead-letter topic, by table."
        case .tablesStopped: "Tables a stage has stopped (each logged once with its cause and what to run)."
        case .binlogBytesBehind: "Bytes of binlog between extract's checkpoint and the server's end."
        case .consumerLag: "Messages of a partition not yet landed (high watermark minus committed offset)."
        case .lakeFilesUnloaded: "Lake files listed at the start of the last load pass and not applied by its end."
        case .loadPassDuration: "Duration of load passes."
        case .freshness: "Time from a change's MySQL commit to its warehouse commit (CDC changes, sampled per load pass)."
        case .snapshotProgress: "Share of a table's snapshot sent (rows sent over the row estimate), 1 when done."
        case .stageUp: "1 while a stage runs, 0 once it has ended."
        }
    }

    /// Help texts by name, for the exposition.
    public static var helpTexts: [String: String] {
        Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0.help) })
    }

    /// Histogram buckets of the duration metrics.
    public static var durationBuckets: [String: [Duration]] {
        let seconds: [Double] = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300]
        let buckets = seconds.map { Duration.milliseconds(Int64($0 * 1000)) }
        return [loadPassDuration.rawValue: buckets, freshness.rawValue: buckets]
    }
}
