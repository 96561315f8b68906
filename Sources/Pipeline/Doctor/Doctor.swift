import Foundation
import Kafka
import MySQL
import S3
import SluiceSupport
import Warehouse

/// The result of checking one server.
public struct DoctorCheck: Sendable {
    /// `MySQL`, `Kafka`, `S3`, `warehouse` or `model`.
    public var name: String
    public var ok: Bool
    /// The version and what was checked, or the one-line reason it failed.
    public var detail: String
}

/// `sluice doctor`: connects to every server the pipeline needs and says, one
/// line each, whether it is usable.
public enum Doctor {
    /// Runs the four server checks concurrently, then the model file's, in a fixed display order.
    public static func run(_ config: SluiceConfig) async -> [DoctorCheck] {
        async let mysql = check("MySQL") { try await checkMySQL(config) }
        async let kafka = check("Kafka") { try await checkKafka(config) }
        async let s3 = check("S3") { try await checkS3(config) }
        async let warehouse = check("warehouse") { try await checkWarehouse(config) }
        let model = await check("model") { try checkModel(config) }
        return await [mysql, kafka, s3, warehouse, model]
    }

    /// The model file reads and validates (the databases are `sluice model check`'s part).
    static func checkModel(_ config: SluiceConfig) throws -> String {
        let model = try config.model()
        let star = model.star
        return "\(model.path): \(star.dimensions.count) dimensions, \(star.facts.count) facts, \(model.file.checks?.count ?? 0) checks; sluice model check tries it in the warehouse"
    }

    static func check(_ name: String, _ body: @Sendable () async throws -> String) async -> DoctorCheck {
        do {
            return DoctorCheck(name: name, ok: true, detail: try await body())
        } catch {
            return DoctorCheck(name: name, ok: false, detail: oneLine(error))
        }
    }

    /// Version and binlog settings; fails when CDC would not work.
    static func checkMySQL(_ config: SluiceConfig) async throws -> String {
        let settings = try config.mysql()
        let connection = try await MySQLConnection.connect(settings)
        let binlog = try await connection.binlogSettings()
        if let problem = binlog.problem {
            throw MySQLError(code: .unsupportedServer, message: "\(settings.displayName): \(problem)")
        }
        let metadata = binlog.logsColumnNames ? "row metadata FULL"
            : "row metadata \(binlog.rowMetadata ?? "not supported"): column names are not logged, so rows are checked by type only (set binlog_row_metadata=FULL to check them by name)"
        let tlsVersion = try await connection.query("SHOW SESSION STATUS LIKE 'Ssl_version'").rows.first?[1] ?? ""
        let tls = tlsVersion.isEmpty ? "plain TCP (MYSQL_SSL_MODE=\(settings.tls.mode.rawValue))"
            : "\(tlsVersion) (MYSQL_SSL_MODE=\(settings.tls.mode.rawValue)\([.verifyCA, .verifyIdentity].contains(settings.tls.mode) ? ", verified" : ", not verified"))"
        var line = "\(binlog.flavour) \(connection.serverVersion) at \(settings.displayName) over \(tls); binlog \(binlog.format), row image \(binlog.rowImage), \(metadata), server_id \(binlog.serverID)"
        if binlog.transactionCompression { line += ", transaction compression on (read)" }
        if !binlog.refused.isEmpty { line += "; REFUSED: " + binlog.refused.joined(separator: "; ") }
        return line
    }

    /// Cluster metadata: broker count and topics.
    static func checkKafka(_ config: SluiceConfig) async throws -> String {
        let settings = try config.kafka()
        let metadata = try await runBlocking {
            try KafkaClusterMetadata.fetch(configuration: settings, timeout: .seconds(5))
        }
        let brokers = metadata.brokers.count
        return "\(brokers) broker\(brokers == 1 ? "" : "s") at \(settings.bootstrapServers), \(metadata.topics.count) topics"
    }

    /// The bucket exists and a signed put, get and delete round-trip; says
    /// where the credentials came from (never the secret).
    static func checkS3(_ config: SluiceConfig) async throws -> String {
        var settings = try config.s3()
        settings.retry = .init(maxAttempts: 2, initialBackoff: .milliseconds(100))
        settings.requestTimeout = .seconds(10)
        let bucket = try config.bucket()
        let client = S3Client(configuration: settings)
        try await client.headBucket(bucket)
        let key = "_sluice/doctor/\(UUID().uuidString)"
        let payload = Array("sluice doctor \(Date())".utf8)
        try await client.putObject(bucket: bucket, key: key, body: payload)
        let back = try await client.getObject(bucket: bucket, key: key)
        try await client.deleteObject(bucket: bucket, key: key)
        guard back == payload else {
            throw S3Error(code: .badResponse, operation: "GET s3://\(bucket)/\(key)", message: "read back different bytes than were written")
        }
        let source = try await settings.credentialSource.describe()
        return "bucket \(bucket) at \(settings.endpoint ?? "AWS") (\(settings.region)): signed put/get/delete ok; credentials: \(source)"
    }

    /// `SELECT version()`.
    static func checkWarehouse(_ config: SluiceConfig) async throws -> String {
        let settings = try config.warehouse()
        let (version, tlsVersion) = try await Warehouse.withConnection(settings) { connection in
            let session = WarehouseSession(connection: connection)
            return (try await session.scalar("SELECT version()") ?? "",
                    try await session.scalar("SELECT version FROM pg_stat_ssl WHERE pid = pg_backend_pid() AND ssl") ?? "")
        }
        let short = version.split(separator: " ").prefix(2).joined(separator: " ")
        let verified = [.verifyCA, .verifyFull].contains(settings.tls.mode) || (settings.tls.mode == .require && settings.tls.rootCert != nil)
        let tls = tlsVersion.isEmpty ? "plain TCP (sslmode=\(settings.tls.mode.rawValue))"
            : "\(tlsVersion) (sslmode=\(settings.tls.mode.rawValue), \(verified ? "verified" : "not verified"))"
        return "\(short) at \(settings.user)@\(settings.host):\(settings.port)/\(settings.database) over \(tls)"
    }
}
