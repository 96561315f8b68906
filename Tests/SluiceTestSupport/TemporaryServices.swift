import Foundation

/// A private dev Kafka cluster (`sluice dev-kafka`) for a test that needs
/// topics with a particular partition count or a cluster of its own.
public final class TemporaryDevKafka: @unchecked Sendable {
    public let bootstrapServers: String
    let process: BackgroundProcess

    public init(brokers: Int = 1, topics: [String: Int] = [:]) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-kafka-\(UUID().uuidString.prefix(8))")
        var arguments = ["dev-kafka", "--brokers", String(brokers), "--bootstrap-file", file.path]
        for (topic, partitions) in topics { arguments += ["--topic", "\(topic):\(partitions)"] }
        process = try BackgroundProcess(arguments)
        var bootstrap = ""
        let ready = eventually(within: 20) {
            bootstrap = ((try? String(contentsOf: file, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            return !bootstrap.isEmpty
        }
        guard ready else { throw TemporaryServerError(description: "dev-kafka did not start: \(process.standardError)") }
        bootstrapServers = bootstrap
    }

    public func stop() { process.signal(SIGTERM); _ = process.wait(seconds: 10) }
    deinit { process.signal(SIGKILL) }
}

/// A private SeaweedFS S3 server with the stack's credentials, which a test
/// may stop and start again (same data, same port) to simulate an outage.
public final class TemporarySeaweedFS: @unchecked Sendable {
    public let port: Int
    let directory: URL
    let basePort: Int
    var process: BackgroundProcess?

    public init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-weed-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("data"), withIntermediateDirectories: true)
        // Each port p also takes p + 10000 for gRPC. All of them stay below Linux's ephemeral range
        // (32768 and up), where the dev Kafka's brokers and every client connection take ports:
        // a volume server that lost its port to one of those crashed at start (seen in CI).
        basePort = 20_000 + Int.random(in: 0..<50) * 50
        port = basePort
        let values = try TestStack.stackValues()
        let identities = """
            {"identities": [{"name": "sluice", "credentials": [{"accessKey": "\(values["AWS_ACCESS_KEY_ID"] ?? "")",
             "secretKey": "\(values["AWS_SECRET_ACCESS_KEY"] ?? "")"}], "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
            """
        try identities.write(to: directory.appendingPathComponent("identities.json"), atomically: true, encoding: .utf8)
        try start()
    }

    /// Environment pointing `sluice` at this server.
    public var environment: [String: String] { ["S3_ENDPOINT": "http://127.0.0.1:\(port)"] }

    public func start() throws {
        let weed = try runPython(["-c", "import sysconfig, os; p = os.path.join(sysconfig.get_path('scripts'), 'weed'); print(p if os.path.exists(p) else '')"])
            .standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        let executable = weed.isEmpty ? URL(fileURLWithPath: "/usr/bin/env") : URL(fileURLWithPath: weed)
        let prefix = weed.isEmpty ? ["weed"] : []
        process = try BackgroundProcess(executable: executable, prefix + [
            "server", "-dir=\(directory.appendingPathComponent("data").path)", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            "-master.port=\(basePort + 1)", "-volume.port=\(basePort + 2)", "-filer.port=\(basePort + 3)",
            "-volume.max=50", "-master.volumeSizeLimitMB=64", "-master.telemetry=false",
            "-s3", "-s3.port=\(port)", "-s3.config=\(directory.appendingPathComponent("identities.json").path)",
            "-s3.autoCreateBucket=false", "-s3.port.iceberg=0", "-s3.port.lance=0",
        ])
        let ready = eventually(within: 60) {
            (try? runProgram(URL(fileURLWithPath: "/usr/bin/curl"), ["-s", "-o", "/dev/null", "http://127.0.0.1:\(port)/"]).status) == 0
        }
        guard ready else { throw TemporaryServerError(description: "SeaweedFS did not start: \(process?.standardError.suffix(500) ?? "")") }
    }

    /// Stops the server (SIGKILL: no goodbye to clients) and waits until its port is closed.
    public func stop() {
        process?.signal(SIGKILL)
        _ = process?.wait(seconds: 20)
        process = nil
    }

    deinit {
        process?.signal(SIGKILL)
        try? FileManager.default.removeItem(at: directory)
    }
}
