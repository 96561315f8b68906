import Foundation
import SluiceTestSupport
import Testing

extension PipelineIntegration {
    /// The container image, built by `scripts/image` (podman, its Debian base made with
    /// debootstrap) and run with the host's network against the local stack: `doctor`, then a
    /// whole `run` and `verify` of a scratch database, with TLS verified against the stack's CA.
    /// Where podman cannot build or run the image, the test fails saying why; it never skips.
    @Suite struct ContainerTests {
        /// Where the CA file is mounted inside the container.
        static let containerCA = "/etc/sluice/tls/ca.pem"

        @Test func imageRunsDoctorRunAndVerifyAgainstTheStack() async throws {
            let stack = try TestStack.stackValues()
            try ContainerImage.build()

            let uid = try ContainerImage.run(options: ["--entrypoint", "id"], ["-u"])
            #expect(uid.status == 0, "\(uid.standardError)")
            let number = uid.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(!number.isEmpty && number != "0", "the container runs as uid '\(number)', not a non-root user")

            let database = try await TestDatabase.create(copying: ["customers", "payments"])
            defer { Task { await database.drop() } }
            try await database.execute("""
                CREATE TABLE accounts (id INT PRIMARY KEY, owner VARCHAR(40) NULL, balance DECIMAL(14,2) NULL,
                                       opened DATE NULL, closed DATE NULL, rate DECIMAL(6,4) NOT NULL)
                """)
            try await database.execute("""
                INSERT INTO accounts VALUES (1, 'Ada', 12345.67, '2024-02-29', NULL, 0.0125),
                    (2, NULL, -0.50, '1999-12-31', '2025-01-01', 1.0000), (3, 'Émile', NULL, NULL, NULL, 0.0000)
                """)
            let warehouse = try await TestWarehouse.create()
            let ca = try #require(stack["SLUICE_TLS_CA"], "the stack file names no CA (SLUICE_TLS_CA)")
            let settings = try ContainerSettings(stack: stack, overrides: Self.verifiedTLS(stack, database, warehouse))
            defer { settings.remove() }
            let options = ["--env-file", settings.file.path, "-v", "\(ca):\(Self.containerCA):ro"]
            let secrets = ContainerSettings.secrets(stack) + [warehouse.configuration.password.value]
            #expect(!options.contains { option in secrets.contains { option.contains($0) } }, "a secret on the podman command line")

            let doctor = try ContainerImage.run(options: options, ["doctor"])
            #expect(doctor.status == 0, "\(doctor.standardOutput)\(doctor.standardError)")
            let lines = doctor.standardOutput.split(separator: "\n")
            for name in ["MySQL", "Kafka", "S3", "warehouse"] {
                #expect(lines.contains { $0.hasPrefix("ok") && $0.contains(" \(name) ") }, "\(name) not green: \(doctor.standardOutput)")
            }

            let scope = ["--mysql-database", database.name, "--lake-root", "\(database.name)/raw"]
            let run = try ContainerImage.run(options: options, ["run", "--topic-prefix", database.name] + scope)
            #expect(run.status == 0, "\(run.standardOutput)\(run.standardError)")
            // 122 customers + 273 payments + 3 accounts, through every stage.
            for stage in ["extract  398", "land     398", "load     398"] {
                #expect(run.standardOutput.contains(stage), "\(run.standardOutput)")
            }
            let verify = try ContainerImage.run(options: options, ["verify"] + scope)
            #expect(verify.status == 0, "\(verify.standardOutput)\(verify.standardError)")
            #expect(verify.standardOutput.contains("verify: ✓ all"), "\(verify.standardOutput)")

            // The values themselves, NULLs and exact decimals included.
            let rows = try await warehouse.rows("SELECT id, owner, balance, opened, closed, rate FROM staging.accounts ORDER BY id")
            #expect(rows == [["1", "Ada", "12345.67", "2024-02-29", nil, "0.0125"],
                             ["2", nil, "-0.50", "1999-12-31", "2025-01-01", "1.0000"],
                             ["3", "Émile", nil, nil, nil, "0.0000"]], "\(rows)")
            #expect(try await warehouse.scalar("SELECT sum(amount) FROM staging.payments") == "8853839.23")

            let output = [doctor, run, verify].map { $0.standardOutput + $0.standardError }.joined()
            #expect(!secrets.contains { output.contains($0) }, "a secret in the container's output")
        }

        /// Every server over TLS verified against the stack's CA (mounted in the container), by the
        /// name its certificate holds; Kafka (no TLS on the dev cluster) as the stack has it.
        static func verifiedTLS(_ stack: [String: String], _ database: TestDatabase, _ warehouse: TestWarehouse) throws -> [String: String] {
            let s3 = try #require(stack["SLUICE_S3_TLS_ENDPOINT"], "the stack file names no HTTPS S3 endpoint")
            let warehouseURL = try #require(warehouse.environment["WAREHOUSE_URL"])
            var url = try #require(URLComponents(string: warehouseURL))
            url.host = "localhost"
            return [
                "MYSQL_DATABASE": database.name,
                "MYSQL_HOST": "localhost", "MYSQL_SSL_MODE": "verify_identity", "MYSQL_SSL_CA": containerCA,
                "S3_ENDPOINT": s3, "AWS_CA_BUNDLE": containerCA,
                "WAREHOUSE_URL": try #require(url.string), "PGSSLMODE": "verify-full", "PGSSLROOTCERT": containerCA,
            ]
        }
    }
}

/// `scripts/image`: builds the image (installing podman and making the base when missing) and runs it.
enum ContainerImage {
    static let script = TestStack.root.appendingPathComponent("scripts/image")

    /// Builds, or fails the test with the script's error line and the end of the log it names.
    static func build() throws {
        let result = try runProgram(script, [], timeoutSeconds: 3_600)
        guard result.status != 0 else { return }
        var message = "scripts/image failed (exit \(result.status)): \(result.standardError)"
        if let log = result.standardError.firstMatch(of: /see (\S+\.log)/)?.1,
           let text = try? String(contentsOfFile: String(log), encoding: .utf8) {
            message += "\nlast lines of \(log):\n" + text.split(separator: "\n").suffix(25).joined(separator: "\n")
        }
        Issue.record(Comment(rawValue: message))
        throw ImageNotBuilt()
    }

    /// `scripts/image run OPTIONS -- ARGS`: the same podman settings the script builds with.
    static func run(options: [String] = [], _ arguments: [String]) throws -> CommandResult {
        try runProgram(script, ["run"] + options + ["--"] + arguments, timeoutSeconds: 900)
    }

    struct ImageNotBuilt: Error, CustomStringConvertible {
        var description: String { "the container image could not be built (see the recorded issue)" }
    }
}

/// Sluice's settings for the container in an env file (mode 0600, in a 0700 folder), so no secret
/// is on the podman command line: the stack file's settings, less the tests' own (SLUICE_*).
struct ContainerSettings {
    let folder: URL
    let file: URL

    init(stack: [String: String], overrides: [String: String]) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-container-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o700])
        file = folder.appendingPathComponent("sluice.env")
        let settings = stack.filter { !$0.key.hasPrefix("SLUICE_") }.merging(overrides) { _, new in new }
        let text = settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)\n" }.joined()
        guard FileManager.default.createFile(atPath: file.path, contents: Data(text.utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path])
        }
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    /// The stack's secret values, none of which may show on a command line or in output.
    static func secrets(_ stack: [String: String]) -> [String] {
        stack.filter { $0.key.contains("PASSWORD") || $0.key.contains("SECRET") }.map(\.value).filter { $0.count >= 8 }
    }
}
