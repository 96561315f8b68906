import Foundation
import ArgumentParser
import Logging
import Pipeline

/// The connection flags every command accepts. Each one overrides the
/// environment variable of the same meaning (see `sluice config`).
struct ConnectionOptions: ParsableArguments {
    @Option(name: .customLong("mysql-host"), help: "MySQL host (MYSQL_HOST).") var mysqlHost: String?
    @Option(name: .customLong("mysql-port"), help: "MySQL port (MYSQL_PORT).") var mysqlPort: String?
    @Option(name: .customLong("mysql-user"), help: "MySQL user (MYSQL_USER).") var mysqlUser: String?
    @Option(name: .customLong("mysql-password"), help: "MySQL password (MYSQL_PASSWORD); prefer MYSQL_PASSWORD_FILE or the environment: flags show in process lists.") var mysqlPassword: String?
    @Option(name: .customLong("mysql-database"), help: "Source database (MYSQL_DATABASE).") var mysqlDatabase: String?
    @Option(name: .customLong("mysql-ssl-mode"), help: "disabled, preferred, required, verify_ca or verify_identity (MYSQL_SSL_MODE).") var mysqlSSLMode: String?
    @Option(name: .customLong("mysql-ssl-ca"), help: "CA PEM file for the MySQL server's certificate (MYSQL_SSL_CA).") var mysqlSSLCA: String?
    @Option(name: .customLong("mysql-ssl-cert"), help: "Client certificate PEM file (MYSQL_SSL_CERT).") var mysqlSSLCert: String?
    @Option(name: .customLong("mysql-ssl-key"), help: "Client key PEM file (MYSQL_SSL_KEY).") var mysqlSSLKey: String?
    @Option(name: .customLong("mysql-server-public-key"), help: "MySQL server's RSA public key PEM (MYSQL_SERVER_PUBLIC_KEY), for caching_sha2_password without TLS.") var mysqlServerPublicKey: String?
    @Option(name: .customLong("server-id"), help: "Replica server_id for reading the binlog, unique among the source's replicas (SLUICE_SERVER_ID; default: derived from the topic prefix).") var serverID: String?
    @Option(name: .customLong("zero-dates"), help: "null or stop: a MySQL date with no calendar day arrives as NULL, or stops its table (SLUICE_ZERO_DATES; default null).") var zeroDates: String?
    @Option(name: .customLong("kafka-bootstrap-servers"), help: "Kafka bootstrap servers (KAFKA_BOOTSTRAP_SERVERS).") var kafkaBootstrapServers: String?
    @Option(name: .customLong("kafka-property"), help: ArgumentHelp("A librdkafka property as name=value, repeatable (or KAFKA_<NAME> variables, e.g. KAFKA_SECURITY_PROTOCOL).", valueName: "name=value"))
    var kafkaProperties: [String] = []
    @Option(name: .customLong("s3-endpoint"), help: "S3 endpoint URL (S3_ENDPOINT).") var s3Endpoint: String?
    @Option(name: .customLong("s3-bucket"), help: "Lake bucket (S3_BUCKET).") var s3Bucket: String?
    @Option(name: .customLong("aws-region"), help: "S3 region (AWS_REGION).") var awsRegion: String?
    @Option(name: .customLong("aws-access-key-id"), help: "S3 access key (AWS_ACCESS_KEY_ID).") var awsAccessKeyID: String?
    @Option(name: .customLong("aws-secret-access-key"), help: "S3 secret (AWS_SECRET_ACCESS_KEY); prefer AWS_SECRET_ACCESS_KEY_FILE or the environment.") var awsSecretAccessKey: String?
    @Option(name: .customLong("aws-ca-bundle"), help: "CA PEM file for an https S3 endpoint (AWS_CA_BUNDLE).") var awsCABundle: String?
    @Option(name: .customLong("warehouse-url"), help: "postgres:// URL of the warehouse (WAREHOUSE_URL); keep the password in WAREHOUSE_PASSWORD_FILE or the environment.") var warehouseURL: String?
    @Option(name: .customLong("warehouse-sslmode"), help: "disable, allow, prefer, require, verify-ca or verify-full (PGSSLMODE).") var warehouseSSLMode: String?
    @Option(name: .customLong("warehouse-sslrootcert"), help: "CA PEM file for the warehouse's certificate (PGSSLROOTCERT).") var warehouseSSLRootCert: String?
    @Option(name: .customLong("model"), help: "Model file, YAML: the star, verify's checks, the report (SLUICE_MODEL).") var model: String?
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (SLUICE_LOG_LEVEL).")
    var logLevel: String?
    @Option(name: .customLong("log-format"), help: "text (default) or json: one JSON object per line with time, level, stage, table, message, fields (SLUICE_LOG_FORMAT).")
    var logFormat: String?

    /// The flags that were given, keyed by setting.
    var flags: [String: String] {
        let pairs: [(Setting, String?)] = [
            (.mysqlHost, mysqlHost), (.mysqlPort, mysqlPort), (.mysqlUser, mysqlUser),
            (.mysqlPassword, mysqlPassword), (.mysqlDatabase, mysqlDatabase),
            (.mysqlSSLMode, mysqlSSLMode), (.mysqlSSLCA, mysqlSSLCA), (.mysqlSSLCert, mysqlSSLCert), (.mysqlSSLKey, mysqlSSLKey),
            (.mysqlServerPublicKey, mysqlServerPublicKey), (.serverID, serverID), (.zeroDates, zeroDates),
            (.kafkaBootstrap, kafkaBootstrapServers), (.s3Endpoint, s3Endpoint), (.s3Bucket, s3Bucket),
            (.awsRegion, awsRegion), (.awsAccessKeyID, awsAccessKeyID), (.awsSecretAccessKey, awsSecretAccessKey),
            (.awsCABundle, awsCABundle),
            (.warehouseURL, warehouseURL), (.warehouseSSLMode, warehouseSSLMode), (.warehouseSSLRootCert, warehouseSSLRootCert),
            (.model, model),
        ]
        return Dictionary(uniqueKeysWithValues: pairs.compactMap { setting, value in value.map { (setting.key, $0) } })
    }

    func validate() throws {
        if let logLevel, Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        if let format = logFormat ?? ProcessInfo.processInfo.environment["SLUICE_LOG_FORMAT"], !["text", "json"].contains(format) {
            throw ValidationError("--log-format must be text or json (got \(format))")
        }
    }

    /// Sets up logging and loads the effective configuration.
    func load() throws -> SluiceConfig {
        CommandLogging.bootstrap(level: logLevel, format: logFormat)
        let config = try SluiceConfig.load(flags: flags, kafkaProperties: kafkaProperties)
        let logger = Logger(label: "sluice.config")
        for warning in config.warnings { logger.warning("\(warning)") }
        return config
    }
}
