import Foundation
import Kafka
import MySQL
import S3
import SluiceSupport
import Warehouse

/// The effective configuration, loaded the same way by every command and by the tests.
///
/// Precedence, highest first: command-line flag, environment variable,
/// `.env` in the working directory, the stack file written by
/// `scripts/stack up` (`.sluice/stack.env`), the built-in default.
public struct SluiceConfig: Sendable {
    /// Where a value came from.
    public enum Origin: Sendable, Hashable, CustomStringConvertible {
        case flag(String)
        case environment(String)
        case dotEnv(path: String, name: String)
        case stackFile(path: String)
        case defaultValue
        case derived(String)

        public var description: String {
            switch self {
            case .flag(let flag): return "flag \(flag)"
            case .environment(let name): return "environment \(name)"
            case .dotEnv(let path, let name): return ".env \(name) (\(path))"
            case .stackFile(let path): return "stack file (\(path))"
            case .defaultValue: return "default"
            case .derived(let text): return text
            }
        }
    }

    /// A setting's value and where it came from; `value == nil` means unset.
    public struct Resolved: Sendable {
        public var setting: Setting
        public var value: String?
        public var origin: Origin

        /// The value as it may be shown: secrets masked (a URL keeps all but its password).
        public var displayValue: String {
            guard let value else { return "(unset)" }
            guard setting.isSecret else { return value }
            if let masked = SluiceConfig.maskURLPassword(value) { return masked }
            return Secret.mask(value)
        }
    }

    public private(set) var resolved: [String: Resolved]
    /// The stack file that was read, if any.
    public let stackFilePath: String?

    /// Loads the configuration. `flags` maps setting keys (e.g. `MYSQL_HOST`) to values given on the command line.
    public static func load(flags: [String: String] = [:],
                            environment: [String: String] = ProcessInfo.processInfo.environment,
                            workingDirectory: String = FileManager.default.currentDirectoryPath) throws -> SluiceConfig {
        let dotEnvPath = (workingDirectory as NSString).appendingPathComponent(".env")
        let dotEnv = try EnvFile.load(path: dotEnvPath) ?? [:]
        let stackPath = environment["SLUICE_STACK_FILE"] ?? findStackFile(from: workingDirectory)
        let stack = try stackPath.flatMap { try EnvFile.load(path: $0) } ?? [:]

        var resolved: [String: Resolved] = [:]
        for setting in Setting.all {
            let names = [setting.key] + setting.aliases
            var entry = Resolved(setting: setting, value: setting.defaultValue, origin: .defaultValue)
            if let value = flags[setting.key] {
                entry = Resolved(setting: setting, value: value, origin: .flag(setting.flag))
            } else if let name = names.first(where: { environment[$0] != nil }) {
                entry = Resolved(setting: setting, value: environment[name], origin: .environment(name))
            } else if let name = names.first(where: { dotEnv[$0] != nil }) {
                entry = Resolved(setting: setting, value: dotEnv[name], origin: .dotEnv(path: dotEnvPath, name: name))
            } else if let name = names.first(where: { stack[$0] != nil }), let stackPath {
                entry = Resolved(setting: setting, value: stack[name], origin: .stackFile(path: stackPath))
            } else if setting == .warehouseURL, let url = urlFromLibpq(environment) {
                entry = Resolved(setting: setting, value: url, origin: .derived("environment PG* variables"))
            }
            resolved[setting.key] = entry
        }
        return SluiceConfig(resolved: resolved, stackFilePath: stackPath)
    }

    /// The value of a setting, or `nil` when unset.
    public subscript(_ setting: Setting) -> String? {
        guard let value = resolved[setting.key]?.value, !value.isEmpty || setting.isSecret else { return nil }
        return value
    }

    /// Every setting in display order.
    public var entries: [Resolved] { Setting.all.compactMap { resolved[$0.key] } }

    /// The value or a clear error naming the setting and how to set it.
    func required(_ setting: Setting) throws -> String {
        guard let value = self[setting], !value.isEmpty else {
            throw ConfigError("\(setting.key) is not set; set it in the environment, in .env, or with \(setting.flag) (scripts/stack up writes it for the local stack)")
        }
        return value
    }

    func integer(_ setting: Setting, in range: ClosedRange<Int>) throws -> Int {
        let text = try required(setting)
        guard let number = Int(text), range.contains(number) else {
            let origin = resolved[setting.key]?.origin.description ?? "?"
            throw ConfigError("\(setting.key)=\(text) (from \(origin)) is not a number in \(range.lowerBound)...\(range.upperBound)")
        }
        return number
    }

    /// Looks for `.sluice/stack.env` in the directory and its parents.
    static func findStackFile(from directory: String) -> String? {
        var current = URL(fileURLWithPath: directory).standardizedFileURL
        while true {
            let candidate = current.appendingPathComponent(".sluice/stack.env").path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            let parent = current.deletingLastPathComponent()
            if parent.path == current.path { return nil }
            current = parent
        }
    }

    /// `postgres://…` built from libpq's variables, when PGHOST or PGDATABASE is set.
    static func urlFromLibpq(_ environment: [String: String]) -> String? {
        guard environment["PGHOST"] != nil || environment["PGDATABASE"] != nil else { return nil }
        var components = URLComponents()
        components.scheme = "postgres"
        components.host = environment["PGHOST"] ?? "127.0.0.1"
        components.port = environment["PGPORT"].flatMap(Int.init) ?? 5432
        components.user = environment["PGUSER"] ?? "postgres"
        components.password = environment["PGPASSWORD"]
        components.path = "/" + (environment["PGDATABASE"] ?? "warehouse")
        return components.string
    }

    /// A URL with its password replaced by `****`, or `nil` if the text is not a URL with credentials.
    static func maskURLPassword(_ text: String) -> String? {
        guard text.contains("://"), var components = URLComponents(string: text), components.user != nil else { return nil }
        if components.password != nil { components.password = "****" }
        return components.string?.replacingOccurrences(of: "%2A%2A%2A%2A", with: "****")
    }
}
