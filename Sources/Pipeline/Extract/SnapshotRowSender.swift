import Foundation
import MySQL

/// Sends snapshot rows of one chunk as `r` events at the chunk's binlog position, numbered on
/// from the job's row count (so each has its own source order).
struct SnapshotRowSender {
    let extractor: Extractor
    let job: SnapshotJob
    let position: BinlogPosition
    let topic: String
    let layout: EventLayout
    let timestamp: Int64
    let sequence: Int64
    let counters: StageMetrics.TableCounters

    init(extractor: Extractor, job: SnapshotJob, at position: BinlogPosition) {
        self.extractor = extractor
        self.job = job
        self.position = position
        topic = extractor.topics.table(job.schema.table)
        layout = extractor.layout(for: job.schema)
        timestamp = Int64(Date().timeIntervalSince1970 * 1000)
        sequence = SourceOrder.sequence(file: position.file, epoch: extractor.checkpoint.epoch)
        counters = extractor.metrics.table(job.schema.table)
    }

    /// Sends one row; throws `TableStop` for a row whose key has no value downstream, or that can
    /// go neither in a message nor to the lake bucket.
    func send(_ values: [FieldValue]) throws {
        if let column = FieldValue.nullKeyColumn(values, schema: job.schema) {
            throw TableStop.zeroDateInKey(column, table: job.table)
        }
        let event = ChangeEvent(
            operation: .read, before: nil, after: values,
            source: SourcePosition(file: position.file, position: position.position, gtid: nil, row: job.rows,
                                   timestampMilliseconds: timestamp, snapshot: true, sequence: sequence))
        let value = event.value(layout: layout, nowMilliseconds: timestamp)
        try extractor.sendChange(topic: topic, table: job.table, key: event.key(layout: layout), value: value)
        counters.add(rows: 1, bytes: value.count)
        job.rows += 1
    }
}
