import NIOSSL
import PostgresNIO

extension WarehouseConfiguration {
    /// TLS to the warehouse, with libpq's `sslmode` names and meaning.
    public struct TLS: Sendable, Hashable {
        public enum Mode: String, Sendable, CaseIterable {
            /// Plain TCP.
            case disable
            /// TLS when the server offers it, nothing verified (libpq tries plain first; Sluice treats it as `prefer`).
            case allow
            /// TLS when the server offers it, nothing verified (libpq's default).
            case prefer
            /// TLS or no connection; the certificate is verified only if `rootCert` is given (as libpq does).
            case require
            /// TLS; the certificate must chain to `rootCert` (or the system's CAs).
            case verifyCA = "verify-ca"
            /// TLS; as `verify-ca`, and the certificate must name the host connected to.
            case verifyFull = "verify-full"
        }

        /// Default `.prefer`.
        public var mode: Mode = .prefer
        /// PEM file of the CA(s) to trust (libpq's `sslrootcert`); `nil` means the system's trust store.
        public var rootCert: String?

        public init(mode: Mode = .prefer, rootCert: String? = nil) {
            self.mode = mode
            self.rootCert = rootCert
        }

        /// postgres-nio's setting for this mode.
        func postgresTLS() throws -> PostgresConnection.Configuration.TLS {
            var tls = TLSConfiguration.makeClientConfiguration()
            if let rootCert { tls.trustRoots = .file(rootCert) }
            switch mode {
            case .disable:
                return .disable
            case .allow, .prefer:
                tls.certificateVerification = .none
                return .prefer(try NIOSSLContext(configuration: tls))
            case .require:
                tls.certificateVerification = rootCert == nil ? .none : .noHostnameVerification
                return .require(try NIOSSLContext(configuration: tls))
            case .verifyCA:
                tls.certificateVerification = .noHostnameVerification
                return .require(try NIOSSLContext(configuration: tls))
            case .verifyFull:
                tls.certificateVerification = .fullVerification
                return .require(try NIOSSLContext(configuration: tls))
            }
        }
    }
}
