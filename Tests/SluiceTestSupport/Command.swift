import Foundation

/// What a finished process printed and how it exited.
public struct CommandResult: Sendable {
    public var status: Int32
    public var standardOutput: String
    public var standardError: String
}

/// Runs the `sluice` CLI with arguments and extra environment, from the package root, and waits for it.
/// Output goes through files, not pipes, so no read can be interrupted or block the child.
public func runSluice(_ arguments: [String], environment: [String: String] = [:], timeoutSeconds: Double = 600) throws -> CommandResult {
    try runProgram(TestStack.sluiceBinary, arguments, environment: environment, timeoutSeconds: timeoutSeconds)
}

/// Runs any program to completion, its output captured through files.
public func runProgram(_ executable: URL, _ arguments: [String], environment: [String: String] = [:],
                       timeoutSeconds: Double = 600) throws -> CommandResult {
    let run = try BackgroundProcess(executable: executable, arguments, environment: environment)
    guard let status = run.wait(seconds: timeoutSeconds) else {
        run.signal(SIGKILL)
        throw TemporaryServerError(description: "\(executable.lastPathComponent) \(arguments.joined(separator: " ")) did not finish in \(timeoutSeconds) s")
    }
    return CommandResult(status: status, standardOutput: run.standardOutput, standardError: run.standardError)
}

/// Runs `python3` (from the PATH) with arguments.
public func runPython(_ arguments: [String]) throws -> CommandResult {
    try runProgram(URL(fileURLWithPath: "/usr/bin/env"), ["python3"] + arguments)
}

/// A `sluice` process running in the background.
public typealias BackgroundSluice = BackgroundProcess

extension BackgroundProcess {
    /// Starts `sluice` with these arguments.
    public convenience init(_ arguments: [String], environment: [String: String] = [:]) throws {
        try self.init(executable: TestStack.sluiceBinary, arguments, environment: environment)
    }
}

/// A process running in the background, its output going to files.
public final class BackgroundProcess: @unchecked Sendable {
    public let process = Process()
    let outputURL: URL
    let errorURL: URL

    public init(executable: URL, _ arguments: [String], environment: [String: String] = [:],
                workingDirectory: URL = TestStack.root) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-bg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        outputURL = directory.appendingPathComponent("stdout")
        errorURL = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = workingDirectory
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = try FileHandle(forWritingTo: outputURL)
        process.standardError = try FileHandle(forWritingTo: errorURL)
        try process.run()
    }

    public var standardOutput: String { (try? String(contentsOf: outputURL, encoding: .utf8)) ?? "" }
    public var standardError: String { (try? String(contentsOf: errorURL, encoding: .utf8)) ?? "" }

    /// Sends a signal (SIGTERM to stop cleanly, SIGKILL to crash it).
    public func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for the process to end, up to `seconds`; returns its exit status (nil on timeout).
    public func wait(seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning { return nil }
        return process.terminationStatus
    }

    deinit { if process.isRunning { process.terminate() } }
}
