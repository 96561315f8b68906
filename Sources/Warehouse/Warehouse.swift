import Logging
import NIOCore
import PostgresNIO

/// Entry point to the warehouse: opens connections for the duration of a closure.
public enum Warehouse {
    /// Connects, runs `body`, and closes the connection whatever happens.
    public static func withConnection<T: Sendable>(
        _ configuration: WarehouseConfiguration,
        logger: Logger = Logger(label: "sluice.warehouse"),
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        var options = PostgresConnection.Configuration.Options()
        options.connectTimeout = .seconds(configuration.connectTimeoutSeconds)
        var postgresConfiguration = PostgresConnection.Configuration(
            host: configuration.host, port: configuration.port, username: configuration.user,
            password: configuration.password.value, database: configuration.database, tls: try tls(configuration))
        postgresConfiguration.options = options
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: postgresConfiguration, id: 1, logger: logger)
        } catch {
            throw WarehouseError.connectFailure(error, configuration: configuration)
        }
        do {
            let result = try await body(connection)
            try? await connection.close()
            return result
        } catch let error as PSQLError {
            try? await connection.close()
            throw WarehouseError.from(error, context: "query failed")
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// postgres-nio's TLS setting, or one line naming the file that could not be read.
    static func tls(_ configuration: WarehouseConfiguration) throws -> PostgresConnection.Configuration.TLS {
        do {
            return try configuration.tls.postgresTLS()
        } catch {
            throw WarehouseError(code: .badConfiguration,
                                 message: "cannot use sslrootcert \(configuration.tls.rootCert ?? "(system)") for the warehouse: \(error)")
        }
    }

    /// The server's `version()` string.
    public static func serverVersion(_ configuration: WarehouseConfiguration) async throws -> String {
        try await withConnection(configuration) { connection in
            let rows = try await connection.query("SELECT version()", logger: Logger(label: "sluice.warehouse"))
            for try await (version) in rows.decode(String.self) { return version }
            throw WarehouseError(code: .queryFailed, message: "SELECT version() returned no row")
        }
    }
}
