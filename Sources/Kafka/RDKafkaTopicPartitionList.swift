import CRdKafka

/// Owns an `rd_kafka_topic_partition_list_t`, destroyed in `deinit`.
final class RDKafkaTopicPartitionList {
    private let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    init(capacity: Int32 = 4) {
        pointer = rd_kafka_topic_partition_list_new(capacity)
    }

    /// Takes ownership of a list librdkafka returned.
    init(adopting pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        self.pointer = pointer
    }

    deinit { rd_kafka_topic_partition_list_destroy(pointer) }

    func add(topic: String, partition: Int32, offset: Int64? = nil) {
        let element = rd_kafka_topic_partition_list_add(pointer, topic, partition)!
        if let offset { element.pointee.offset = offset }
    }

    func withPointer<T>(_ body: (UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) throws -> T) rethrows -> T {
        try body(pointer)
    }

    var elements: [KafkaTopicPartitionOffset] { Self.elements(of: pointer) }

    /// The elements of a list librdkafka owns.
    static func elements(of pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> [KafkaTopicPartitionOffset] {
        (0..<Int(pointer.pointee.cnt)).map { index in
            let element = pointer.pointee.elems[index]
            return KafkaTopicPartitionOffset(topic: String(cString: element.topic),
                                             partition: element.partition, offset: element.offset)
        }
    }
}
