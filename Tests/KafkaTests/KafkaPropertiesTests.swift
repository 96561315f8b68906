import Foundation
import Kafka
import Pipeline
import SluiceTestSupport
import Testing

/// librdkafka properties from `KAFKA_<PROPERTY>` variables reach the clients, and secrets stay
/// masked. The dev cluster has no TLS or SASL, so what is checked is that librdkafka acts on the
/// settings (a CA file it cannot load stops the client; a property it does not know is refused).
@Suite struct KafkaPropertiesTests {
    @Test func securitySettingsReachLibrdkafka() throws {
        let missing = "/nonexistent/\(UUID().uuidString)/ca.pem"
        let config = try TestStack.config()
        var kafka = try config.kafka()
        kafka.properties = ["security.protocol": "SSL", "ssl.ca.location": missing]
        let error = #expect(throws: KafkaError.self) { _ = try KafkaProducer(configuration: kafka) }
        #expect(error?.message.contains("ssl.ca.location") == true, "\(error?.message ?? "")")

        // The same through the CLI's configuration: the variables become properties.
        let result = try runSluice(["extract", "--topic-prefix", "props-\(UUID().uuidString.prefix(6))"],
                                   environment: ["KAFKA_SECURITY_PROTOCOL": "SSL", "KAFKA_SSL_CA_LOCATION": missing])
        #expect(result.status != 0)
        #expect(result.standardError.contains("ssl.ca.location"), "\(result.standardError)")
    }

    @Test func configShowsPropertiesWithSecretsMasked() throws {
        let secret = "hunter2-\(UUID().uuidString.prefix(6))"
        let result = try runSluice(["config"], environment: ["KAFKA_SASL_USERNAME": "etl", "KAFKA_SASL_PASSWORD": secret,
                                                             "KAFKA_SECURITY_PROTOCOL": "SASL_SSL"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("kafka sasl.username"))
        #expect(result.standardOutput.contains("SASL_SSL"))
        #expect(result.standardOutput.contains("kafka sasl.password"))
        #expect(!result.standardOutput.contains(secret))
        #expect(!result.standardError.contains(secret))

        let bad = try runSluice(["extract", "--topic-prefix", "props-bad"], environment: ["KAFKA_SASL_MECHANISM": "PLAIN", "KAFKA_NOT_A_PROPERTY": secret])
        #expect(bad.status != 0)
        #expect(bad.standardError.contains("KAFKA_NOT_A_PROPERTY"), "\(bad.standardError)")
        #expect(!bad.standardError.contains(secret))
    }
}
