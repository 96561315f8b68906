import Foundation
import Logging
import Telemetry

/// Logging for the CLI: to standard error, at `--log-level`, `SLUICE_LOG_LEVEL` or `notice`,
/// as text or (`--log-format json`, `SLUICE_LOG_FORMAT`) one JSON object per line.
enum CommandLogging {
    nonisolated(unsafe) private static var done = false
    nonisolated(unsafe) private static var json = false

    /// Whether log lines are JSON: progress then goes through the logger too, never as bars.
    static var isJSON: Bool { lock.withLock { json } }

    /// A progress line: plain on standard error, or a JSON log line (with `table` when given).
    static func progress(_ text: String, table: String? = nil) {
        if isJSON {
            Logger(label: "sluice.progress").notice("\(text)", metadata: table.map { ["table": "\($0)"] } ?? [:])
        } else {
            FileHandle.standardError.write(Data((text + "\n").utf8))
        }
    }
    private static let lock = NSLock()

    static func bootstrap(level: String?, format: String? = nil) {
        lock.withLock {
            guard !done else { return }
            done = true
            let name = level ?? ProcessInfo.processInfo.environment["SLUICE_LOG_LEVEL"] ?? "notice"
            let resolved = Logger.Level(rawValue: name) ?? .notice
            if (format ?? ProcessInfo.processInfo.environment["SLUICE_LOG_FORMAT"]) == "json" {
                json = true
                LoggingSystem.bootstrap { label in
                    var handler = JSONLogHandler(label: label)
                    handler.logLevel = resolved
                    return handler
                }
                return
            }
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = resolved
                return handler
            }
        }
    }
}
