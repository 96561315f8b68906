import SluiceSupport

extension MySQLConnection {
    /// Where and how to connect.
    public struct Configuration: Sendable {
        /// Host name or address. Default `127.0.0.1`.
        public var host: String = "127.0.0.1"
        /// TCP port. Default `3306`.
        public var port: Int = 3306
        /// User name. Default `root`.
        public var user: String = "root"
        /// Password; masked whenever printed.
        public var password: Secret = Secret("")
        /// Default database, or `nil` for none.
        public var database: String? = nil
        /// Seconds to wait for the TCP connection and handshake. Default 10.
        public var connectTimeoutSeconds: UInt32 = 10
        /// Seconds a read may block before the connection counts as lost. Default 0 (no limit).
        public var readTimeoutSeconds: UInt32 = 0
        /// TLS settings. Default: TLS when the server offers it, unverified (MySQL's `PREFERRED`).
        public var tls = TLS()

        public init(host: String = "127.0.0.1", port: Int = 3306, user: String = "root",
                    password: Secret = Secret(""), database: String? = nil) {
            self.host = host
            self.port = port
            self.user = user
            self.password = password
            self.database = database
        }

        /// `user@host:port/database`, for messages (no password).
        public var displayName: String {
            "\(user)@\(host):\(port)" + (database.map { "/\($0)" } ?? "")
        }
    }
}
