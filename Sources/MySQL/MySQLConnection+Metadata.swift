import Foundation
import SluiceSupport

/// The server variables change-data capture depends on.
public struct BinlogSettings: Sendable, Equatable {
    public var logBin: Bool
    public var format: String
    public var rowImage: String
    public var serverID: UInt32
    /// `binlog_row_metadata` (`FULL`, `MINIMAL`, `NO_LOG`); `nil` on servers without it (MariaDB < 10.5, MySQL < 8.0.1).
    public var rowMetadata: String?
    /// `MariaDB` or `MySQL`, from `@@version` and `@@version_comment`.
    public var flavour: String = "MySQL"
    /// Settings with which Sluice stops tables or the stream instead of reading them: MariaDB's
    /// `log_bin_compress` (compressed row events) and MySQL's `binlog_row_value_options=PARTIAL_JSON`.
    public var refused: [String] = []
    /// MySQL's `binlog_transaction_compression` (read; noted by `doctor`).
    public var transactionCompression: Bool = false
    /// `lower_case_table_names`: 0 names are compared as stored; 1 stored lower case and compared
    /// so (statements may write them in any case); 2 stored as created, compared lower case.
    public var lowerCaseTableNames: Int = 0

    /// Settings read from a server, or (deployment tests) from a server's command line.
    public init(logBin: Bool, format: String, rowImage: String, serverID: UInt32, rowMetadata: String?) {
        (self.logBin, self.format, self.rowImage, self.serverID, self.rowMetadata) = (logBin, format, rowImage, serverID, rowMetadata)
    }

    /// Whether TABLE_MAP events name their columns, so every row image is checked by name.
    public var logsColumnNames: Bool { rowMetadata?.uppercased() == "FULL" }

    /// What is wrong for CDC, or `nil` when the server is ready: row-based
    /// logging with full row images is needed to rebuild before/after states.
    public var problem: String? {
        if !logBin { return "binary logging is off; start the server with log_bin (scripts/stack up does)" }
        if format.uppercased() != "ROW" { return "binlog_format is \(format), CDC needs ROW" }
        if rowImage.uppercased() != "FULL" { return "binlog_row_image is \(rowImage), CDC needs FULL" }
        if serverID == 0 { return "server_id is 0; set a non-zero server_id" }
        return nil
    }
}

extension MySQLConnection {
    /// Reads `log_bin`, `binlog_format`, `binlog_row_image` and `server_id`.
    public func binlogSettings() async throws -> BinlogSettings {
        try await runBlocking { try self.binlogSettingsBlocking() }
    }

    /// The blocking form of `binlogSettings`.
    public func binlogSettingsBlocking() throws -> BinlogSettings {
        let result = try queryBlocking("SELECT @@log_bin, @@binlog_format, @@binlog_row_image, @@server_id")
        guard let row = result.rows.first, row.count == 4 else {
            throw MySQLError(code: .queryFailed, message: "the server returned no binlog settings")
        }
        let metadata = (try? queryBlocking("SELECT @@binlog_row_metadata"))?.scalar
        var settings = BinlogSettings(logBin: row[0] == "1", format: row[1] ?? "", rowImage: row[2] ?? "",
                                      serverID: UInt32(row[3] ?? "") ?? 0, rowMetadata: metadata)
        let version = (try? queryBlocking("SELECT CONCAT(@@version, ' ', @@version_comment)"))?.scalar ?? ""
        settings.flavour = version.localizedCaseInsensitiveContains("mariadb") ? "MariaDB" : "MySQL"
        settings.lowerCaseTableNames = Int((try? queryBlocking("SELECT @@lower_case_table_names"))?.scalar ?? "") ?? 0
        // Each variable exists on one flavour only; a missing one reads as off.
        func variable(_ name: String) -> String { ((try? queryBlocking("SELECT @@\(name)"))?.scalar ?? "").uppercased() }
        if ["1", "ON"].contains(variable("log_bin_compress")) {
            settings.refused.append("log_bin_compress=ON (compressed row events stop extract; turn it off)")
        }
        if variable("binlog_row_value_options").contains("PARTIAL_JSON") {
            settings.refused.append("binlog_row_value_options=PARTIAL_JSON (partial JSON updates stop their table; set it to '')")
        }
        settings.transactionCompression = ["1", "ON"].contains(variable("binlog_transaction_compression"))
        return settings
    }

    /// How long the server keeps binlog files, in seconds (`binlog_expire_logs_seconds`, else
    /// `expire_logs_days`); `nil` when they are kept until purged by hand.
    public func binlogRetentionSecondsBlocking() throws -> Int? {
        let seconds = (try? queryBlocking("SELECT @@binlog_expire_logs_seconds"))?.scalar.flatMap { Int($0) } ?? 0
        if seconds > 0 { return seconds }
        let days = (try? queryBlocking("SELECT @@expire_logs_days"))?.scalar.flatMap { Double($0) } ?? 0
        return days > 0 ? Int(days * 86_400) : nil
    }

    /// The base tables of a database, in name order.
    public func baseTables(in database: String) async throws -> [String] {
        try await runBlocking { try self.baseTablesBlocking(in: database) }
    }

    /// The blocking form of `baseTables`.
    public func baseTablesBlocking(in database: String) throws -> [String] {
        try queryBlocking("""
            SELECT TABLE_NAME FROM information_schema.TABLES
            WHERE TABLE_SCHEMA = '\(MySQLConnection.escapeLiteral(database))' AND TABLE_TYPE = 'BASE TABLE'
            ORDER BY TABLE_NAME
            """).rows.compactMap { $0.first ?? nil }
    }

    /// Escapes text for the inside of a single-quoted SQL literal.
    public static func escapeLiteral(_ text: String) -> String { SQLQuoting.mysqlLiteralBody(text) }

    /// Quotes an identifier with backticks.
    public static func quoteIdentifier(_ name: String) -> String { SQLQuoting.doubled(name, in: "`") }
}
