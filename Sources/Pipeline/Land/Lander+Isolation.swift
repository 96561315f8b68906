import Foundation
import Kafka
import Metrics
import S3
import SluiceSupport

/// What land does with data it cannot land: one table that cannot be stored
/// exactly stops alone, and a message that is not a change event at all goes
/// to the dead-letter topic. Nothing is skipped without a trace.
extension Lander {
    /// Stops landing `table` for this run: its batches are dropped and its messages ignored, so
    /// nothing of it is committed and the next run reads them again. A marker in the lake
    /// (`<root>/_sluice/land/stopped/<table>.json`) tells `status` and `verify` why and where.
    func stopTable(_ table: String, at partition: TopicPartition, offset: Int64, because reason: String) async throws {
        guard stoppedTables[table] == nil else { return }
        let line = "table \(table) stopped landing at \(partition) offset \(offset): \(reason); the other tables go on, and the next run tries it again"
        stoppedTables[table] = line
        logger.error("\(line)", metadata: ["table": "\(table)"])
        metrics.error("table_stopped")
        metrics.stopped(stoppedTables)
        for key in batches.keys where self.table(of: key) == table {
            if let dropped = batches.removeValue(forKey: key) { bufferedBytes -= dropped.bytes }
        }
        let marker = JSONValue.object([
            ("table", .string(table)), ("topic", .string(partition.topic)), ("partition", .number(String(partition.partition))),
            ("offset", .number(String(offset))), ("reason", .string(line)),
        ])
        try await s3.putObject(bucket: bucket, key: layout.landStoppedKey(table: table), body: marker.serialized)
        stoppedMarkers.insert(table)
        summary.stopped[table] = line
    }

    /// A table lands again: its stop marker from an earlier run goes.
    func clearStop(_ table: String) async throws {
        guard stoppedMarkers.contains(table) else { return }
        try await s3.deleteObject(bucket: bucket, key: layout.landStoppedKey(table: table))
        stoppedMarkers.remove(table)
        logger.notice("table \(table) lands again")
    }

    /// Sends a message that is not a change event to `<prefix>._dead_letters`, as it was, with
    /// headers saying why and where it came from. It is delivered before its offset is committed.
    func deadLetter(_ message: KafkaMessage, reason: String) throws {
        if deadLetters == nil { deadLetters = try KafkaProducer(configuration: kafka, logger: logger) }
        let headers: [(name: String, value: [UInt8])] = [
            ("sluice.reason", Array(reason.utf8)), ("sluice.topic", Array(message.topic.utf8)),
            ("sluice.partition", Array(String(message.partition).utf8)), ("sluice.offset", Array(String(message.offset).utf8)),
        ]
        try deadLetters?.send(topic: topics.deadLetters, key: message.key, value: message.value, headers: headers)
        deadLettersPending = true
        summary.deadLetters += 1
        Counter(label: SluiceMetric.deadLetters.rawValue, dimensions: [("table", table(of: TopicPartition(topic: message.topic, partition: message.partition)))]).increment()
        metrics.error("dead_letter")
        logger.warning("\(message.topic)[\(message.partition)] offset \(message.offset) is not a change event (\(reason)); sent to \(topics.deadLetters)")
    }

    /// Tables with a stop marker in the lake from an earlier run.
    func loadStopMarkers() async throws {
        let prefix = layout.landStoppedPrefix
        for object in try await s3.listAllObjects(bucket: bucket, prefix: prefix) {
            stoppedMarkers.insert(String(object.key.dropFirst(prefix.count).dropLast(".json".count)))
        }
    }
}

extension LakeLayout {
    /// Where land records a table it stopped: `<root>/_sluice/land/stopped/<table>.json`.
    public func landStoppedKey(table: String) -> String { landStoppedPrefix + table + ".json" }
    public var landStoppedPrefix: String { "\(root)/_sluice/land/stopped/" }
}
