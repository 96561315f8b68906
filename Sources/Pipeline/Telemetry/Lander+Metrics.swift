import Kafka
import Metrics

extension Lander {
    /// After a commit: each committed partition's lag, from the high watermark librdkafka last
    /// fetched (no broker round trip).
    func recordLag(_ committed: [KafkaTopicPartitionOffset]) {
        for entry in committed {
            guard let high = consumer.cachedHighWatermark(topic: entry.topic, partition: entry.partition) else { continue }
            Self.recordLag(topic: entry.topic, partition: entry.partition, messages: high - entry.offset)
        }
    }

    static func recordLag(topic: String, partition: Int32, messages: Int64) {
        Gauge(label: SluiceMetric.consumerLag.rawValue, dimensions: [("topic", topic), ("partition", String(partition))])
            .record(max(0, messages))
    }
}
