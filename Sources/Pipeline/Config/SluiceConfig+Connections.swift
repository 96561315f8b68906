import Kafka
import MySQL
import S3
import SluiceSupport
import Warehouse

/// Typed connection settings for each server, built from the effective configuration.
extension SluiceConfig {
    /// The source database connection.
    public func mysql() throws -> MySQLConnection.Configuration {
        MySQLConnection.Configuration(
            host: try required(.mysqlHost), port: try integer(.mysqlPort, in: 1...65535),
            user: try required(.mysqlUser), password: Secret(self[.mysqlPassword] ?? ""),
            database: try required(.mysqlDatabase))
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
    public func kafka() throws -> KafkaConfiguration {
        KafkaConfiguration(bootstrapServers: try required(.kafkaBootstrap))
    }

    /// The S3 client settings.
    public func s3() throws -> S3Client.Configuration {
        let credentials = AWSCredentials(accessKeyID: try required(.awsAccessKeyID),
                                         secretAccessKey: Secret(try required(.awsSecretAccessKey)),
                                         sessionToken: self[.awsSessionToken].flatMap { $0.isEmpty ? nil : Secret($0) })
        return S3Client.Configuration(endpoint: self[.s3Endpoint], region: try required(.awsRegion),
                                      credentials: credentials)
    }

    /// The lake's bucket.
    public func bucket() throws -> String { try required(.s3Bucket) }

    /// The warehouse connection.
    public func warehouse() throws -> WarehouseConfiguration {
        try WarehouseConfiguration(url: try required(.warehouseURL))
    }
}
