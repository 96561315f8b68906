import CRdKafka
import Foundation
import Logging
import SluiceSupport

/// Publishes messages to Kafka. Idempotent (no duplicates or reordering on
/// retry), lz4-compressed and batched by default.
///
/// `send` enqueues and returns; `flush` waits until every enqueued message has
/// a delivery report and throws if any failed. A caller that checkpoints
/// (extract) flushes first, so a checkpoint never runs ahead of delivery.
public final class KafkaProducer: Sendable {
    let client: RDKafkaClient
    public let configuration: KafkaConfiguration

    /// Sluice's producer defaults; `configuration.properties` overrides them.
    public static let defaultProperties: [String: String] = [
        "enable.idempotence": "true",
        "acks": "all",
        "compression.type": "lz4",
        "linger.ms": "20",
        "batch.num.messages": "10000",
        "queue.buffering.max.kbytes": "65536",
        "message.timeout.ms": "60000",
    ]

    public init(configuration: KafkaConfiguration, logger: Logger = Logger(label: "sluice.kafka.producer")) throws {
        self.configuration = configuration
        self.client = try RDKafkaClient(kind: .producer,
                                        properties: configuration.resolved(defaults: Self.defaultProperties),
                                        logger: logger)
    }

    /// Enqueues one message. `value == nil` sends a tombstone. Blocks (serving
    /// delivery reports) while librdkafka's local queue is full. Throws the
    /// first delivery failure seen so far, so a broken stream stops early.
    /// `headers` travel with the message (name, value bytes).
    public func send(topic: String, key: [UInt8]?, value: [UInt8]?, partition: Int32? = nil,
                     headers: [(name: String, value: [UInt8])] = []) throws {
        try throwIfDeliveryFailed()
        try client.withHandle { rk in
            while true {
                let list = Self.headerList(headers)
                let result = key.withOptionalBytes { keyPointer, keyCount in
                    value.withOptionalBytes { valuePointer, valueCount in
                        sluice_rd_kafka_produce(rk, topic, partition ?? RD_KAFKA_PARTITION_UA,
                                                keyPointer, keyCount, valuePointer, valueCount, list)
                    }
                }
                // On success librdkafka owns the list; otherwise it is still ours.
                if result != RD_KAFKA_RESP_ERR_NO_ERROR, let list { rd_kafka_headers_destroy(list) }
                switch result {
                case RD_KAFKA_RESP_ERR_NO_ERROR:
                    rd_kafka_poll(rk, 0)
                    return
                case RD_KAFKA_RESP_ERR__QUEUE_FULL:
                    rd_kafka_poll(rk, 50)
                default:
                    throw KafkaError(result, "cannot enqueue a message for \(topic)")
                }
            }
        }
    }

    /// A librdkafka header list (`nil` for none).
    static func headerList(_ headers: [(name: String, value: [UInt8])]) -> OpaquePointer? {
        guard !headers.isEmpty, let list = rd_kafka_headers_new(headers.count) else { return nil }
        for header in headers {
            _ = header.value.withUnsafeBytes { rd_kafka_header_add(list, header.name, -1, $0.baseAddress, $0.count) }
        }
        return list
    }

    /// Waits until every enqueued message is delivered (or failed) and throws
    /// if any failed. `timeout` bounds the wait.
    public func flush(timeout: Duration = .seconds(60)) throws {
        let result = client.withHandle { rd_kafka_flush($0, Int32(timeout.milliseconds)) }
        if result == RD_KAFKA_RESP_ERR__TIMED_OUT {
            let reason = client.events.connectionProblem.map { ": \($0)" } ?? ""
            throw KafkaError(code: .timeout, rawCode: result.rawValue,
                             message: "messages not delivered to \(configuration.bootstrapServers) within \(timeout)\(reason)")
        }
        try throwIfDeliveryFailed()
    }

    /// Looks up (and, where the cluster auto-creates topics, creates) each
    /// topic up front, so the first message to a topic does not wait for
    /// librdkafka's periodic metadata refresh (about a second per new topic).
    public func prepareTopics(_ topics: [String], timeout: Duration = .seconds(10)) throws {
        try client.withHandle { rk in
            for topic in topics {
                guard let handle = rd_kafka_topic_new(rk, topic, nil) else { continue }
                defer { rd_kafka_topic_destroy(handle) }
                var metadata: UnsafePointer<rd_kafka_metadata>?
                let result = rd_kafka_metadata(rk, 0, handle, &metadata, Int32(timeout.milliseconds))
                if let metadata { rd_kafka_metadata_destroy(metadata) }
                if result != RD_KAFKA_RESP_ERR_NO_ERROR {
                    throw KafkaError(result, "cannot look up topic \(topic) at \(configuration.bootstrapServers)")
                }
            }
        }
    }

    /// Messages with a successful delivery report so far.
    public var deliveredCount: Int { client.events.delivered }

    /// Messages enqueued but not yet reported delivered or failed.
    public var inFlightCount: Int { Int(client.withHandle { rd_kafka_outq_len($0) }) }

    private func throwIfDeliveryFailed() throws {
        if let error = client.events.firstDeliveryError {
            throw KafkaError(error, "delivery to \(configuration.bootstrapServers) failed", code: .delivery)
        }
    }
}

extension Optional where Wrapped == [UInt8] {
    /// Lends the bytes (or `nil, 0`) to a C call.
    func withOptionalBytes<R>(_ body: (UnsafeRawPointer?, Int) -> R) -> R {
        switch self {
        case .none: return body(nil, 0)
        case .some(let bytes): return bytes.withUnsafeBytes { body($0.baseAddress, $0.count) }
        }
    }
}
