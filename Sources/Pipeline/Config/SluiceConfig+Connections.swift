import Foundation
import Kafka
import MySQL
import S3
import SluiceSupport
import Warehouse

/// Typed connection settings for each server, built from the effective configuration.
extension SluiceConfig {
    /// The source database connection.
    public func mysql() throws -> MySQLConnection.Configuration {
        var settings = MySQLConnection.Configuration(
            host: try required(.mysqlHost), port: try integer(.mysqlPort, in: 1...65535),
            user: try required(.mysqlUser), password: Secret(self[.mysqlPassword] ?? ""),
            database: try required(.mysqlDatabase))
        let mode = try choice(.mysqlSSLMode, MySQLConnection.TLS.Mode.self)
        settings.tls = MySQLConnection.TLS(mode: mode, ca: try file(.mysqlSSLCA), cert: try file(.mysqlSSLCert),
                                           key: try file(.mysqlSSLKey))
        settings.tls.serverPublicKey = try file(.mysqlServerPublicKey)
        if (mode == .verifyCA || mode == .verifyIdentity) && settings.tls.ca == nil {
            throw ConfigError("MYSQL_SSL_MODE=\(mode.rawValue) needs MYSQL_SSL_CA, the PEM file of the CA that signed the server's certificate")
        }
        return settings
    }

    /// The replica server_id extract registers with (`SLUICE_SERVER_ID`), or, unset, one derived
    /// from the topic prefix (`ReplicaServerID.derived`), so pipelines of different prefixes on one
    /// server never disconnect each other.
    public func replicaServerID(topicPrefix: String) throws -> UInt32 {
        guard self[.serverID] != nil else { return ReplicaServerID.derived(fromTopicPrefix: topicPrefix) }
        // The DDL checker uses the id + 1: both must be valid server ids (1 … 2³² − 1).
        return UInt32(try integer(.serverID, in: 1...Int(UInt32.max - 1)))
    }

    /// What extract does with dates that have no calendar day (`SLUICE_ZERO_DATES`).
    public func zeroDatePolicy() throws -> ZeroDatePolicy {
        let text = self[.zeroDates] ?? "null"
        guard let policy = ZeroDatePolicy(rawValue: text.lowercased()) else {
            let origin = resolved[Setting.zeroDates.key]?.origin.description ?? "?"
            throw ConfigError("SLUICE_ZERO_DATES=\(text) (from \(origin)) must be null or stop")
        }
        return policy
    }

    /// MySQL settings for the account that may create databases (`sluice generate`):
    /// the admin account if one is configured, else the regular one.
    public func mysqlAdmin() throws -> MySQLConnection.Configuration {
        var settings = try mysql()
        if let user = self[.mysqlAdminUser], !user.isEmpty {
            settings.user = user
            settings.password = Secret(self[.mysqlAdminPassword] ?? "")
        }
        return settings
    }

    /// The Kafka client settings.
    /// The Kafka client settings, with the user's librdkafka properties (each checked by librdkafka).
    public func kafka() throws -> KafkaConfiguration {
        var settings = KafkaConfiguration(bootstrapServers: try required(.kafkaBootstrap))
        for property in kafkaProperties {
            do {
                try KafkaConfiguration(bootstrapServers: settings.bootstrapServers, properties: [property.name: property.value]).validate()
            } catch let error as KafkaError {
                throw ConfigError("\(error.message) (from \(property.origin)); fix it or unset it (librdkafka's CONFIGURATION.md lists the properties)")
            }
            settings.properties[property.name] = property.value
        }
        return settings
    }

    /// The S3 client settings.
    /// Credentials: static keys when AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY
    /// are set, else the AWS SDKs' chain (web identity, profile, ECS, EC2).
    public func s3() throws -> S3Client.Configuration {
        let region = try s3Region()
        var settings = S3Client.Configuration(endpoint: self[.s3Endpoint], region: region,
                                              credentialSource: try awsCredentialSource(region: region))
        settings.caBundle = try file(.awsCABundle)
        if let bundle = settings.caBundle { try S3Client.checkCABundle(bundle) }
        return settings
    }

    /// The lake's bucket.
    public func bucket() throws -> String { try required(.s3Bucket) }

    /// The warehouse connection.
    public func warehouse() throws -> WarehouseConfiguration {
        var settings = try WarehouseConfiguration(url: try required(.warehouseURL))
        if settings.password.value.isEmpty, let password = self[.warehousePassword] { settings.password = Secret(password) }
        if !settings.sslModeInURL { settings.tls.mode = try choice(.warehouseSSLMode, WarehouseConfiguration.TLS.Mode.self) }
        if !settings.sslRootCertInURL, let rootCert = try file(.warehouseSSLRootCert) { settings.tls.rootCert = rootCert }
        if let rootCert = settings.tls.rootCert, !FileManager.default.isReadableFile(atPath: rootCert) {
            throw ConfigError("sslrootcert \(rootCert) for the warehouse cannot be read; point sslrootcert (URL) or PGSSLROOTCERT at the CA's PEM file")
        }
        return settings
    }

    /// A setting that must be one of an enumeration's raw values.
    func choice<Choice: RawRepresentable & CaseIterable>(_ setting: Setting, _ type: Choice.Type) throws -> Choice where Choice.RawValue == String {
        let text = try required(setting)
        guard let value = Choice(rawValue: text.lowercased()) else {
            let origin = resolved[setting.key]?.origin.description ?? "?"
            throw ConfigError("\(setting.key)=\(text) (from \(origin)) must be one of \(Choice.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    /// A setting naming a file that must be readable, or `nil` when unset.
    func file(_ setting: Setting) throws -> String? {
        guard let path = self[setting], !path.isEmpty else { return nil }
        guard FileManager.default.isReadableFile(atPath: path) else {
            let origin = resolved[setting.key]?.origin.description ?? "?"
            throw ConfigError("\(setting.key)=\(path) (from \(origin)) cannot be read; point it at a readable PEM file")
        }
        return path
    }
}
