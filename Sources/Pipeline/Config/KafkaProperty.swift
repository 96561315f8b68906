import Kafka
import SluiceSupport

/// A librdkafka property given by the user: `KAFKA_<PROPERTY>` in the environment or `.env`
/// (`KAFKA_SECURITY_PROTOCOL=SASL_SSL` → `security.protocol`), `KAFKA_<PROPERTY>_FILE` for a
/// secret in a file, or `--kafka-property name=value`.
public struct KafkaProperty: Sendable, Hashable {
    /// The librdkafka name, e.g. `sasl.mechanisms`.
    public var name: String
    public var value: String
    public var origin: SluiceConfig.Origin

    public var isSecret: Bool { KafkaConfiguration.isSecretProperty(name) }
    /// The value as it may be shown.
    public var displayValue: String { isSecret ? Secret.mask(value) : value }

    /// Variables that start with `KAFKA_` but belong to Kafka's own scripts or to Sluice, not to librdkafka.
    static let notProperties: Set<String> = [
        "KAFKA_BOOTSTRAP_SERVERS", "KAFKA_HOME", "KAFKA_OPTS", "KAFKA_HEAP_OPTS", "KAFKA_JVM_PERFORMANCE_OPTS",
        "KAFKA_JMX_OPTS", "KAFKA_LOG4J_OPTS", "KAFKA_GC_LOG_OPTS", "KAFKA_DEBUG", "KAFKA_CLUSTER_ID",
    ]

    /// `KAFKA_SASL_USERNAME` → `sasl.username`; `nil` for variables that are not properties.
    static func propertyName(variable: String) -> String? {
        guard variable.hasPrefix("KAFKA_"), !notProperties.contains(variable), variable.count > 6 else { return nil }
        return variable.dropFirst(6).lowercased().replacingOccurrences(of: "_", with: ".")
    }

    /// Every property from the layers, highest first: flags, environment, `.env`.
    static func collect(flags: [String], environment: [String: String], dotEnv: [String: String],
                        dotEnvPath: String) throws -> [KafkaProperty] {
        var found: [String: KafkaProperty] = [:]
        func take(_ layer: [String: String], origin: (String) -> SluiceConfig.Origin) throws {
            for (variable, value) in layer.sorted(by: { $0.key < $1.key }) {
                if variable.hasSuffix("_FILE"), let name = propertyName(variable: String(variable.dropLast(5))) {
                    if found[name] == nil {
                        found[name] = KafkaProperty(name: name, value: try SecretFile.read(value, variable: variable),
                                                    origin: .file(path: value, variable: variable))
                    }
                } else if let name = propertyName(variable: variable), found[name] == nil {
                    found[name] = KafkaProperty(name: name, value: value, origin: origin(variable))
                }
            }
        }
        for flag in flags {
            guard let equals = flag.firstIndex(of: "="), equals != flag.startIndex else {
                throw ConfigError("--kafka-property \(flag.contains("=") ? "" : flag) must be name=value, e.g. --kafka-property security.protocol=SASL_SSL")
            }
            let name = String(flag[..<equals]).trimmingCharacters(in: .whitespaces)
            found[name] = KafkaProperty(name: name, value: String(flag[flag.index(after: equals)...]),
                                        origin: .flag("--kafka-property"))
        }
        try take(environment) { .environment($0) }
        try take(dotEnv) { .dotEnv(path: dotEnvPath, name: $0) }
        return found.values.sorted { $0.name < $1.name }
    }
}
