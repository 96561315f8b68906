import Foundation
import MySQL
import Pipeline
import SluiceSupport

/// The local stack as the tests see it: the configuration `scripts/stack up`
/// wrote, plus the administrative MySQL account the tests use to change data.
///
/// A test that needs a server fails (it is never skipped) when the stack is
/// not up, with a message that says how to start it.
public enum TestStack {
    /// The package's root directory.
    public static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    public static var stackFile: String { root.appendingPathComponent(".sluice/stack.env").path }

    /// The effective configuration, read as the CLI reads it from the package root.
    public static func config(flags: [String: String] = [:]) throws -> SluiceConfig {
        guard FileManager.default.fileExists(atPath: stackFile) else {
            throw StackNotUp()
        }
        return try SluiceConfig.load(flags: flags, workingDirectory: root.path)
    }

    /// Raw values from the stack file (for settings only tests use).
    public static func stackValues() throws -> [String: String] {
        guard let values = try EnvFile.load(path: stackFile) else { throw StackNotUp() }
        return values
    }

    /// A connection configuration for the administrative account (all privileges).
    public static func mysqlAdmin(database: String? = "classicmodels") throws -> MySQLConnection.Configuration {
        var settings = try config().mysql()
        let values = try stackValues()
        settings.user = values["SLUICE_MYSQL_ADMIN_USER"] ?? "root"
        settings.password = Secret(values["SLUICE_MYSQL_ADMIN_PASSWORD"] ?? "")
        settings.database = database
        return settings
    }

    /// The `sluice` executable built next to the test bundle.
    public static var sluiceBinary: URL {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("sluice"),
            root.appendingPathComponent(".build/debug/sluice"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[1]
    }

    public struct StackNotUp: Error, CustomStringConvertible {
        public var description: String {
            "the local stack is not up (no \(TestStack.stackFile)); run scripts/stack up, or scripts/test which does it"
        }
    }
}
