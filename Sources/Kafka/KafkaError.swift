import CRdKafka
import SluiceSupport

/// Every failure the Kafka module reports, with a stable `code` and a one-line `summary`.
public struct KafkaError: UserFacingError, Sendable {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let name: String
        public var description: String { name }

        /// A client property was rejected by librdkafka.
        public static let configuration = Code(name: "configuration")
        /// No broker could be reached at the bootstrap address.
        public static let unreachable = Code(name: "unreachable")
        /// A call did not complete in time.
        public static let timeout = Code(name: "timeout")
        /// A produced message could not be delivered.
        public static let delivery = Code(name: "delivery")
        /// Consuming failed (a broker or protocol error on fetch).
        public static let consume = Code(name: "consume")
        /// Data the consumer needed is gone: the offset was removed by retention.
        public static let offsetOutOfRange = Code(name: "offsetOutOfRange")
        /// Committing consumer offsets failed.
        public static let commit = Code(name: "commit")
        /// The topic does not exist.
        public static let unknownTopic = Code(name: "unknownTopic")
        /// An unrecoverable client error (e.g. the idempotent producer was fenced).
        public static let fatal = Code(name: "fatal")
        /// Any other librdkafka error.
        public static let other = Code(name: "other")
    }

    public var code: Code
    /// librdkafka's error code (`rd_kafka_resp_err_t`), 0 when Sluice raised it.
    public var rawCode: Int32
    public var message: String

    public init(code: Code, rawCode: Int32 = 0, message: String) {
        self.code = code
        self.rawCode = rawCode
        self.message = message
    }

    public var summary: String {
        switch code {
        case .unreachable, .timeout:
            return "Kafka: \(message); check KAFKA_BOOTSTRAP_SERVERS and that the brokers are running (scripts/stack up)"
        default:
            return "Kafka: \(message)"
        }
    }

    /// Wraps a librdkafka error code with context.
    init(_ error: rd_kafka_resp_err_t, _ context: String, code: Code? = nil) {
        let text = String(cString: rd_kafka_err2str(error))
        self.init(code: code ?? KafkaError.classify(error), rawCode: error.rawValue,
                  message: "\(context): \(text)")
    }

    static func classify(_ error: rd_kafka_resp_err_t) -> Code {
        switch error {
        case RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT: return .timeout
        case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__RESOLVE: return .unreachable
        case RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE, RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET: return .offsetOutOfRange
        case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART: return .unknownTopic
        case RD_KAFKA_RESP_ERR__FATAL: return .fatal
        default: return .other
        }
    }
}
