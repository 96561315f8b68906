import CRdKafka
import Foundation
import Logging

/// Reads a whole topic from its first retained offset to its current end,
/// outside any consumer group (nothing is committed). Used for Sluice's small
/// compacted topics: schemas and checkpoints.
public struct KafkaTopicReader: Sendable {
    public let configuration: KafkaConfiguration
    let logger: Logger

    public init(configuration: KafkaConfiguration, logger: Logger = Logger(label: "sluice.kafka.reader")) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Every message currently in the topic, per partition in offset order
    /// (partitions one after another). An absent topic reads as empty.
    public func readAll(topic: String, timeout: Duration = .seconds(30)) throws -> [KafkaMessage] {
        let consumer = try KafkaConsumer(configuration: configuration, groupID: "sluice-reader-\(UUID().uuidString)",
                                         logger: logger)
        defer { consumer.close() }
        let metadata = try KafkaClusterMetadata.fetch(client: consumer.client, bootstrap: configuration.bootstrapServers,
                                                      timeout: timeout)
        guard let partitions = metadata.topics.first(where: { $0.name == topic })?.partitions else { return [] }

        var ends: [Int32: Int64] = [:]
        let list = RDKafkaTopicPartitionList()
        for partition in partitions {
            let (low, high) = try consumer.watermarks(topic: topic, partition: partition, timeout: timeout)
            if high > low {
                ends[partition] = high
                list.add(topic: topic, partition: partition, offset: low)
            }
        }
        if ends.isEmpty { return [] }
        let assigned = consumer.client.withHandle { rk in list.withPointer { rd_kafka_assign(rk, $0) } }
        if assigned != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(assigned, "cannot read \(topic)") }

        var messages: [Int32: [KafkaMessage]] = [:]
        let deadline = Date().addingTimeInterval(Double(timeout.components.seconds))
        while !ends.isEmpty {
            if Date() > deadline {
                throw KafkaError(code: .timeout, message: "reading \(topic) did not reach its end within \(timeout)")
            }
            for message in try consumer.poll(maxMessages: 1000, timeout: .milliseconds(200)) {
                guard let end = ends[message.partition] else { continue }
                messages[message.partition, default: []].append(message)
                if message.offset + 1 >= end { ends[message.partition] = nil }
            }
        }
        return messages.keys.sorted().flatMap { messages[$0]! }
    }

    /// The latest value of every key (compaction's view): a tombstone removes the key.
    public func latestByKey(topic: String, timeout: Duration = .seconds(30)) throws -> [[UInt8]: [UInt8]] {
        var latest: [[UInt8]: [UInt8]] = [:]
        for message in try readAll(topic: topic, timeout: timeout) {
            guard let key = message.key else { continue }
            latest[key] = message.value
        }
        return latest
    }
}

extension KafkaTopicReader {
    /// The next offset to be written to a partition (0 for an empty one), asked of the broker;
    /// throws when the topic does not exist.
    public func highWatermark(topic: String, partition: Int32, timeout: Duration = .seconds(10)) throws -> Int64 {
        let consumer = try KafkaConsumer(configuration: configuration, groupID: "sluice-reader-\(UUID().uuidString)", logger: logger)
        defer { consumer.close() }
        return try consumer.watermarks(topic: topic, partition: partition, timeout: timeout).high
    }
}

extension KafkaConsumer {
    /// The low (first retained) and high (next to be written) offsets of a partition, asked of the broker.
    public func watermarks(topic: String, partition: Int32, timeout: Duration = .seconds(10)) throws -> (low: Int64, high: Int64) {
        var low: Int64 = 0, high: Int64 = 0
        let result = client.withHandle {
            rd_kafka_query_watermark_offsets($0, topic, partition, &low, &high, Int32(timeout.milliseconds))
        }
        if result != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(result, "cannot read the offsets of \(topic)[\(partition)]")
        }
        return (low, high)
    }

    /// The high watermark librdkafka last saw in a fetch response (no broker
    /// round trip); `nil` when it has not fetched from the partition yet.
    public func cachedHighWatermark(topic: String, partition: Int32) -> Int64? {
        var low: Int64 = 0, high: Int64 = 0
        let result = client.withHandle { rd_kafka_get_watermark_offsets($0, topic, partition, &low, &high) }
        return result == RD_KAFKA_RESP_ERR_NO_ERROR && high >= 0 ? high : nil
    }

    /// The next offset this consumer will read from each partition (local; -1001 before the first fetch).
    public func positions(_ partitions: [KafkaTopicPartitionOffset]) throws -> [KafkaTopicPartitionOffset] {
        let list = RDKafkaTopicPartitionList()
        for entry in partitions { list.add(topic: entry.topic, partition: entry.partition) }
        let result = client.withHandle { rk in list.withPointer { rd_kafka_position(rk, $0) } }
        if result != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(result, "cannot read consumer positions") }
        return list.elements
    }

    /// The committed positions of this consumer's group for the given partitions (-1001 when none).
    public func committed(_ partitions: [(topic: String, partition: Int32)], timeout: Duration = .seconds(10)) throws
        -> [KafkaTopicPartitionOffset] {
        let list = RDKafkaTopicPartitionList()
        for entry in partitions { list.add(topic: entry.topic, partition: entry.partition) }
        let result = client.withHandle { rk in list.withPointer { rd_kafka_committed(rk, $0, Int32(timeout.milliseconds)) } }
        if result != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(result, "cannot read committed offsets of \(groupID)") }
        return list.elements
    }

    /// The high watermarks (next offset to be written) of many partitions in
    /// one request per leader, instead of a round trip per partition.
    public func endOffsets(_ partitions: [(topic: String, partition: Int32)], timeout: Duration = .seconds(10)) throws
        -> [KafkaTopicPartitionOffset] {
        let list = RDKafkaTopicPartitionList()
        for entry in partitions { list.add(topic: entry.topic, partition: entry.partition, offset: Int64(RD_KAFKA_OFFSET_END)) }
        let result = client.withHandle { rk in list.withPointer { rd_kafka_offsets_for_times(rk, $0, Int32(timeout.milliseconds)) } }
        if result != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(result, "cannot read the end offsets of \(partitions.count) partitions") }
        return list.elements
    }
}
