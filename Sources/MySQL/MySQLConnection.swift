import CMariaDB
import Foundation
import SluiceSupport

/// One client connection to a MySQL or MariaDB server (MariaDB Connector/C).
///
/// The `MYSQL*` handle is owned here and freed in `deinit`. Connector/C
/// allows one thread at a time per handle, so every call takes `lock`; that
/// serialisation is what makes the `@unchecked Sendable` sound. Blocking calls
/// run through `runBlocking`, off Swift's cooperative pool.
public final class MySQLConnection: @unchecked Sendable {
    let handle: UnsafeMutablePointer<MYSQL>
    let lock = NSLock()
    public let configuration: Configuration

    private init(handle: UnsafeMutablePointer<MYSQL>, configuration: Configuration) {
        self.handle = handle
        self.configuration = configuration
    }

    deinit {
        mysql_close(handle)
    }

    /// Opens a connection; text results arrive as UTF-8 (`utf8mb4`) whatever
    /// the columns' own character sets are.
    public static func connect(_ configuration: Configuration) async throws -> MySQLConnection {
        try await runBlocking { try connectBlocking(configuration) }
    }

    /// The blocking form of `connect`, for code that already runs on its own thread.
    public static func connectBlocking(_ configuration: Configuration) throws -> MySQLConnection {
        MySQLLibrary.initialiseOnce()
        guard let handle = mysql_init(nil) else {
            throw MySQLError(code: .queryFailed, message: "out of memory creating a connection handle")
        }
        var timeout = configuration.connectTimeoutSeconds
        mysql_options(handle, MYSQL_OPT_CONNECT_TIMEOUT, &timeout)
        if configuration.readTimeoutSeconds > 0 {
            var readTimeout = configuration.readTimeoutSeconds
            mysql_options(handle, MYSQL_OPT_READ_TIMEOUT, &readTimeout)
        }
        mysql_options(handle, MYSQL_SET_CHARSET_NAME, "utf8mb4")
        // Sluice's SQL escapes quotes with backslashes and quotes names with backticks: a server
        // whose sql_mode has NO_BACKSLASH_ESCAPES or ANSI_QUOTES would read its literals otherwise.
        mysql_options(handle, MYSQL_INIT_COMMAND, Self.sessionSQLMode)
        var protocolTCP = MYSQL_PROTOCOL_TCP.rawValue
        mysql_options(handle, MYSQL_OPT_PROTOCOL, &protocolTCP)
        configuration.tls.apply(to: handle)

        let connected = mysql_real_connect(
            handle, configuration.host, configuration.user, configuration.password.value,
            configuration.database, UInt32(configuration.port), nil, 0)
        guard connected != nil else {
            var error = MySQLConnection.error(from: handle, context: "cannot connect to \(configuration.displayName)")
            if configuration.tls.mode == .preferred, error.errorNumber == 2026 {
                // `preferred`: the server offers no TLS (or it failed), so plain TCP, as MySQL's clients do.
                mysql_close(handle)
                var plain = configuration
                plain.tls.mode = .disabled
                return try connectBlocking(plain)
            }
            if let advice = configuration.tls.advice(errorNumber: error.errorNumber, message: error.message) {
                error.hint = advice
            }
            // Connector/C reports a wrong CA and a host name missing from the certificate alike: if the
            // chain alone verifies, the host name is what failed.
            if configuration.tls.mode == .verifyIdentity, error.errorNumber == 2026 {
                var chainOnly = configuration
                chainOnly.tls.mode = .verifyCA
                if (try? connectBlocking(chainOnly)) != nil { error.hint = configuration.tls.hostNameAdvice }
            }
            mysql_close(handle)
            throw error
        }
        // Connector/C goes on in plain TCP when the server offers no TLS, whatever ENFORCE says.
        if ![.disabled, .preferred].contains(configuration.tls.mode), mysql_get_ssl_cipher(handle) == nil {
            mysql_close(handle)
            throw MySQLError(code: .unsupportedServer, errorNumber: 2026,
                             message: "cannot connect to \(configuration.displayName): the server offers no TLS, and MYSQL_SSL_MODE=\(configuration.tls.mode.rawValue) requires it",
                             hint: "enable TLS on the server (ssl_cert, ssl_key), or set MYSQL_SSL_MODE=preferred")
        }
        return MySQLConnection(handle: handle, configuration: configuration)
    }

    /// Run on every connection (and reconnection): the server's sql_mode without the two modes
    /// that change how literals and identifiers are read.
    static let sessionSQLMode = "SET SESSION sql_mode = REPLACE(REPLACE(@@SESSION.sql_mode, 'NO_BACKSLASH_ESCAPES', ''), 'ANSI_QUOTES', '')"

    /// The server's version string, e.g. `10.11.6-MariaDB-0+deb12u1-log`.
    public var serverVersion: String {
        lock.withLock { String(cString: mysql_get_server_info(handle)) }
    }

    /// Runs a statement that returns no rows (DDL, SET, INSERT…); returns the affected row count.
    @discardableResult
    public func execute(_ sql: String) async throws -> UInt64 {
        try await runBlocking { try self.executeBlocking(sql) }
    }

    /// The blocking form of `execute`.
    @discardableResult
    public func executeBlocking(_ sql: String) throws -> UInt64 {
        try lock.withLock {
            try runStatement(sql)
            if let result = mysql_store_result(handle) { mysql_free_result(result) }
            return mysql_affected_rows(handle)
        }
    }

    /// Runs a query and returns every row. For small results (metadata,
    /// counts); large tables go through `streamRows`.
    public func query(_ sql: String) async throws -> MySQLResultSet {
        try await runBlocking { try self.queryBlocking(sql) }
    }

    /// The blocking form of `query`.
    public func queryBlocking(_ sql: String) throws -> MySQLResultSet {
        try lock.withLock {
            try runStatement(sql)
            guard let result = mysql_store_result(handle) else {
                if mysql_field_count(handle) == 0 { return MySQLResultSet(columns: [], rows: []) }
                throw MySQLConnection.error(from: handle, context: "reading the result of a query")
            }
            defer { mysql_free_result(result) }
            let columns = MySQLColumn.columns(of: result)
            var rows: [[String?]] = []
            while let row = mysql_fetch_row(result) {
                let lengths = mysql_fetch_lengths(result)!
                rows.append((0..<columns.count).map { index in
                    row[index].map { String(decoding: UnsafeRawBufferPointer(start: $0, count: Int(lengths[index])), as: UTF8.self) }
                })
            }
            return MySQLResultSet(columns: columns, rows: rows)
        }
    }

    /// Sends a statement; the caller holds `lock`.
    func runStatement(_ sql: String) throws {
        let status = sql.withCString { mysql_real_query(handle, $0, UInt(strlen($0))) }
        if status != 0 {
            throw MySQLConnection.error(from: handle, context: nil)
        }
    }

    /// Builds the error for the handle's last failure.
    static func error(from handle: UnsafeMutablePointer<MYSQL>, context: String?) -> MySQLError {
        let number = mysql_errno(handle)
        var message = String(cString: mysql_error(handle))
        if let context { message = "\(context): \(message)" }
        let code = MySQLError.code(forErrorNumber: number)
        return MySQLError(code: code, errorNumber: number, message: message, hint: MySQLError.hint(for: code))
    }
}

/// Connector/C's process-wide initialisation, which is not thread-safe and must run once.
enum MySQLLibrary {
    private static let initialised: Bool = {
        mysql_server_init(0, nil, nil) == 0
    }()

    static func initialiseOnce() { _ = initialised }
}
