import Foundation
import Kafka
import Pipeline
import SluiceTestSupport
import Testing

/// Producer and consumer group against the dev cluster, over TCP.
@Suite struct KafkaRoundTripTests {
    @Test func tenThousandKeyedMessagesArriveInOrderPerPartition() async throws {
        let configuration = try TestStack.config().kafka()
        let topic = "test-roundtrip-\(UUID().uuidString.prefix(8))"
        let count = 10_000

        let producer = try KafkaProducer(configuration: configuration)
        for index in 0..<count {
            try producer.send(topic: topic, key: Array("key-\(index % 97)".utf8), value: Array(String(index).utf8))
        }
        try producer.flush(timeout: .seconds(60))
        #expect(producer.deliveredCount == count)

        let group = "test-group-\(UUID().uuidString.prefix(8))"
        let consumer = try KafkaConsumer(configuration: configuration, groupID: group)
        try consumer.subscribe(topics: [topic])
        var received: [KafkaMessage] = []
        let deadline = Date().addingTimeInterval(90)
        for try await message in consumer.messages() {
            received.append(message)
            if received.count >= count || Date() > deadline { break }
        }
        #expect(received.count == count)
        #expect(Set(received.map { String(decoding: $0.value ?? [], as: UTF8.self) }).count == count)

        // Offsets grow within each partition, and each key stays in one
        // partition with its values in the order they were produced.
        var lastOffset: [Int32: Int64] = [:]
        var lastValueByKey: [String: Int] = [:]
        var partitionByKey: [String: Int32] = [:]
        for message in received {
            #expect(message.offset > lastOffset[message.partition, default: -1])
            lastOffset[message.partition] = message.offset
            let key = String(decoding: message.key ?? [], as: UTF8.self)
            let value = Int(String(decoding: message.value ?? [], as: UTF8.self))!
            #expect(value > lastValueByKey[key, default: -1], "key \(key) out of order")
            lastValueByKey[key] = value
            #expect(partitionByKey[key, default: message.partition] == message.partition)
            partitionByKey[key] = message.partition
        }
        #expect(lastOffset.count > 1, "a topic of the dev cluster has several partitions")

        // Commit what was read; a new member of the same group starts after it.
        try consumer.commit(lastOffset.map { KafkaTopicPartitionOffset(topic: topic, partition: $0.key, offset: $0.value + 1) })
        consumer.close()
        try producer.send(topic: topic, key: Array("after".utf8), value: Array("after-commit".utf8))
        try producer.flush()
        let second = try KafkaConsumer(configuration: configuration, groupID: group)
        try second.subscribe(topics: [topic])
        var afterCommit: [KafkaMessage] = []
        let secondDeadline = Date().addingTimeInterval(60)
        while afterCommit.isEmpty && Date() < secondDeadline {
            afterCommit += try second.poll(maxMessages: 100, timeout: .milliseconds(500))
        }
        #expect(afterCommit.map { String(decoding: $0.value ?? [], as: UTF8.self) } == ["after-commit"])
    }

    @Test func clusterMetadataListsTheBrokers() throws {
        let metadata = try KafkaClusterMetadata.fetch(configuration: try TestStack.config().kafka())
        #expect(metadata.brokers.count == 3)
    }

    @Test func unreachableBootstrapIsAClearError() throws {
        let error = #expect(throws: KafkaError.self) {
            try KafkaClusterMetadata.fetch(configuration: KafkaConfiguration(bootstrapServers: "127.0.0.1:1"),
                                           timeout: .seconds(2))
        }
        #expect(error?.code == .unreachable)
        #expect(error?.summary.contains("KAFKA_BOOTSTRAP_SERVERS") == true)
    }
}
