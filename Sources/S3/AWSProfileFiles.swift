import Foundation

/// The shared AWS files, `~/.aws/credentials` and `~/.aws/config`
/// (`AWS_SHARED_CREDENTIALS_FILE` and `AWS_CONFIG_FILE` move them), read as
/// the AWS CLI reads them: INI sections, `[name]` in the credentials file,
/// `[profile name]` (or `[default]`) in the config file; a key in the
/// credentials file wins over the same key in the config file.
public struct AWSProfileFiles: Sendable {
    public let credentialsPath: String
    public let configPath: String
    /// Section name → keys, from each file (missing files are empty).
    let credentials: [String: [String: String]]
    let config: [String: [String: String]]

    public init(environment: [String: String]) {
        let home = environment["HOME"] ?? NSHomeDirectory()
        func expand(_ path: String) -> String {
            path.hasPrefix("~/") ? home + path.dropFirst(1) : path
        }
        credentialsPath = expand(environment["AWS_SHARED_CREDENTIALS_FILE"] ?? "~/.aws/credentials")
        configPath = expand(environment["AWS_CONFIG_FILE"] ?? "~/.aws/config")
        credentials = Self.parse(path: credentialsPath)
        config = Self.parse(path: configPath)
    }

    /// The named profile's settings, both files merged; `nil` if neither has it.
    public func profile(_ name: String) -> [String: String]? {
        let fromConfig = config[name == "default" ? "default" : "profile \(name)"] ?? config["profile \(name)"]
        let fromCredentials = credentials[name]
        guard fromConfig != nil || fromCredentials != nil else { return nil }
        return (fromConfig ?? [:]).merging(fromCredentials ?? [:]) { _, credentialsValue in credentialsValue }
    }

    /// Which file a key of a profile came from, for messages.
    func file(of key: String, profile name: String) -> String {
        credentials[name]?[key] != nil ? credentialsPath : configPath
    }

    /// Sections of an INI file: `[section]` lines, `key = value` lines,
    /// comments starting with `#` or `;`. Keys are lower-cased; an indented
    /// line continues the previous value (as nested settings do).
    static func parse(path: String) -> [String: [String: String]] {
        guard let data = FileManager.default.contents(atPath: path) else { return [:] }
        var sections: [String: [String: String]] = [:]
        var section: String?
        var lastKey: String?
        for rawLine in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                let name = line.dropFirst().dropLast().split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
                section = name
                lastKey = nil
                if sections[name] == nil { sections[name] = [:] }
                continue
            }
            guard let section else { continue }
            if rawLine.first == " " || rawLine.first == "\t", let lastKey {
                sections[section]?[lastKey, default: ""] += "\n" + line
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            // An inline comment needs whitespace before it, as in the CLI.
            for marker in [" #", " ;", "\t#", "\t;"] {
                if let range = value.range(of: marker) { value = value[..<range.lowerBound].trimmingCharacters(in: .whitespaces) }
            }
            sections[section]?[key] = value
            lastKey = key
        }
        return sections
    }
}
