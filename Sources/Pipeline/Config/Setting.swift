/// One configuration setting: the environment-variable name people already
/// know, what it means, its default and whether it is a secret.
public struct Setting: Sendable, Hashable {
    /// The name used in the environment, `.env` and the stack file.
    public let key: String
    /// Other environment names accepted for the same setting, in priority order.
    public let aliases: [String]
    public let defaultValue: String?
    public let isSecret: Bool
    /// The command-line flag that sets it.
    public let flag: String
    public let help: String

    init(_ key: String, flag: String, default defaultValue: String?, secret: Bool = false,
         aliases: [String] = [], help: String) {
        self.key = key
        self.aliases = aliases
        self.defaultValue = defaultValue
        self.isSecret = secret
        self.flag = flag
        self.help = help
    }
}

extension Setting {
    public static let mysqlHost = Setting("MYSQL_HOST", flag: "--mysql-host", default: "127.0.0.1", help: "MySQL/MariaDB host")
    public static let mysqlPort = Setting("MYSQL_PORT", flag: "--mysql-port", default: "3306", help: "MySQL/MariaDB port")
    public static let mysqlUser = Setting("MYSQL_USER", flag: "--mysql-user", default: "root", help: "MySQL user (needs SELECT, RELOAD, REPLICATION SLAVE, REPLICATION CLIENT)")
    public static let mysqlPassword = Setting("MYSQL_PASSWORD", flag: "--mysql-password", default: "", secret: true,
                                              aliases: ["MYSQL_PWD"], help: "MySQL password")
    public static let mysqlDatabase = Setting("MYSQL_DATABASE", flag: "--mysql-database", default: nil, help: "source database")
    public static let mysqlAdminUser = Setting("SLUICE_MYSQL_ADMIN_USER", flag: "--mysql-admin-user", default: nil,
                                               help: "MySQL account that may create databases (sluice generate only)")
    public static let mysqlAdminPassword = Setting("SLUICE_MYSQL_ADMIN_PASSWORD", flag: "--mysql-admin-password", default: nil, secret: true,
                                                   help: "password of the MySQL admin account")
    public static let mysqlSSLMode = Setting("MYSQL_SSL_MODE", flag: "--mysql-ssl-mode", default: "preferred",
                                             help: "TLS to MySQL: disabled, preferred, required, verify_ca or verify_identity")
    public static let mysqlSSLCA = Setting("MYSQL_SSL_CA", flag: "--mysql-ssl-ca", default: nil,
                                           help: "PEM file of the CA(s) that signed the MySQL server's certificate")
    public static let mysqlSSLCert = Setting("MYSQL_SSL_CERT", flag: "--mysql-ssl-cert", default: nil,
                                             help: "PEM client certificate, for servers that require one")
    public static let mysqlSSLKey = Setting("MYSQL_SSL_KEY", flag: "--mysql-ssl-key", default: nil,
                                            help: "PEM private key of the client certificate")
    public static let mysqlServerPublicKey = Setting("MYSQL_SERVER_PUBLIC_KEY", flag: "--mysql-server-public-key", default: nil,
                                                     help: "PEM file of the MySQL server's RSA public key (caching_sha2_password without TLS)")
    public static let serverID = Setting("SLUICE_SERVER_ID", flag: "--server-id", default: nil,
                                         help: "replica server_id extract reads the binlog as (and that id + 1 for its DDL checks); unique among the source's replicas. Default: derived from the topic prefix")
    public static let zeroDates = Setting("SLUICE_ZERO_DATES", flag: "--zero-dates", default: "null",
                                          help: "a MySQL date with no calendar day (0000-00-00, a zero month or day): null carries it as NULL (Debezium's way), stop stops its table")
    public static let kafkaBootstrap = Setting("KAFKA_BOOTSTRAP_SERVERS", flag: "--kafka-bootstrap-servers", default: "localhost:9092",
                                               help: "Kafka bootstrap servers, host:port[,host:port…]")
    public static let awsAccessKeyID = Setting("AWS_ACCESS_KEY_ID", flag: "--aws-access-key-id", default: nil, help: "S3 access key id")
    public static let awsSecretAccessKey = Setting("AWS_SECRET_ACCESS_KEY", flag: "--aws-secret-access-key", default: nil, secret: true,
                                                   help: "S3 secret access key")
    public static let awsSessionToken = Setting("AWS_SESSION_TOKEN", flag: "--aws-session-token", default: nil, secret: true,
                                                help: "S3 session token (temporary credentials only)")
    public static let awsRegion = Setting("AWS_REGION", flag: "--aws-region", default: "us-east-1", aliases: ["AWS_DEFAULT_REGION"],
                                          help: "S3 signing region")
    public static let s3Endpoint = Setting("S3_ENDPOINT", flag: "--s3-endpoint", default: nil,
                                           aliases: ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"],
                                           help: "S3 endpoint URL; unset means AWS")
    public static let s3Bucket = Setting("S3_BUCKET", flag: "--s3-bucket", default: "sluice-lake", help: "the lake's bucket")
    public static let awsCABundle = Setting("AWS_CA_BUNDLE", flag: "--aws-ca-bundle", default: nil,
                                            help: "PEM file of CAs to trust for an https S3 endpoint instead of the system's")
    public static let warehouseURL = Setting("WAREHOUSE_URL", flag: "--warehouse-url", default: nil, secret: true,
                                             help: "postgres://user:password@host:port/database[?sslmode=…&sslrootcert=…] (or libpq PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE)")
    public static let warehousePassword = Setting("WAREHOUSE_PASSWORD", flag: "WAREHOUSE_PASSWORD_FILE", default: nil, secret: true,
                                                  help: "warehouse password when WAREHOUSE_URL has none")
    public static let warehouseSSLMode = Setting("PGSSLMODE", flag: "--warehouse-sslmode", default: "prefer",
                                                 help: "TLS to the warehouse (libpq's sslmode): disable, allow, prefer, require, verify-ca or verify-full; the URL's sslmode wins")
    public static let warehouseSSLRootCert = Setting("PGSSLROOTCERT", flag: "--warehouse-sslrootcert", default: nil,
                                                     help: "PEM file of the CA(s) for verify-ca/verify-full; the URL's sslrootcert wins")

    public static let model = Setting("SLUICE_MODEL", flag: "--model", default: nil,
                                      help: "the model file (YAML): the star's dimensions and facts, how changes propagate, verify's checks and the report")

    /// Every setting, in the order `sluice config` prints them.
    public static let all: [Setting] = [
        mysqlHost, mysqlPort, mysqlUser, mysqlPassword, mysqlDatabase, mysqlSSLMode, mysqlSSLCA, mysqlSSLCert, mysqlSSLKey, mysqlServerPublicKey,
        serverID, zeroDates,
        mysqlAdminUser, mysqlAdminPassword,
        kafkaBootstrap,
        awsAccessKeyID, awsSecretAccessKey, awsSessionToken, awsRegion, s3Endpoint, s3Bucket, awsCABundle,
        warehouseURL, warehousePassword, warehouseSSLMode, warehouseSSLRootCert,
        model,
    ]
}
