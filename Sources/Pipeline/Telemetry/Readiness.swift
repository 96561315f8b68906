import Foundation
import Kafka
import MySQL
import S3
import SluiceSupport
import Warehouse

/// The servers `/readyz` checks, lighter than `sluice doctor` (nothing is written): MySQL
/// `SELECT 1`, Kafka cluster metadata, S3 `HEAD` of the bucket, warehouse `SELECT 1`.
public enum Readiness {
    public enum Server: String, CaseIterable, Sendable {
        case mysql, kafka, s3, warehouse
    }

    /// The servers a command talks to.
    public static func servers(for stages: [String]) -> Set<Server> {
        var servers = Set<Server>()
        for stage in stages {
            switch stage {
            case "extract": servers.formUnion([.mysql, .kafka])
            case "land": servers.formUnion([.kafka, .s3])
            case "load": servers.formUnion([.s3, .warehouse])
            default: servers.formUnion(Server.allCases)
            }
        }
        return servers
    }

    /// Checks each server once, concurrently: name → `nil` when it answered, else why not.
    public static func check(_ config: SluiceConfig, servers: Set<Server>) async -> [String: String?] {
        await withTaskGroup(of: (String, String?).self) { group in
            for server in servers {
                group.addTask {
                    let result = await Doctor.check(server.rawValue) { try await probe(server, config: config); return "" }
                    return (server.rawValue, result.ok ? nil : result.detail)
                }
            }
            var results: [String: String?] = [:]
            for await (name, problem) in group { results[name] = .some(problem) }
            return results
        }
    }

    /// Checks every `interval` until the task is cancelled, keeping the results in `StageHealth.shared`.
    public static func monitor(_ config: SluiceConfig, servers: Set<Server>, every interval: Duration = .seconds(10)) async {
        while !Task.isCancelled {
            StageHealth.shared.setServers(await check(config, servers: servers))
            try? await Task.sleep(for: interval)
        }
    }

    private static func probe(_ server: Server, config: SluiceConfig) async throws {
        switch server {
        case .mysql:
            let connection = try await MySQLConnection.connect(try config.mysql())
            _ = try await connection.query("SELECT 1")
        case .kafka:
            let settings = try config.kafka()
            _ = try await runBlocking { try KafkaClusterMetadata.fetch(configuration: settings, timeout: .seconds(5)) }
        case .s3:
            var settings = try config.s3()
            settings.retry = .init(maxAttempts: 1, initialBackoff: .milliseconds(100))
            settings.requestTimeout = .seconds(5)
            try await S3Client(configuration: settings).headBucket(try config.bucket())
        case .warehouse:
            _ = try await Warehouse.withConnection(try config.warehouse()) { connection in
                try await WarehouseSession(connection: connection).scalar("SELECT 1")
            }
        }
    }
}
