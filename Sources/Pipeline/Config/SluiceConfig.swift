import Foundation
import Kafka
import MySQL
import S3
import SluiceSupport
import Warehouse

/// The effective configuration, loaded the same way by every command and by the tests.
///
/// Precedence, highest first: command-line flag, environment variable (a secret also
/// as `<NAME>_FILE`, a file holding it), `.env` in the working directory, the stack file
/// written by `scripts/stack up` (`.sluice/stack.env` in the working directory, or
/// `SLUICE_STACK_FILE`), the built-in default. Parent folders are never searched, so a file
/// planted above the project cannot redirect connections.
public struct SluiceConfig: Sendable {
    /// Where a value came from.
    public enum Origin: Sendable, Hashable, CustomStringConvertible {
        case flag(String)
        case environment(String)
        case dotEnv(path: String, name: String)
        case stackFile(path: String)
        /// A secret read from the file a `<NAME>_FILE` variable names.
        case file(path: String, variable: String)
        case defaultValue
        case derived(String)

        public var description: String {
            switch self {
            case .flag(let flag): return "flag \(flag)"
            case .environment(let name): return "environment \(name)"
            case .dotEnv(let path, let name): return ".env \(name) (\(path))"
            case .stackFile(let path): return "stack file (\(path))"
            case .file(let path, let variable): return "file \(path) (\(variable))"
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
    /// librdkafka properties the user set (`KAFKA_<PROPERTY>`, `--kafka-property`), by name.
    public var kafkaProperties: [KafkaProperty] = []
    /// Things worth saying once per command (a secrets file others can read); the CLI logs them.
    public var warnings: [String] = []
    /// The environment's AWS variables (plus `HOME` and `PATH`), where the AWS
    /// credential chain looks for web identity, profile and container settings.
    public var awsEnvironment: [String: String] = [:]

    /// Loads the configuration. `flags` maps setting keys (e.g. `MYSQL_HOST`) to values given on the
    /// command line; `kafkaProperties` are `--kafka-property name=value` flags.
    public static func load(flags: [String: String] = [:], kafkaProperties: [String] = [],
                            environment: [String: String] = ProcessInfo.processInfo.environment,
                            workingDirectory: String = FileManager.default.currentDirectoryPath) throws -> SluiceConfig {
        let dotEnvPath = (workingDirectory as NSString).appendingPathComponent(".env")
        let dotEnv = try EnvFile.load(path: dotEnvPath) ?? [:]
        let stackPath = environment["SLUICE_STACK_FILE"] ?? stackFile(in: workingDirectory)
        let stack = try stackPath.flatMap { try EnvFile.load(path: $0) } ?? [:]
        var warnings: [String] = []
        func checkExposure(_ path: String, _ layer: [String: String]) {
            let secrets = Setting.all.filter(\.isSecret).flatMap { [$0.key] + $0.aliases }
            if layer.keys.contains(where: { secrets.contains($0) || KafkaConfiguration.isSecretProperty($0) }),
               let warning = SecretFile.exposureWarning(path, holding: "secrets") {
                warnings.append(warning)
            }
        }
        checkExposure(dotEnvPath, dotEnv)
        if let stackPath { checkExposure(stackPath, stack) }
        /// A secret from the file a `<NAME>_FILE` variable of `layer` names.
        func fromFile(_ setting: Setting, _ layer: [String: String]) throws -> Resolved? {
            guard setting.isSecret, let name = ([setting.key] + setting.aliases).map({ $0 + "_FILE" }).first(where: { layer[$0] != nil }),
                  let path = layer[name] else { return nil }
            if let warning = SecretFile.exposureWarning(path, holding: "a secret (\(name))") { warnings.append(warning) }
            return Resolved(setting: setting, value: try SecretFile.read(path, variable: name), origin: .file(path: path, variable: name))
        }

        var resolved: [String: Resolved] = [:]
        for setting in Setting.all {
            let names = [setting.key] + setting.aliases
            var entry = Resolved(setting: setting, value: setting.defaultValue, origin: .defaultValue)
            if let value = flags[setting.key] {
                entry = Resolved(setting: setting, value: value, origin: .flag(setting.flag))
            } else if let name = names.first(where: { environment[$0] != nil }) {
                entry = Resolved(setting: setting, value: environment[name], origin: .environment(name))
            } else if let file = try fromFile(setting, environment) {
                entry = file
            } else if let name = names.first(where: { dotEnv[$0] != nil }) {
                entry = Resolved(setting: setting, value: dotEnv[name], origin: .dotEnv(path: dotEnvPath, name: name))
            } else if let file = try fromFile(setting, dotEnv) {
                entry = file
            } else if let name = names.first(where: { stack[$0] != nil }), let stackPath {
                entry = Resolved(setting: setting, value: stack[name], origin: .stackFile(path: stackPath))
            } else if setting == .warehouseURL, let url = urlFromLibpq(environment) {
                entry = Resolved(setting: setting, value: url, origin: .derived("environment PG* variables"))
            }
            resolved[setting.key] = entry
        }
        var config = SluiceConfig(resolved: resolved, stackFilePath: stackPath)
        config.kafkaProperties = try KafkaProperty.collect(flags: kafkaProperties, environment: environment,
                                                           dotEnv: dotEnv, dotEnvPath: dotEnvPath)
        if let warning = S3Client.plainHTTPWarning(endpoint: config[.s3Endpoint]) { warnings.append(warning) }
        config.warnings = warnings
        config.awsEnvironment = environment.filter { $0.key.hasPrefix("AWS_") || $0.key == "HOME" || $0.key == "PATH" }
        return config
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

    /// `.sluice/stack.env` in the working directory, if there is one (never in a parent folder).
    static func stackFile(in directory: String) -> String? {
        let candidate = URL(fileURLWithPath: directory).appendingPathComponent(".sluice/stack.env").path
        return FileManager.default.fileExists(atPath: candidate) ? candidate : nil
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
