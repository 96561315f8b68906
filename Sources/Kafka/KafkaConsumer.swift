import CRdKafka
import Foundation
import Logging
import SluiceSupport

/// A member of a Kafka consumer group.
///
/// Offsets are never committed automatically: the caller commits what it has
/// made durable (`commit`), which is what gives Sluice's stages their
/// delivery guarantees. Rebalances are handled by librdkafka while polling.
public final class KafkaConsumer: Sendable {
    let client: RDKafkaClient
    public let configuration: KafkaConfiguration
    public let groupID: String

    /// Sluice's consumer defaults; `configuration.properties` overrides them.
    /// The short session and poll timeouts make rebalances quick (see the README).
    public static let defaultProperties: [String: String] = [
        "enable.auto.commit": "false",
        "enable.auto.offset.store": "false",
        "auto.offset.reset": "earliest",
        "session.timeout.ms": "6000",
        "heartbeat.interval.ms": "500",
        "max.poll.interval.ms": "60000",
        "partition.assignment.strategy": "range,roundrobin",
        // Bounds librdkafka's prefetch queue (default 64 MiB) so memory follows batch sizes.
        "queued.max.messages.kbytes": "32768",
    ]

    public init(configuration: KafkaConfiguration, groupID: String,
                logger: Logger = Logger(label: "sluice.kafka.consumer")) throws {
        self.configuration = configuration
        self.groupID = groupID
        var defaults = Self.defaultProperties
        defaults["group.id"] = groupID
        self.client = try RDKafkaClient(kind: .consumer,
                                        properties: configuration.resolved(defaults: defaults),
                                        logger: logger)
        client.withHandle { _ = rd_kafka_poll_set_consumer($0) }
    }

    private let closed = ClosedFlag()

    deinit {
        close()
    }

    /// Leaves the group at once (so the others rebalance without waiting for
    /// this member to time out). Further polls fail. Safe to call twice.
    public func close() {
        guard closed.setOnce() else { return }
        client.withHandle { _ = rd_kafka_consumer_close($0) }
    }

    /// Joins the group for these topics (replacing any earlier subscription).
    public func subscribe(topics: [String]) throws {
        let list = RDKafkaTopicPartitionList()
        for topic in topics { list.add(topic: topic, partition: RD_KAFKA_PARTITION_UA) }
        let result = client.withHandle { rk in list.withPointer { rd_kafka_subscribe(rk, $0) } }
        if result != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(result, "cannot subscribe to \(topics.joined(separator: ", "))")
        }
    }

    /// Waits up to `timeout` for the first message, then takes whatever else is
    /// ready, up to `maxMessages`. Returns an empty array when nothing arrived.
    /// Blocking: call it from a thread of your own or through `messages`.
    public func poll(maxMessages: Int = 1000, timeout: Duration = .milliseconds(100)) throws -> [KafkaMessage] {
        var batch: [KafkaMessage] = []
        var wait = Int32(timeout.milliseconds)
        if let problem = client.events.takeAssignmentError() {
            throw KafkaError(code: .consume, rawCode: 0, message: problem)
        }
        try client.withHandle { rk in
            while batch.count < maxMessages, let message = rd_kafka_consumer_poll(rk, wait) {
                defer { rd_kafka_message_destroy(message) }
                wait = 0
                let error = message.pointee.err
                if error == RD_KAFKA_RESP_ERR__PARTITION_EOF { continue }
                if error != RD_KAFKA_RESP_ERR_NO_ERROR {
                    throw KafkaConsumer.error(from: message)
                }
                batch.append(KafkaMessage(message))
            }
        }
        if let problem = client.events.takeAssignmentError() {
            throw KafkaError(code: .consume, rawCode: 0, message: problem)
        }
        return batch
    }

    /// Commits the given positions (the next offset to read) synchronously.
    public func commit(_ offsets: [KafkaTopicPartitionOffset]) throws {
        guard !offsets.isEmpty else { return }
        let list = RDKafkaTopicPartitionList()
        for position in offsets { list.add(topic: position.topic, partition: position.partition, offset: position.offset) }
        let result = client.withHandle { rk in list.withPointer { rd_kafka_commit(rk, $0, 0) } }
        if result != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(result, "cannot commit offsets for group \(groupID)", code: .commit)
        }
    }

    /// Runs `hook` inside every revoke (on the thread that polls), before the partitions leave this
    /// member. The group's rebalance waits for it, so work begun on them (an upload of what was
    /// read) can finish before a new owner starts reading them. Set it before `subscribe`.
    public func beforeRevoke(_ hook: @escaping @Sendable (Set<TopicPartition>) -> Void) {
        client.events.setBeforeRevoke(hook)
    }

    /// Partitions taken from this member by rebalances since the last call:
    /// work buffered for them must be dropped, never committed.
    public func takeRevoked() -> Set<TopicPartition> { client.events.takeRevoked() }

    /// Partitions given to this member since the last call, with the offset each starts at.
    public func takeAssigned() -> [TopicPartition: Int64] { client.events.takeAssignedStarts() }

    /// The partitions this member owns now (from the last rebalance; no broker call).
    public var ownedPartitions: Set<TopicPartition> { client.events.assignment }

    /// The partitions this member owns right now.
    public func assignment() throws -> [KafkaTopicPartitionOffset] {
        var pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        let result = client.withHandle { rd_kafka_assignment($0, &pointer) }
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR, let pointer else {
            throw KafkaError(result, "cannot read the assignment")
        }
        return RDKafkaTopicPartitionList(adopting: pointer).elements
    }

    /// The messages of the subscription as an async sequence. Each step
    /// polls a batch off the cooperative pool; nothing is fetched ahead of
    /// what the consumer of the sequence asks for beyond librdkafka's own
    /// bounded prefetch queue, which is the backpressure.
    public func messages(batchSize: Int = 1000) -> KafkaMessageSequence {
        KafkaMessageSequence(consumer: self, batchSize: batchSize)
    }

    static func error(from message: UnsafeMutablePointer<rd_kafka_message_t>) -> KafkaError {
        let error = message.pointee.err
        var where_ = ""
        if let topic = message.pointee.rkt {
            where_ = " (\(String(cString: rd_kafka_topic_name(topic)))[\(message.pointee.partition)]"
                + " at offset \(message.pointee.offset))"
        }
        var detail = String(cString: rd_kafka_err2str(error))
        if let payload = message.pointee.payload, message.pointee.len > 0 {
            detail = String(decoding: UnsafeRawBufferPointer(start: payload, count: message.pointee.len), as: UTF8.self)
        }
        return KafkaError(code: KafkaError.classify(error) == .other ? .consume : KafkaError.classify(error),
                          rawCode: error.rawValue, message: "consume failed\(where_): \(detail)")
    }
}

extension KafkaMessage {
    init(_ message: UnsafeMutablePointer<rd_kafka_message_t>) {
        let m = message.pointee
        let topic = m.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        let key = m.key.map { Array(UnsafeRawBufferPointer(start: $0, count: m.key_len)) }
        let value = m.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: m.len)) }
        var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &type)
        self.init(topic: topic, partition: m.partition, offset: m.offset, key: key, value: value,
                  timestampMilliseconds: type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : timestamp)
        var list: OpaquePointer?
        if rd_kafka_message_headers(message, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list {
            var index = 0
            var name: UnsafePointer<CChar>?
            var bytes: UnsafeRawPointer?
            var size = 0
            while rd_kafka_header_get_all(list, index, &name, &bytes, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                headers.append(Header(name: name.map { String(cString: $0) } ?? "",
                                      value: bytes.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) } ?? []))
                index += 1
            }
        }
    }
}

/// `KafkaConsumer.messages()`: an `AsyncSequence` of messages, polled in batches.
public struct KafkaMessageSequence: AsyncSequence, Sendable {
    public typealias Element = KafkaMessage
    let consumer: KafkaConsumer
    let batchSize: Int

    public func makeAsyncIterator() -> Iterator { Iterator(consumer: consumer, batchSize: batchSize) }

    public struct Iterator: AsyncIteratorProtocol {
        let consumer: KafkaConsumer
        let batchSize: Int
        var buffer: [KafkaMessage] = []
        var index = 0

        public mutating func next() async throws -> KafkaMessage? {
            while index == buffer.count {
                try Task.checkCancellation()
                let consumer = self.consumer, batchSize = self.batchSize
                buffer = try await runBlocking { try consumer.poll(maxMessages: batchSize, timeout: .milliseconds(200)) }
                index = 0
            }
            defer { index += 1 }
            return buffer[index]
        }
    }
}

/// Remembers that `close` ran.
final class ClosedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var set = false
    /// True for the first caller only.
    func setOnce() -> Bool { lock.withLock { defer { set = true }; return !set } }
}
