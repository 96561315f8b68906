import PostgresNIO
import SluiceSupport

/// Every failure the warehouse layer reports, with a stable `code` and a one-line `summary`.
public struct WarehouseError: UserFacingError, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let name: String
        public var description: String { name }

        /// Wrong user name or password.
        public static let accessDenied = Code(name: "accessDenied")
        /// No server answered.
        public static let unreachable = Code(name: "unreachable")
        /// The database does not exist.
        public static let unknownDatabase = Code(name: "unknownDatabase")
        /// The warehouse URL could not be understood.
        public static let badConfiguration = Code(name: "badConfiguration")
        /// A statement failed.
        public static let queryFailed = Code(name: "queryFailed")
    }

    public var code: Code
    /// PostgreSQL's SQLSTATE, when the server sent one.
    public var sqlState: String?
    public var message: String

    public init(code: Code, sqlState: String? = nil, message: String) {
        self.code = code
        self.sqlState = sqlState
        self.message = message
    }

    public var summary: String {
        var line = "warehouse: \(message)"
        if let sqlState { line += " (SQLSTATE \(sqlState))" }
        switch code {
        case .accessDenied: line += "; check the user and password in WAREHOUSE_URL"
        case .unreachable: line += "; check the host and port in WAREHOUSE_URL and that the server is running (scripts/stack up)"
        case .unknownDatabase: line += "; check the database name in WAREHOUSE_URL"
        default: break
        }
        return line
    }

    /// Translates a postgres-nio error, keeping the server's message.
    static func from(_ error: any Error, context: String) -> WarehouseError {
        if let error = error as? WarehouseError { return error }
        if let psql = error as? PSQLError {
            if let state = psql.serverInfo?[.sqlState] {
                let message = psql.serverInfo?[.message] ?? "server error"
                let code: Code
                switch state {
                case "28P01", "28000": code = .accessDenied
                case "3D000": code = .unknownDatabase
                default: code = .queryFailed
                }
                return WarehouseError(code: code, sqlState: state, message: "\(context): \(message)")
            }
            let text: String
            if let underlying = psql.underlying {
                text = String(describing: underlying)
            } else {
                text = psql.code.description
            }
            if psql.code == .connectionError || psql.code == .serverClosedConnection || psql.code == .uncleanShutdown {
                return WarehouseError(code: .unreachable, message: "\(context): \(simplify(text))")
            }
            return WarehouseError(code: .queryFailed, message: "\(context): \(text)")
        }
        let text = String(describing: error)
        if text.contains("connect") || text.contains("refused") {
            return WarehouseError(code: .unreachable, message: "\(context): \(simplify(text))")
        }
        return WarehouseError(code: .queryFailed, message: "\(context): \(text)")
    }

    private static func simplify(_ text: String) -> String {
        if text.contains("refused") { return "connection refused" }
        if text.contains("timeout") || text.contains("Timeout") { return "timed out" }
        return text
    }
}
