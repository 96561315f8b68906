import CRdKafka

/// Settings shared by every Kafka client Sluice creates.
///
/// `properties` are passed to librdkafka as they are (see its CONFIGURATION.md),
/// after Sluice's own defaults, so any librdkafka property can be overridden.
public struct KafkaConfiguration: Sendable {
    /// `host:port[,host:port…]`. Default `localhost:9092`.
    public var bootstrapServers: String = "localhost:9092"
    /// Shown in broker logs. Default `sluice`.
    public var clientID: String = "sluice"
    /// Extra librdkafka properties; they win over Sluice's defaults.
    public var properties: [String: String] = [:]

    public init(bootstrapServers: String = "localhost:9092", clientID: String = "sluice",
                properties: [String: String] = [:]) {
        self.bootstrapServers = bootstrapServers
        self.clientID = clientID
        self.properties = properties
    }

    /// The properties handed to librdkafka: base, then Sluice's role defaults, then the user's.
    func resolved(defaults: [String: String]) -> [String: String] {
        var all = ["bootstrap.servers": bootstrapServers, "client.id": clientID]
        all.merge(defaults) { _, new in new }
        all.merge(properties) { _, new in new }
        return all
    }
}

extension KafkaConfiguration {
    /// Whether a librdkafka property holds a secret (passwords, SASL/JAAS and OAuth settings, PEM
    /// keys): its value is masked wherever Sluice shows it.
    public static func isSecretProperty(_ name: String) -> Bool {
        let name = name.lowercased()
        return ["password", "secret", "jaas", "oauthbearer.config", "key.pem", "token"].contains { name.contains($0) }
    }

    /// Checks every property with librdkafka without connecting; throws on the first one it rejects
    /// (an unknown name or a bad value), with secret values masked.
    public func validate() throws {
        let conf = try RDKafkaClient.makeConfiguration(resolved(defaults: [:]))
        rd_kafka_conf_destroy(conf)
    }
}
