import Foundation
import Logging

/// Logging for the CLI: to standard error, at `--log-level`, `SLUICE_LOG_LEVEL` or `notice`.
enum CommandLogging {
    nonisolated(unsafe) private static var done = false
    private static let lock = NSLock()

    static func bootstrap(level: String?) {
        lock.withLock {
            guard !done else { return }
            done = true
            let name = level ?? ProcessInfo.processInfo.environment["SLUICE_LOG_LEVEL"] ?? "notice"
            let resolved = Logger.Level(rawValue: name) ?? .notice
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = resolved
                return handler
            }
        }
    }
}
