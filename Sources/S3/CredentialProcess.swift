import Foundation
import SluiceSupport

/// A profile's `credential_process`: a command, run without a shell, that
/// prints `{"Version": 1, "AccessKeyId": …, "SecretAccessKey": …,
/// "SessionToken": …, "Expiration": …}` on standard output.
struct CredentialProcess: Sendable {
    /// The command line as written in the config file.
    let commandLine: String
    /// For messages: `profile dev`.
    let profileDescription: String
    /// Where to look for a program named without a slash.
    let searchPath: String

    func run() async throws -> AWSCredentials {
        let arguments = try Self.split(commandLine)
        guard let program = arguments.first else { throw failure("credential_process is empty") }
        guard let executable = Self.resolve(program, searchPath: searchPath) else {
            throw failure("credential_process program \(program) not found (not a path, and not on PATH)")
        }
        let result: (status: Int32, output: Data, error: Data)
        do {
            result = try await Self.execute(executable, Array(arguments.dropFirst()))
        } catch {
            throw failure("cannot start credential_process \(program): \(error.localizedDescription)")
        }
        guard result.status == 0 else {
            // Its stderr's first line says why; its stdout may hold a secret, so it is not shown.
            let why = CredentialEndpoint.firstLine(String(decoding: result.error, as: UTF8.self))
            throw failure("credential_process \(program) exited with status \(result.status)\(why.isEmpty ? "" : ": \(why)")")
        }
        do {
            let document = try? JSONValue.parse(Array(result.output))
            if let version = document?["Version"]?.intValue, version != 1 {
                throw CredentialDocumentError("its Version is \(version); only 1 is defined")
            }
            return try AWSCredentials.fromJSON(result.output)
        } catch let error as CredentialDocumentError {
            throw failure("credential_process \(program) printed no usable credentials: \(error.message)")
        }
    }

    func failure(_ message: String) -> S3Error {
        S3Error(code: .credentialSource, operation: "get credentials from \(profileDescription)", message: message)
    }

    /// Splits a command line as the AWS CLI does on POSIX (like `shlex.split`):
    /// whitespace separates words; single quotes keep everything literally;
    /// double quotes keep all but `\"`, `\\`, `\$` and `` \` ``; a backslash
    /// outside quotes escapes the next character.
    static func split(_ line: String) throws -> [String] {
        var words: [String] = []
        var word = ""
        var inWord = false
        var characters = line.makeIterator()
        while let character = characters.next() {
            switch character {
            case " ", "\t", "\n":
                if inWord { words.append(word); word = ""; inWord = false }
            case "'":
                inWord = true
                var closed = false
                while let next = characters.next() {
                    if next == "'" { closed = true; break }
                    word.append(next)
                }
                if !closed { throw splitError("an unclosed single quote") }
            case "\"":
                inWord = true
                var closed = false
                while let next = characters.next() {
                    if next == "\"" { closed = true; break }
                    if next == "\\" {
                        guard let escaped = characters.next() else { break }
                        if !"\"\\$`".contains(escaped) { word.append("\\") }
                        word.append(escaped)
                    } else {
                        word.append(next)
                    }
                }
                if !closed { throw splitError("an unclosed double quote") }
            case "\\":
                inWord = true
                if let escaped = characters.next() { word.append(escaped) }
            default:
                inWord = true
                word.append(character)
            }
        }
        if inWord { words.append(word) }
        return words
    }

    static func splitError(_ what: String) -> S3Error {
        S3Error(code: .credentialSource, operation: "read credential_process", message: "the command line has \(what)")
    }

    /// A program path: as given if it has a slash, else the first executable on the search path.
    static func resolve(_ program: String, searchPath: String) -> URL? {
        if program.contains("/") {
            return FileManager.default.isExecutableFile(atPath: program) ? URL(fileURLWithPath: program) : nil
        }
        for directory in searchPath.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return URL(fileURLWithPath: candidate) }
        }
        return nil
    }

    /// Runs the program to the end off the cooperative pool, collecting both outputs.
    static func execute(_ executable: URL, _ arguments: [String]) async throws -> (status: Int32, output: Data, error: Data) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Both pipes are drained at the same time so a chatty stderr cannot block the child.
        async let errorData = runBlocking { error.fileHandleForReading.readDataToEndOfFile() }
        let outputData = try await runBlocking { output.fileHandleForReading.readDataToEndOfFile() }
        let stderrData = try await errorData
        let status = try await runBlocking { () -> Int32 in
            process.waitUntilExit()
            return process.terminationStatus
        }
        return (status, outputData, stderrData)
    }
}
