import Foundation

/// A throwaway MariaDB server started by a test with the options it needs
/// (e.g. binary logging off), on its own loopback port and data directory.
public final class TemporaryMariaDB: @unchecked Sendable {
    public let port: Int
    public let password = "temporary-\(UUID().uuidString.prefix(8))"
    let directory: URL
    var server = Process()
    private var arguments: [String] = []

    /// Initialises and starts a server; `options` are extra `mariadbd` flags.
    public init(options: [String]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-mariadb-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = 23000 + Int.random(in: 0..<2000)   // clear of TemporarySeaweedFS (20000–22453, 30000–32453)
        let asRoot = getuid() == 0 ? ["--user=root"] : []
        let data = directory.appendingPathComponent("data").path
        // Its own temporary directory: the bootstrap's temporary tables in the shared /tmp were once
        // removed under it while other servers started beside it ("Could not remove temporary table").
        let scratch = directory.appendingPathComponent("tmp").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        try Self.run("/usr/bin/mariadb-install-db", ["--no-defaults", "--datadir=\(data)", "--tmpdir=\(scratch)",
                                                     "--auth-root-authentication-method=normal", "--skip-test-db"] + asRoot)
        arguments = ["--no-defaults", "--datadir=\(data)", "--tmpdir=\(scratch)", "--socket=\(directory.path)/sock", "--port=\(port)",
                     "--bind-address=127.0.0.1", "--skip-name-resolve", "--log-error=\(directory.path)/error.log",
                     "--pid-file=\(directory.path)/pid"] + asRoot + options
        try start()
        try Self.run("/usr/bin/mariadb", ["--no-defaults", "--socket=\(directory.path)/sock", "-uroot", "-e", """
            CREATE USER 'sluice'@'127.0.0.1' IDENTIFIED BY '\(password)';
            GRANT SELECT, RELOAD, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'sluice'@'127.0.0.1';
            CREATE DATABASE shop; CREATE TABLE shop.items (id INT PRIMARY KEY, name VARCHAR(20));
            """])
    }

    /// Binary logging as the local stack has it (ROW, full images, full metadata).
    public static let binlogOptions = ["--log-bin=binlog", "--binlog-format=ROW", "--binlog-row-image=FULL",
                                       "--binlog-row-metadata=FULL", "--server-id=7"]

    private func start() throws {
        server = Process()
        server.setExecutable("/usr/sbin/mariadbd")
        server.arguments = arguments
        try server.run()
        let ready = eventually(within: 30) { (try? execute("SELECT 1")) != nil }
        guard ready else { throw TemporaryServerError(description: "the temporary MariaDB did not start (see \(directory.path)/error.log)") }
        // Sluice connects over TCP: the port must answer too (a refused login still shows it listens).
        let listening = eventually(within: 30) {
            do { try Self.run("/usr/bin/mariadb", ["--no-defaults", "-h127.0.0.1", "-P\(self.port)", "-uroot", "--connect-timeout=2", "-e", "SELECT 1"]) }
            catch { return "\(error)".contains("Access denied") }
            return true
        }
        guard listening else { throw TemporaryServerError(description: "the temporary MariaDB answers on its socket but not on 127.0.0.1:\(port) (see \(directory.path)/error.log)") }
    }

    /// Runs SQL as root (over the socket); returns what the client printed.
    @discardableResult
    public func execute(_ sql: String, clientOptions: [String] = []) throws -> String {
        try Self.run("/usr/bin/mariadb", ["--no-defaults", "--socket=\(directory.path)/sock", "-uroot", "-N", "-B"] + clientOptions + ["-e", sql])
    }

    /// Stops the server (SIGKILL: a crash; else a clean shutdown) and starts it again on the same data and port.
    public func restart(crash: Bool = false) throws {
        if crash { kill(server.processIdentifier, SIGKILL) } else { server.terminate() }
        server.waitUntilExit()
        try start()
    }

    /// Stops the server and keeps it down.
    public func halt() {
        server.terminate()
        server.waitUntilExit()
    }

    /// Environment that points `sluice` at this server.
    public var environment: [String: String] {
        ["MYSQL_HOST": "127.0.0.1", "MYSQL_PORT": String(port), "MYSQL_USER": "sluice", "MYSQL_PASSWORD": password,
         "MYSQL_DATABASE": "shop"]
    }

    public func stop() {
        if server.isRunning {
            server.terminate()
            server.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { if server.isRunning { stop() } }

    @discardableResult
    static func run(_ path: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.setExecutable(path)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TemporaryServerError(description: "\(path) failed: \(String(decoding: data, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

public struct TemporaryServerError: Error, CustomStringConvertible {
    public var description: String
}

extension Process {
    func setExecutable(_ path: String) { executableURL = URL(fileURLWithPath: path) }
}
