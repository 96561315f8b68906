import SluiceSupport
import PostgresNIO

extension WarehouseError {
    /// A failed connection, with what to change when TLS was the cause: one line naming the
    /// server and the setting to fix.
    static func connectFailure(_ error: any Error, configuration: WarehouseConfiguration) -> WarehouseError {
        let server = "\(configuration.user)@\(configuration.host):\(configuration.port)/\(configuration.database)"
        var failure = from(error, context: "cannot connect to \(server)")
        let mode = configuration.tls.mode.rawValue
        let certificate = CertificateFailure((error as? PSQLError)?.underlying ?? error)
        if let psql = error as? PSQLError, psql.code == .sslUnsupported {
            failure.message = "cannot connect to \(server): the server does not offer TLS, and sslmode=\(mode) requires it; enable ssl on the server, or set sslmode=prefer (URL or PGSSLMODE)"
        } else if certificate == .hostName {
            failure.message = "cannot connect to \(server): its TLS certificate does not name \(configuration.host); connect by a name the certificate holds, or use sslmode=verify-ca"
        } else if certificate == .untrusted {
            let roots = configuration.tls.rootCert.map { "the CA in \($0)" } ?? "the system's CAs"
            failure.message = "cannot connect to \(server): its TLS certificate is not signed by \(roots); set sslrootcert (URL) or PGSSLROOTCERT to the CA that signed it"
        } else if failure.sqlState == "28000", configuration.tls.mode == .disable, failure.message.contains("no encryption") {
            failure.message += " (the server requires TLS: set sslmode=require or stricter, in the URL or PGSSLMODE)"
        }
        return failure
    }
}
