import Foundation
@testable import MySQL
import Pipeline
import Testing
import Yams

/// `deploy/compose.yaml`, `deploy/prometheus.yml` and the Grafana dashboard, checked without a
/// container engine: the compose file's structure, that every setting given to Sluice is one it
/// reads (against its own configuration code), that secrets come from mounted files, that MySQL
/// runs with the binlog settings Sluice needs, that Prometheus scrapes the port Sluice serves,
/// and that the dashboard asks only for metrics Sluice exports.
@Suite struct DeployComposeTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let deploy = root.appendingPathComponent("deploy")

    /// Sluice's metrics (`SluiceMetric`), the only names the dashboard may use. A histogram is also
    /// queried as `<name>_bucket`, `_sum` and `_count`.
    static let metricsContract: [String: MetricKind] = Dictionary(uniqueKeysWithValues: SluiceMetric.allCases.map { metric in
        let kind: MetricKind = metric.rawValue.hasSuffix("_total") ? .counter
            : SluiceMetric.durationBuckets.keys.contains(metric.rawValue) ? .histogram : .gauge
        return (metric.rawValue, kind)
    })
    enum MetricKind { case counter, gauge, histogram }

    /// The environment variables the compose file may give the sluice service. Each is checked
    /// against `Setting.all` and `Sources/Pipeline/Config`, so a rename fails here.
    static let sluiceVariables: Set<String> = [
        "MYSQL_HOST", "MYSQL_PORT", "MYSQL_USER", "MYSQL_PASSWORD", "MYSQL_DATABASE", "MYSQL_SSL_MODE", "MYSQL_SSL_CA",
        "MYSQL_SSL_CERT", "MYSQL_SSL_KEY", "MYSQL_SERVER_PUBLIC_KEY", "KAFKA_BOOTSTRAP_SERVERS", "S3_ENDPOINT", "S3_BUCKET",
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_CA_BUNDLE", "WAREHOUSE_URL", "WAREHOUSE_PASSWORD",
        "PGSSLMODE", "PGSSLROOTCERT",
    ]
    /// Of those, the ones that may come from a file as `<NAME>_FILE`.
    static let sluiceSecrets: Set<String> = ["MYSQL_PASSWORD", "AWS_SECRET_ACCESS_KEY", "WAREHOUSE_PASSWORD"]

    /// Top-level keys of the compose specification.
    static let topLevelKeys: Set<String> = ["services", "volumes", "secrets", "networks", "configs", "name"]

    // MARK: - Loading

    static func text(_ relativePath: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(relativePath), encoding: .utf8)
    }

    static func compose() throws -> [String: Any] {
        let document = try Yams.load(yaml: try text("deploy/compose.yaml"))
        return try #require(document as? [String: Any], "deploy/compose.yaml is not a mapping")
    }

    static func services() throws -> [String: [String: Any]] {
        let services = try #require(try compose()["services"] as? [String: Any], "no services")
        return try services.mapValues { try #require($0 as? [String: Any], "a service is not a mapping") }
    }

    /// A service's environment, from either the mapping or the `NAME=value` list form.
    static func environment(_ service: [String: Any]) -> [String: String] {
        if let map = service["environment"] as? [String: Any] {
            return map.mapValues { value in value is NSNull ? "" : "\(value)" }
        }
        var result: [String: String] = [:]
        for item in service["environment"] as? [String] ?? [] {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            result[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return result
    }

    /// The secret names a service mounts (short form, or `source` in the long form), with the
    /// path each appears at in the container.
    static func mountedSecrets(_ service: [String: Any]) -> [String: String] {
        var result: [String: String] = [:]
        for item in service["secrets"] as? [Any] ?? [] {
            if let name = item as? String {
                result[name] = "/run/secrets/\(name)"
            } else if let long = item as? [String: Any], let source = long["source"] as? String {
                let target = long["target"] as? String ?? source
                result[source] = target.hasPrefix("/") ? target : "/run/secrets/\(target)"
            }
        }
        return result
    }

    static func stringList(_ value: Any?) -> [String] { (value as? [Any])?.map { "\($0)" } ?? [] }

    /// `${NAME:-default}` and `${NAME-default}` replaced by their defaults, `$$` by `$` (compose's
    /// interpolation with an empty environment); `nil` if a variable has no default.
    static func interpolateDefaults(_ text: String) -> String? {
        var result = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            result += rest[..<dollar]
            let after = rest[rest.index(after: dollar)...]
            if after.hasPrefix("$") {
                result += "$"
                rest = after.dropFirst()
            } else if after.hasPrefix("{"), let close = after.firstIndex(of: "}") {
                let body = after[after.index(after: after.startIndex)..<close]
                guard let range = body.range(of: ":-") ?? body.range(of: "-") else { return nil }
                result += body[range.upperBound...]
                rest = after[after.index(after: close)...]
            } else {
                return nil
            }
        }
        return result + rest
    }

    // MARK: - The compose specification's essentials

    @Test func composeFileHasTheSpecsShape() throws {
        let compose = try Self.compose()
        let unknown = Set(compose.keys).subtracting(Self.topLevelKeys).filter { !$0.hasPrefix("x-") }
        #expect(unknown.isEmpty, "top-level keys the compose spec does not have: \(unknown.sorted())")
        let services = try Self.services()
        let declaredSecrets = compose["secrets"] as? [String: Any] ?? [:]
        let declaredVolumes = compose["volumes"] as? [String: Any] ?? [:]
        #expect(!services.isEmpty)

        for (name, service) in services.sorted(by: { $0.key < $1.key }) {
            #expect(service["image"] is String || service["build"] != nil, "\(name) has neither image nor build")
            // depends_on: every service named exists, with a condition the spec knows.
            if let dependencies = service["depends_on"] as? [String: Any] {
                for (dependency, spec) in dependencies {
                    #expect(services[dependency] != nil, "\(name) depends on \(dependency), which is not a service")
                    let condition = (spec as? [String: Any])?["condition"] as? String
                    #expect(["service_started", "service_healthy", "service_completed_successfully"].contains(condition ?? ""),
                            "\(name) → \(dependency): condition \(condition ?? "missing")")
                }
            } else {
                for dependency in Self.stringList(service["depends_on"]) {
                    #expect(services[dependency] != nil, "\(name) depends on \(dependency), which is not a service")
                }
            }
            for secret in Self.mountedSecrets(service).keys {
                #expect(declaredSecrets[secret] != nil, "\(name) mounts secret \(secret), which is not declared at the top level")
            }
            for port in service["ports"] as? [Any] ?? [] {
                // Unquoted, YAML 1.1 reads 9464:9464 as a base-60 number.
                #expect(port is String || port is [String: Any], "\(name): port \(port) must be a quoted string")
            }
            for volume in Self.stringList(service["volumes"]) {
                let source = String(volume.split(separator: ":")[0])
                if source.hasPrefix(".") || source.hasPrefix("/") {
                    let path = Self.deploy.appendingPathComponent(source).standardizedFileURL.path
                    #expect(FileManager.default.fileExists(atPath: path), "\(name) mounts \(source), which does not exist")
                } else {
                    #expect(declaredVolumes.keys.contains(source), "\(name) mounts volume \(source), which is not declared")
                }
            }
            // Long-running services have a health check; one-shots are waited for by whoever needs them.
            if (service["restart"] as? String) == "no" {
                let waited = services.values.contains { other in
                    ((other["depends_on"] as? [String: Any])?[name] as? [String: Any])?["condition"] as? String == "service_completed_successfully"
                }
                #expect(waited, "one-shot \(name) is not waited for with service_completed_successfully")
            } else {
                let healthcheck = try #require(service["healthcheck"] as? [String: Any], "\(name) has no healthcheck")
                let test = Self.stringList(healthcheck["test"])
                #expect(["CMD", "CMD-SHELL"].contains(test.first ?? ""), "\(name): healthcheck test must be CMD or CMD-SHELL")
                #expect(test.count > 1, "\(name): healthcheck test has no command")
            }
        }
        // Every declared secret is a file under deploy/, with a committed example beside it.
        for (name, spec) in declaredSecrets {
            let file = try #require((spec as? [String: Any])?["file"] as? String, "secret \(name) is not a file")
            let example = Self.deploy.appendingPathComponent(file + ".example").standardizedFileURL.path
            #expect(FileManager.default.fileExists(atPath: example), "secret \(name): \(file).example is missing")
        }
        let ignore = try Self.text("deploy/.gitignore")
        let ignoresSecrets = ignore.contains("/secrets/*") && ignore.contains("!/secrets/*.example")
        #expect(ignoresSecrets, "deploy/.gitignore must keep real secrets out")
    }

    /// `deploy/validate`: the compose file against the compose spec's JSON Schema (Python's
    /// jsonschema; the schema comes from PyPI once and is cached). Exit 3 means it could not run,
    /// which fails too: `scripts/stack up` installs what it needs.
    @Test func composeFileValidatesAgainstTheComposeSpecSchema() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.deploy.appendingPathComponent("validate").path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "deploy/validate: \(text)")
    }

    // MARK: - Sluice's settings

    @Test func allowedVariablesAreSluiceSettings() throws {
        let names = Setting.all.flatMap { [$0.key] + $0.aliases }
        let configSources = try FileManager.default
            .contentsOfDirectory(at: Self.root.appendingPathComponent("Sources/Pipeline/Config"), includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "swift" }
            .map { try String(contentsOf: $0, encoding: .utf8) }
            .joined()
        for variable in Self.sluiceVariables.sorted() {
            #expect(names.contains(variable), "\(variable) is not a setting in Setting.all")
            let named = configSources.contains("\"\(variable)\"")
            #expect(named, "\(variable) does not appear in Sources/Pipeline/Config")
        }
        for secret in Self.sluiceSecrets.sorted() {
            #expect(Setting.all.first { $0.key == secret }?.isSecret == true, "\(secret) is not a secret setting, so \(secret)_FILE is not read")
        }
    }

    @Test func sluiceGetsOnlyVariablesItReadsAndSecretsAsMountedFiles() throws {
        let services = try Self.services()
        let sluice = try #require(services["sluice"])
        let environment = Self.environment(sluice)
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) {
            if name.hasSuffix("_FILE") {
                let base = String(name.dropLast(5))
                #expect(Self.sluiceSecrets.contains(base), "\(name): \(base) is not a secret Sluice reads from a file")
            } else {
                #expect(Self.sluiceVariables.contains(name), "\(name) is not a variable Sluice reads")
                #expect(!Self.sluiceSecrets.contains(name), "\(name) is a secret: pass it as \(name)_FILE")
                if value.contains("://") {
                    #expect(URLComponents(string: value)?.password == nil, "\(name) holds a password in a URL")
                }
            }
        }
        // Every secret Sluice needs here comes from a file.
        for secret in Self.sluiceSecrets {
            #expect(environment["\(secret)_FILE"] != nil, "\(secret)_FILE is not set")
        }
    }

    /// Every `*_FILE` variable (Grafana: `*__FILE`) of every service points at a secret mounted in it.
    @Test func everyFileVariableIsAMountedSecret() throws {
        for (name, service) in try Self.services().sorted(by: { $0.key < $1.key }) {
            let mounted = Set(Self.mountedSecrets(service).values)
            for (variable, path) in Self.environment(service) where variable.hasSuffix("_FILE") {
                #expect(mounted.contains(path), "\(name): \(variable)=\(path) is not a mounted secret")
            }
        }
    }

    /// The sluice service's environment, loaded the way Sluice loads it (secrets from the example
    /// files), gives a connection setting for every server, from the environment and files only.
    @Test func sluiceConfigurationLoadsFromTheComposeEnvironment() throws {
        let services = try Self.services()
        let sluice = try #require(services["sluice"])
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-compose-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }

        let compose = try Self.compose()
        let declared = compose["secrets"] as? [String: Any] ?? [:]
        var environment: [String: String] = [:]
        var secretValues: [String: String] = [:]
        for (name, value) in Self.environment(sluice) {
            let resolved = try #require(Self.interpolateDefaults(value), "\(name)=\(value) has a variable without a default")
            guard name.hasSuffix("_FILE") else { environment[name] = resolved; continue }
            // /run/secrets/<secret> → a private copy of deploy/<file>.example.
            let secret = try #require(Self.mountedSecrets(sluice).first { $0.value == resolved }?.key)
            let file = try #require((declared[secret] as? [String: Any])?["file"] as? String)
            let example = Self.deploy.appendingPathComponent(file + ".example")
            let copy = scratch.appendingPathComponent(secret)
            try FileManager.default.copyItem(at: example, to: copy)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: copy.path)
            environment[name] = copy.path
            secretValues[String(name.dropLast(5))] = try String(contentsOf: example, encoding: .utf8)
                .trimmingCharacters(in: .newlines)
        }

        let config = try SluiceConfig.load(environment: environment, workingDirectory: scratch.path)
        for entry in config.entries where environment[entry.setting.key] != nil || environment[entry.setting.key + "_FILE"] != nil {
            switch entry.origin {
            case .environment, .file: break
            default: Issue.record("\(entry.setting.key) came from \(entry.origin), not from the compose environment")
            }
        }
        let mysql = try config.mysql()
        #expect(mysql.host == "mysql" && mysql.port == 3306 && mysql.password.value == secretValues["MYSQL_PASSWORD"])
        #expect(mysql.database == Self.interpolateDefaults(Self.environment(try #require(services["mysql"]))["MYSQL_DATABASE"] ?? ""))
        #expect(try config.kafka().bootstrapServers == "kafka:9092")
        _ = try config.s3()
        #expect(config[.awsSecretAccessKey] == secretValues["AWS_SECRET_ACCESS_KEY"])
        let warehouse = try config.warehouse()
        #expect(warehouse.host == "postgres" && warehouse.password.value == secretValues["WAREHOUSE_PASSWORD"])
    }

    /// The account: the same user and secret in MySQL and Sluice, the warehouse user and secret
    /// in PostgreSQL and Sluice, and grants and watermark table as Sluice needs them.
    @Test func accountsMatchBetweenServersAndSluice() throws {
        let services = try Self.services()
        let mysql = Self.environment(try #require(services["mysql"]))
        let postgres = Self.environment(try #require(services["postgres"]))
        let sluice = Self.environment(try #require(services["sluice"]))
        #expect(mysql["MYSQL_USER"] == sluice["MYSQL_USER"])
        #expect(mysql["MYSQL_PASSWORD_FILE"] == sluice["MYSQL_PASSWORD_FILE"])
        #expect(mysql["MYSQL_DATABASE"] == sluice["MYSQL_DATABASE"])
        #expect(postgres["POSTGRES_PASSWORD_FILE"] == sluice["WAREHOUSE_PASSWORD_FILE"])
        let url = try #require(URLComponents(string: sluice["WAREHOUSE_URL"] ?? ""))
        #expect(url.user == postgres["POSTGRES_USER"] && url.path == "/" + (postgres["POSTGRES_DB"] ?? "") && url.password == nil)

        let user = try #require(sluice["MYSQL_USER"])
        let sql = try Self.text("deploy/mysql/init.sql")
            .split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }.joined(separator: " ")
        let normalized = sql.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(normalized.contains("GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO '\(user)'@'%'"))
        #expect(normalized.contains("GRANT SELECT ON * TO '\(user)'@'%'"))
        let watermarks = ExtractOptions().watermarkTable
        #expect(normalized.contains("GRANT INSERT, UPDATE ON \(watermarks) TO '\(user)'@'%'"))
        // The watermark table as Sluice would create it (Extractor+Watermark.swift).
        let source = try Self.text("Sources/Pipeline/Extract/Extractor+Watermark.swift")
        let columns = try #require(source.range(of: "\"(snapshot_table").map { range in
            source[source.index(after: range.lowerBound)...].prefix { $0 != "\"" }
        })
        #expect(normalized.contains("CREATE TABLE IF NOT EXISTS \(watermarks) \(columns)"), "init.sql's watermark table differs from Sluice's \(columns)")
    }

    // MARK: - The command line and the servers' settings

    /// A property name as swift-argument-parser spells its flag: `mysqlSSLCert` → `mysql-ssl-cert`,
    /// `awsAccessKeyID` → `aws-access-key-id`.
    static func kebabCase(_ name: String) -> String {
        let characters = Array(name)
        var result = ""
        for (index, character) in characters.enumerated() {
            if character.isUppercase, index > 0 {
                let previous = characters[index - 1]
                let nextIsLower = index + 1 < characters.count && characters[index + 1].isLowercase
                if previous.isLowercase || previous.isNumber || (previous.isUppercase && nextIsLower) { result += "-" }
            }
            result += character.lowercased()
        }
        return result
    }

    /// The swift-argument-parser flags a command accepts: its own `@Option`/`@Flag` properties
    /// and those of its `@OptionGroup`s, as `--kebab-case` (or a `.customLong` name).
    static func acceptedFlags(commandFile: String) throws -> Set<String> {
        let directory = root.appendingPathComponent("Sources/sluice")
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "swift" }
            .map { try String(contentsOf: $0, encoding: .utf8) }
        var texts = [try String(contentsOf: directory.appendingPathComponent(commandFile), encoding: .utf8)]
        let groupPattern = try Regex(#"@OptionGroup\s+(?:var|let)\s+\w+\s*:\s*(\w+)"#)
        var seen: Set<String> = []
        var index = 0
        while index < texts.count {
            for match in texts[index].matches(of: groupPattern) {
                let type = String(match.output[1].substring ?? "")
                guard seen.insert(type).inserted else { continue }
                texts += files.filter { $0.contains("struct \(type)") }
            }
            index += 1
        }
        var flags: Set<String> = []
        // The attribute may span lines: the property is the first `var` after it.
        let property = try Regex(#"@(?:Option|Flag)\b[\s\S]*?\bvar\s+(\w+)"#)
        let custom = try Regex(#"\.customLong\("([a-z0-9-]+)"\)"#)
        for text in texts {
            for match in text.matches(of: property) {
                let name = String(match.output[1].substring ?? "")
                flags.insert("--" + kebabCase(name))
            }
            for match in text.matches(of: custom) { flags.insert("--" + String(match.output[1].substring ?? "")) }
        }
        return flags
    }

    /// The file of the subcommand named `name` (`commandName: "name"`).
    static func commandFile(_ name: String) throws -> String? {
        let directory = root.appendingPathComponent("Sources/sluice")
        return try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted().first { file in
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            return text.contains("commandName: \"\(name)\"")
        }
    }

    /// `--name value` pairs and bare `--flags` of an argument list.
    static func flags(_ arguments: [String]) -> [String: String?] {
        var result: [String: String?] = [:]
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument.hasPrefix("--") {
                let next = index + 1 < arguments.count && !arguments[index + 1].hasPrefix("--") ? arguments[index + 1] : nil
                result[argument] = next
                index += next == nil ? 1 : 2
            } else {
                index += 1
            }
        }
        return result
    }

    @Test func sluiceCommandAndHealthCheckUseFlagsTheCLIAccepts() throws {
        let sluice = try #require(try Self.services()["sluice"])
        let command = Self.stringList(sluice["command"])
        #expect(command.first == "run")
        let runFile = try #require(try Self.commandFile("run"), "no run subcommand in Sources/sluice")
        let accepted = try Self.acceptedFlags(commandFile: runFile)
        let given = Self.flags(Array(command.dropFirst()))
        for flag in given.keys.sorted() {
            let known = accepted.contains(flag)
            #expect(known, "sluice run does not accept \(flag) (accepts \(accepted.sorted().joined(separator: " ")))")
        }
        #expect(given.keys.contains("--follow"), "the service must run with --follow")
        #expect(given["--log-format"] == "json")
        let metrics = try #require(given["--metrics-address"] ?? nil, "no --metrics-address")
        let port = try #require(metrics.split(separator: ":").last.map(String.init))
        #expect(metrics.hasPrefix("0.0.0.0:"), "metrics must listen beyond the container's loopback for Prometheus")

        // The health check: `sluice health --address 127.0.0.1:<metrics port> --ready`.
        let test = Self.stringList((sluice["healthcheck"] as? [String: Any])?["test"])
        #expect(Array(test.prefix(3)) == ["CMD", "sluice", "health"])
        let healthFile = try #require(try Self.commandFile("health"), "no health subcommand in Sources/sluice")
        let healthAccepted = try Self.acceptedFlags(commandFile: healthFile)
        let healthGiven = Self.flags(Array(test.dropFirst(3)))
        for flag in healthGiven.keys.sorted() {
            let known = healthAccepted.contains(flag)
            #expect(known, "sluice health does not accept \(flag) (accepts \(healthAccepted.sorted().joined(separator: " ")))")
        }
        #expect(healthGiven["--address"] == "127.0.0.1:\(port)")
        #expect(healthGiven.keys.contains("--ready"))
        // The published port is the metrics port.
        #expect((sluice["ports"] as? [String] ?? []).contains { $0.hasSuffix(":\(port)") })
    }

    /// MySQL's command line, read as Sluice's own check reads the server's variables.
    @Test func mysqlRunsWithTheBinlogSettingsSluiceNeeds() throws {
        let mysql = try #require(try Self.services()["mysql"])
        var settings: [String: String] = [:]
        for argument in Self.stringList(mysql["command"]) where argument.hasPrefix("--") {
            let parts = argument.dropFirst(2).split(separator: "=", maxSplits: 1).map(String.init)
            settings[parts[0].replacingOccurrences(of: "-", with: "_")] = parts.count > 1 ? parts[1] : "ON"
        }
        let binlog = BinlogSettings(logBin: settings["log_bin"] != nil && settings["skip_log_bin"] == nil,
                                    format: settings["binlog_format"] ?? "", rowImage: settings["binlog_row_image"] ?? "",
                                    serverID: UInt32(settings["server_id"] ?? "") ?? 0, rowMetadata: settings["binlog_row_metadata"])
        #expect(binlog.problem == nil, "\(binlog.problem ?? "")")
        #expect(binlog.logsColumnNames, "binlog_row_metadata must be FULL")
        #expect(binlog.serverID > 0 && binlog.serverID < 5_400_000, "server_id must be below Sluice's derived replica ids")
        #expect(settings["gtid_mode"] == "ON" && settings["enforce_gtid_consistency"] == "ON")
        #expect(Int(settings["binlog_expire_logs_seconds"] ?? "") ?? 0 >= 86_400, "keep binlogs at least a day")
        #expect(!(settings["binlog_row_value_options"] ?? "").uppercased().contains("PARTIAL_JSON"))
        let image = try #require(Self.interpolateDefaults(mysql["image"] as? String ?? ""))
        #expect(image.hasPrefix("mysql:8.4"))
    }

    @Test func prometheusScrapesTheSluiceMetricsPort() throws {
        let sluice = try #require(try Self.services()["sluice"])
        let metrics = try #require(Self.flags(Self.stringList(sluice["command"]))["--metrics-address"] ?? nil)
        let port = try #require(metrics.split(separator: ":").last.map(String.init))
        let prometheus = try #require(try Yams.load(yaml: try Self.text("deploy/prometheus.yml")) as? [String: Any])
        let jobs = try #require(prometheus["scrape_configs"] as? [[String: Any]])
        let job = try #require(jobs.first { ($0["job_name"] as? String) == "sluice" }, "no sluice job")
        #expect((job["metrics_path"] as? String ?? "/metrics") == "/metrics")
        let interval = (job["scrape_interval"] ?? (prometheus["global"] as? [String: Any])?["scrape_interval"]) as? String
        #expect(interval == "15s")
        let targets = (job["static_configs"] as? [[String: Any]] ?? []).flatMap { Self.stringList($0["targets"]) }
        #expect(targets == ["sluice:\(port)"])
        // Prometheus's compose service mounts this file where it reads its configuration.
        let service = try #require(try Self.services()["prometheus"])
        #expect(Self.stringList(service["volumes"]).contains { $0.hasPrefix("./prometheus.yml:/etc/prometheus/prometheus.yml") })
    }

    // MARK: - The dashboard

    @Test func dashboardUsesOnlyContractMetrics() throws {
        let data = try Data(contentsOf: Self.deploy.appendingPathComponent("grafana/dashboard.json"))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var expressions: [String] = []
        var datasourceUIDs: Set<String> = []
        func walk(_ value: Any) {
            if let map = value as? [String: Any] {
                if let expr = map["expr"] as? String { expressions.append(expr) }
                if let query = map["query"] as? String { expressions.append(query) }
                if let datasource = map["datasource"] as? [String: Any], let uid = datasource["uid"] as? String { datasourceUIDs.insert(uid) }
                map.values.forEach(walk)
            } else if let list = value as? [Any] {
                list.forEach(walk)
            }
        }
        walk(dashboard)
        #expect(!expressions.isEmpty)
        let metricName = try Regex(#"[a-zA-Z_:][a-zA-Z0-9_:]*"#)
        let promQLWords: Set<String> = ["sum", "max", "min", "avg", "by", "without", "rate", "irate", "increase", "histogram_quantile",
                                        "le", "count", "topk", "bottomk", "clamp_min", "clamp_max", "abs", "time", "on", "ignoring",
                                        "group_left", "group_right", "and", "or", "unless", "offset", "delta", "deriv"]
        var used: Set<String> = []
        for expression in expressions {
            // Drop label matchers, legend templates, Grafana variables and ranges before looking for names.
            var stripped = expression.replacing(try Regex(#"\{[^}]*\}"#), with: " ")
            stripped = stripped.replacing(try Regex(#"\[[^\]]*\]"#), with: " ")
            stripped = stripped.replacing(try Regex(#"\b(by|without|on|ignoring)\s*\([^)]*\)"#), with: " ")
            for match in stripped.matches(of: metricName) {
                let word = String(stripped[match.range])
                if promQLWords.contains(word) || word.allSatisfy({ $0.isNumber || $0 == "." }) { continue }
                #expect(word.hasPrefix("sluice_"), "\(word) in \(expression) is not a Sluice metric")
                used.insert(word)
            }
        }
        for name in used.sorted() {
            var base = name
            for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) && Self.metricsContract[name] == nil {
                base = String(name.dropLast(suffix.count))
                #expect(Self.metricsContract[base] == .histogram, "\(name): \(base) is not a histogram of the contract")
            }
            #expect(Self.metricsContract[base] != nil, "\(name) is not in the metrics contract")
        }
        // Counters are read as rates; histograms through their buckets.
        for expression in expressions {
            for (name, kind) in Self.metricsContract where kind == .counter && expression.contains(name) {
                #expect(expression.contains("rate(") || expression.contains("increase("), "counter \(name) used without rate/increase: \(expression)")
            }
            for (name, kind) in Self.metricsContract where kind == .histogram && expression.contains(name) {
                #expect(expression.contains("histogram_quantile(") && expression.contains(name + "_bucket"), "histogram \(name): \(expression)")
            }
        }
        // Every panel uses the provisioned datasource.
        let provisioning = try #require(try Yams.load(yaml: try Self.text("deploy/grafana/provisioning/datasources/prometheus.yaml")) as? [String: Any])
        let sources = try #require(provisioning["datasources"] as? [[String: Any]])
        let uids = Set(sources.compactMap { $0["uid"] as? String })
        #expect(!datasourceUIDs.isEmpty && datasourceUIDs.isSubset(of: uids), "dashboard datasources \(datasourceUIDs) vs provisioned \(uids)")
        #expect(sources.contains { ($0["url"] as? String) == "http://prometheus:9090" })
    }

    /// The README's metrics table lists every metric Sluice exports, and no other.
    @Test func readmeListsEveryMetric() throws {
        let readme = try Self.text("README.md")
        let listed = Set(readme.split(separator: "\n").filter { $0.hasPrefix("| `sluice_") }
            .compactMap { $0.split(separator: "`").dropFirst().first.map(String.init) })
        #expect(listed == Set(Self.metricsContract.keys), "README lists \(listed.sorted()); Sluice exports \(Self.metricsContract.keys.sorted())")
    }
}
