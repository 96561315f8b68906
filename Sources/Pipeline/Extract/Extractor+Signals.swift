import Foundation
import Kafka
import SluiceSupport

extension Extractor {
    /// Acts on `sluice snapshot` requests sent since the checkpoint's signals offset: each named
    /// table this extract captures is snapshotted again (a new version whose floor is now) while
    /// the others go on streaming. Called at start and, between transactions, every few seconds.
    func handleSignals() throws {
        let reader = KafkaTopicReader(configuration: kafka, logger: logger)
        let high = (try? reader.highWatermark(topic: topics.signals, partition: 0)) ?? 0
        guard high > checkpoint.signalsOffset else { return }
        for message in try reader.readAll(topic: topics.signals) where message.offset >= checkpoint.signalsOffset {
            guard let value = message.value, let json = try? JSONValue.parse(value), let request = SnapshotRequest(json: json) else {
                logger.warning("\(topics.signals) offset \(message.offset) is not a request Sluice knows; skipped")
                continue
            }
            for table in request.tables {
                guard captured.contains(table) else {
                    logger.warning("sluice snapshot asked for \(table), which this extract does not capture (\(captured.sorted().joined(separator: ", "))); skipped")
                    continue
                }
                try startSnapshot(table, since: nil, reason: "requested by sluice snapshot")
            }
        }
        checkpoint.signalsOffset = high
        try saveCheckpoint()
    }
}
