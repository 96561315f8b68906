import CMariaDB

extension MySQLConnection {
    /// TLS to the server, with MySQL's `--ssl-mode` names.
    public struct TLS: Sendable, Hashable {
        /// How much TLS is required and what is verified.
        public enum Mode: String, Sendable, CaseIterable {
            /// Plain TCP.
            case disabled
            /// TLS when the server offers it, nothing verified (MySQL's default).
            case preferred
            /// TLS or no connection; the certificate is not verified.
            case required
            /// TLS; the server's certificate must chain to `ca`.
            case verifyCA = "verify_ca"
            /// TLS; the certificate must chain to `ca` and name the host connected to.
            case verifyIdentity = "verify_identity"
        }

        /// Default `.preferred`.
        public var mode: Mode = .preferred
        /// PEM file of the CA(s) to trust; needed for `verify_ca` and `verify_identity`.
        public var ca: String?
        /// PEM client certificate and key, for accounts that `REQUIRE X509`.
        public var cert: String?
        public var key: String?
        /// PEM file of the server's RSA public key, for MySQL's `caching_sha2_password` and
        /// `sha256_password` over plain TCP (with TLS they need none). Without it, Connector/C asks
        /// the server for the key, which a man in the middle could answer.
        public var serverPublicKey: String?

        public init(mode: Mode = .preferred, ca: String? = nil, cert: String? = nil, key: String? = nil) {
            self.mode = mode
            self.ca = ca
            self.cert = cert
            self.key = key
        }

        /// Sets Connector/C's options on a handle before `mysql_real_connect`.
        func apply(to handle: UnsafeMutablePointer<MYSQL>) {
            if let serverPublicKey { mysql_options(handle, MYSQL_SERVER_PUBLIC_KEY, serverPublicKey) }
            guard mode != .disabled else { return }
            // Connector/C's ENFORCE turns TLS on and requires it; `preferred` falls back to plain
            // TCP in `connectBlocking` when the TLS attempt fails.
            mysql_ssl_set(handle, key, cert, ca, nil, nil)
            var enforce: my_bool = 1
            mysql_options(handle, MYSQL_OPT_SSL_ENFORCE, &enforce)
            // Connector/C checks the chain whenever a CA is given; VERIFY_SERVER_CERT adds the host name.
            var verifyHost: my_bool = mode == .verifyIdentity ? 1 : 0
            mysql_options(handle, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verifyHost)
        }
    }
}

extension MySQLConnection.TLS {
    var hostNameAdvice: String {
        "the server's certificate does not name the host connected to; connect by a name the certificate holds (MYSQL_HOST), or use MYSQL_SSL_MODE=verify_ca"
    }

    /// What to change when a connection failed because of TLS, or `nil` when TLS was not the cause.
    func advice(errorNumber: UInt32, message: String) -> String? {
        let lower = message.lowercased()
        if mode == .disabled {
            // An account that REQUIRE SSL is refused like a wrong password when TLS is off.
            return errorNumber == 1045 ? "if the account requires TLS, set MYSQL_SSL_MODE=required (or verify_identity with MYSQL_SSL_CA)" : nil
        }
        guard errorNumber == 2026 || lower.contains("ssl") || lower.contains("tls") || lower.contains("certificate") else { return nil }
        if lower.contains("hostname") || lower.contains("host name") || lower.contains("mismatch") { return hostNameAdvice }
        if lower.contains("not support") || lower.contains("doesn't support") || lower.contains("does not support") {
            return "the server offers no TLS; enable it on the server (ssl_cert, ssl_key), or set MYSQL_SSL_MODE=preferred"
        }
        let trusted = ca.map { "the CA in MYSQL_SSL_CA (\($0))" } ?? "MYSQL_SSL_CA"
        return "check that \(trusted) signed the server's certificate, or set MYSQL_SSL_MODE (now \(mode.rawValue))"
    }
}
