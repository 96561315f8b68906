import CRdKafka
import Logging
import SluiceSupport

/// A Kafka-protocol cluster for development and tests, hosted in this process
/// by librdkafka's mock cluster. Clients reach it over TCP at
/// `bootstrapServers` exactly as they would a real cluster. Everything is in
/// memory: topics and committed offsets vanish with the process.
public final class KafkaDevCluster: @unchecked Sendable {
    // The mock cluster is owned by this rd_kafka_t handle; the mock API is
    // thread-safe, which makes the `@unchecked Sendable` sound.
    private let client: RDKafkaClient
    private let cluster: OpaquePointer

    /// Bootstrap list of the cluster's brokers, `127.0.0.1:port,…`.
    public let bootstrapServers: String
    public let brokerCount: Int

    /// Starts `brokers` brokers listening on ephemeral loopback ports.
    public init(brokers: Int, logger: Logger = Logger(label: "sluice.dev-kafka")) throws {
        precondition(brokers > 0, "a cluster needs at least one broker")
        client = try RDKafkaClient(kind: .producer, properties: [:], logger: logger)
        guard let cluster = client.withHandle({ rd_kafka_mock_cluster_new($0, Int32(brokers)) }) else {
            throw KafkaError(code: .other, message: "the mock cluster could not start")
        }
        self.cluster = cluster
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
        self.brokerCount = brokers
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
    }

    /// Creates a topic with an explicit partition count (auto-created topics get the mock's default).
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) throws {
        let result = rd_kafka_mock_topic_create(cluster, name, Int32(partitions), Int32(replicationFactor))
        if result != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(result, "cannot create topic \(name)")
        }
    }

    /// Takes a broker down (connections refused) or brings it back, for failure tests.
    public func setBroker(_ id: Int32, up: Bool) throws {
        let result = up ? rd_kafka_mock_broker_set_up(cluster, id) : rd_kafka_mock_broker_set_down(cluster, id)
        if result != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(result, "cannot change broker \(id)")
        }
    }
}
