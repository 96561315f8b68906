import CRdKafka
import Logging
import SluiceSupport

/// What the cluster says about itself: brokers and topics.
public struct KafkaClusterMetadata: Sendable {
    public struct Broker: Sendable, Hashable {
        public var id: Int32
        public var host: String
        public var port: Int
    }

    public struct Topic: Sendable, Hashable {
        public var name: String
        public var partitions: [Int32]
    }

    public var brokers: [Broker]
    public var topics: [Topic]

    /// Reads the metadata of every topic through a short-lived client.
    public static func fetch(configuration: KafkaConfiguration, timeout: Duration = .seconds(10),
                             logger: Logger = Logger(label: "sluice.kafka.metadata")) throws -> KafkaClusterMetadata {
        let client = try RDKafkaClient(kind: .producer, properties: configuration.resolved(defaults: [:]),
                                       logger: logger)
        return try fetch(client: client, bootstrap: configuration.bootstrapServers, timeout: timeout)
    }

    /// Reads the metadata of every topic through an existing consumer's connection (no new client).
    public static func fetch(consumer: KafkaConsumer, timeout: Duration = .seconds(10)) throws -> KafkaClusterMetadata {
        try fetch(client: consumer.client, bootstrap: consumer.configuration.bootstrapServers, timeout: timeout)
    }

    static func fetch(client: RDKafkaClient, bootstrap: String, timeout: Duration) throws -> KafkaClusterMetadata {
        var metadataPointer: UnsafePointer<rd_kafka_metadata>?
        let result = client.withHandle { rd_kafka_metadata($0, 1, nil, &metadataPointer, Int32(timeout.milliseconds)) }
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR, let metadataPointer else {
            var message = "cannot read cluster metadata from \(bootstrap)"
            if let problem = client.events.connectionProblem { message += " (\(problem))" }
            let code: KafkaError.Code = result == RD_KAFKA_RESP_ERR__TRANSPORT || result == RD_KAFKA_RESP_ERR__TIMED_OUT
                ? .unreachable : KafkaError.classify(result)
            throw KafkaError(result, message, code: code)
        }
        defer { rd_kafka_metadata_destroy(metadataPointer) }
        let metadata = metadataPointer.pointee
        let brokers = (0..<Int(metadata.broker_cnt)).map { index in
            let broker = metadata.brokers[index]
            return Broker(id: broker.id, host: String(cString: broker.host), port: Int(broker.port))
        }
        let topics = (0..<Int(metadata.topic_cnt)).map { index in
            let topic = metadata.topics[index]
            return Topic(name: String(cString: topic.topic),
                         partitions: (0..<Int(topic.partition_cnt)).map { topic.partitions[$0].id })
        }
        return KafkaClusterMetadata(brokers: brokers.sorted { $0.id < $1.id }, topics: topics.sorted { $0.name < $1.name })
    }
}
