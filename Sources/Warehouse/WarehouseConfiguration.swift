import Foundation
import SluiceSupport

/// How to reach the warehouse (PostgreSQL, or Redshift through its PostgreSQL protocol).
public struct WarehouseConfiguration: Sendable {
    /// Default `127.0.0.1`.
    public var host: String = "127.0.0.1"
    /// Default `5432`.
    public var port: Int = 5432
    /// Default `postgres`.
    public var user: String = "postgres"
    public var password: Secret = Secret("")
    /// Default `warehouse`.
    public var database: String = "warehouse"
    /// Seconds to wait for the connection. Default 10.
    public var connectTimeoutSeconds: Int64 = 10
    /// TLS settings. Default: TLS when the server offers it, unverified (libpq's `prefer`).
    public var tls = TLS()

    public init(host: String = "127.0.0.1", port: Int = 5432, user: String = "postgres",
                password: Secret = Secret(""), database: String = "warehouse") {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
    }

    /// Parses `postgres://user:password@host:port/database` (or `postgresql://`).
    public init(url: String) throws {
        guard let components = URLComponents(string: url),
              components.scheme == "postgres" || components.scheme == "postgresql" else {
            throw WarehouseError(code: .badConfiguration,
                                 message: "WAREHOUSE_URL must look like postgres://user:password@host:port/database")
        }
        self.init()
        if let host = components.host, !host.isEmpty { self.host = host }
        if let port = components.port { self.port = port }
        if let user = components.user { self.user = user.removingPercentEncoding ?? user }
        if let password = components.password { self.password = Secret(password.removingPercentEncoding ?? password) }
        let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        if !path.isEmpty { self.database = path }
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(TLS.Mode.init(rawValue:)) else {
                    throw WarehouseError(code: .badConfiguration, message: "sslmode=\(item.value ?? "") in WAREHOUSE_URL is not one of "
                                         + TLS.Mode.allCases.map(\.rawValue).joined(separator: ", "))
                }
                tls.mode = mode
                sslModeInURL = true
            case "sslrootcert":
                tls.rootCert = item.value
                sslRootCertInURL = true
            default:
                continue   // other libpq parameters (application_name, …) do not apply
            }
        }
    }

    /// Whether the URL set `sslmode` / `sslrootcert` (they win over PGSSLMODE / PGSSLROOTCERT).
    public private(set) var sslModeInURL = false
    public private(set) var sslRootCertInURL = false

    /// The URL with the password masked, for messages.
    public var displayURL: String {
        "postgres://\(user):\(password)@\(host):\(port)/\(database)?sslmode=\(tls.mode.rawValue)"
    }
}
