import SluiceSupport

/// Every failure the MySQL module reports. `code` says what kind of failure it
/// is; `summary` is the one line a person reads. Passwords never appear in it.
public struct MySQLError: UserFacingError, Sendable {
    /// The kind of failure, stable for callers to switch on.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let name: String
        public var description: String { name }

        /// The server refused the user name or password.
        public static let accessDenied = Code(name: "accessDenied")
        /// No server answered at the host and port (refused, unreachable, timed out).
        public static let unreachable = Code(name: "unreachable")
        /// The database named in the configuration does not exist.
        public static let unknownDatabase = Code(name: "unknownDatabase")
        /// A table named by the caller does not exist.
        public static let unknownTable = Code(name: "unknownTable")
        /// The connection broke while a statement ran.
        public static let connectionLost = Code(name: "connectionLost")
        /// The server lacks something Sluice needs (binlog off, wrong format, privileges).
        public static let unsupportedServer = Code(name: "unsupportedServer")
        /// A value or type that Sluice cannot map.
        public static let unsupportedType = Code(name: "unsupportedType")
        /// A named lock (`GET_LOCK`) is held by another session.
        public static let lockHeld = Code(name: "lockHeld")
        /// Any other error the server or client library returned.
        public static let queryFailed = Code(name: "queryFailed")
    }

    public var code: Code
    /// The server's or client library's error number (0 when Sluice raised it).
    public var errorNumber: UInt32
    /// The library's message, or Sluice's own.
    public var message: String
    /// What the user can do about it, if Sluice knows.
    public var hint: String?

    public init(code: Code, errorNumber: UInt32 = 0, message: String, hint: String? = nil) {
        self.code = code
        self.errorNumber = errorNumber
        self.message = message
        self.hint = hint
    }

    /// The account may not do this: a refused login or database, or a missing privilege
    /// (ER_SPECIFIC_ACCESS_DENIED_ERROR, 1227, e.g. RELOAD for FLUSH TABLES WITH READ LOCK).
    public var isPrivilegeRefusal: Bool { code == .accessDenied || errorNumber == 1227 }

    /// The server could not be reached or the connection broke: worth trying again once it is back.
    public var isConnectionFailure: Bool { code == .connectionLost || code == .unreachable }

    public var summary: String {
        var line = "MySQL: \(message)"
        if errorNumber != 0 { line += " (error \(errorNumber))" }
        if let hint { line += "; \(hint)" }
        return line
    }

    /// Classifies a Connector/C error number.
    static func code(forErrorNumber number: UInt32) -> Code {
        switch number {
        case 1045, 1044, 1698: return .accessDenied          // ER_ACCESS_DENIED_ERROR, ER_DBACCESS_DENIED_ERROR
        case 2002, 2003, 2005: return .unreachable            // CR_CONNECTION_ERROR, CR_CONN_HOST_ERROR, CR_UNKNOWN_HOST
        case 1049: return .unknownDatabase                    // ER_BAD_DB_ERROR
        case 1146: return .unknownTable                       // ER_NO_SUCH_TABLE
        case 2006, 2013, 2055, 1053, 1927, 1317: return .connectionLost
            // CR_SERVER_GONE_ERROR, CR_SERVER_LOST, CR_SERVER_LOST_EXTENDED, ER_SERVER_SHUTDOWN,
            // ER_CONNECTION_KILLED, ER_QUERY_INTERRUPTED
        default: return .queryFailed
        }
    }

    /// A hint for the common failures, naming the setting to change.
    static func hint(for code: Code) -> String? {
        switch code {
        case .accessDenied: return "check MYSQL_USER and MYSQL_PASSWORD"
        case .unreachable: return "check MYSQL_HOST and MYSQL_PORT, and that the server is running (scripts/stack up)"
        case .unknownDatabase: return "check MYSQL_DATABASE"
        default: return nil
        }
    }
}
