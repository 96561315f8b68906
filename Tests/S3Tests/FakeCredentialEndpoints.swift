import Foundation
import SluiceSupport
import SluiceTestSupport

/// STS, ECS and EC2 metadata stand-ins (`Fixtures/aws/fake_credential_endpoints.py`)
/// on 127.0.0.1: those services cannot run here, so a small Python server
/// answers as the AWS documentation specifies and logs every request.
final class FakeCredentialEndpoints: @unchecked Sendable {
    // @unchecked: the mutable state is the child process handle, only touched from
    // the test that owns this object; the files are written and read, not shared.

    /// What the fake hands out; written to a file it reads on every request.
    struct State: Codable {
        var access_key: String
        var secret_key: String
        /// Empty means no session token (SeaweedFS rejects unknown session tokens).
        var token: String = ""
        var expires_in: Int = 3600
        var role: String = "sluice-role"
        /// The Authorization header the ECS endpoint requires, if any.
        var authorization: String?
    }

    /// One request the fake received.
    struct Request: Decodable {
        var method: String
        var path: String
        var headers: [String: String]
        var body: String

        /// The form (POST body or GET query) of an STS call, decoded.
        var form: [String: String] {
            let text = method == "POST" ? body : (path.split(separator: "?", maxSplits: 1).dropFirst().first.map(String.init) ?? "")
            var fields: [String: String] = [:]
            for pair in text.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                let decode = { (text: String) in text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? text }
                fields[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
            }
            return fields
        }
    }

    let directory: URL
    let process: BackgroundProcess
    let url: String

    init(_ state: State) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-fake-aws-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = TestStack.root.appendingPathComponent("Tests/S3Tests/Fixtures/aws/fake_credential_endpoints.py")
        let stateFile = directory.appendingPathComponent("state.json")
        try JSONEncoder().encode(state).write(to: stateFile)
        process = try BackgroundProcess(executable: URL(fileURLWithPath: "/usr/bin/env"),
                                        ["python3", script.path, stateFile.path, directory.appendingPathComponent("log.jsonl").path])
        var port = ""
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            port = process.standardOutput.split(separator: "\n").first.map(String.init) ?? ""
            if !port.isEmpty || !process.process.isRunning { break }
            usleep(50_000)
        }
        guard Int(port) != nil else {
            throw FakeEndpointError(description: "the fake AWS endpoints did not start: \(process.standardError)")
        }
        url = "http://127.0.0.1:\(port)"
    }

    /// Changes what the fake hands out from the next request on.
    func update(_ state: State) throws {
        try JSONEncoder().encode(state).write(to: directory.appendingPathComponent("state.json"), options: .atomic)
    }

    /// Every request so far, in order.
    func requests() throws -> [Request] {
        guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent("log.jsonl").path) else { return [] }
        return try data.split(separator: UInt8(ascii: "\n")).map { try JSONDecoder().decode(Request.self, from: Data($0)) }
    }

    /// A scratch file in this fake's directory.
    func file(_ name: String, contents: String, executable: Bool = false) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path) }
        return path
    }

    deinit {
        process.signal(SIGKILL)
        _ = process.wait(seconds: 5)
        try? FileManager.default.removeItem(at: directory)
    }
}

struct FakeEndpointError: Error, CustomStringConvertible {
    var description: String
}
