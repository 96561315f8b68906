import Foundation
import SluiceTestSupport
import Testing

extension PipelineIntegration {
    /// `sluice doctor` and `sluice config` as a user runs them.
    @Suite struct DoctorCommandTests {
        @Test func doctorIsGreenOnTheStack() throws {
            _ = try TestStack.config()
            let result = try runSluice(["doctor"])
            #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
            let lines = result.standardOutput.split(separator: "\n")
            #expect(lines.count == 5)
            for name in ["MySQL", "Kafka", "S3", "warehouse", "model"] {
                #expect(lines.contains { $0.hasPrefix("ok") && $0.contains(" \(name) ") }, "\(name) not green: \(result.standardOutput)")
            }
            #expect(result.standardOutput.contains("3 brokers"))
            // The stack logs full row metadata, so every row image is checked by column name.
            #expect(result.standardOutput.contains("row metadata FULL"), "\(result.standardOutput)")
            #expect(result.standardOutput.contains("classicmodels.yaml: 4 dimensions, 2 facts, 1 checks"), "\(result.standardOutput)")
        }

        @Test func aBrokenModelFileFailsDoctorWithItsLine() throws {
            _ = try TestStack.config()
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("broken-\(UUID().uuidString).yaml")
            let model = try String(contentsOf: TestStack.root.appendingPathComponent("models/classicmodels.yaml"), encoding: .utf8)
            try model.replacingOccurrences(of: "rebuild_unit: affected_payments", with: "rebuild_unit: affected_checks")
                .write(to: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: file) }
            let result = try runSluice(["doctor"], environment: ["SLUICE_MODEL": file.path])
            #expect(result.status != 0)
            let line = result.standardOutput.split(separator: "\n").first { $0.contains(" model ") }
            #expect(line?.hasPrefix("FAIL") == true, "\(result.standardOutput)")
            #expect(line?.contains("\(file.path):") == true && line?.contains("rebuild unit affected_checks is not among rebuild_units") == true,
                    "\(result.standardOutput)")
        }

        @Test func wrongMySQLPasswordIsOneLineAndNonZero() throws {
            _ = try TestStack.config()
            let result = try runSluice(["doctor"], environment: ["MYSQL_PASSWORD": "not-the-password"])
            #expect(result.status != 0)
            let mysqlLines = result.standardOutput.split(separator: "\n").filter { $0.contains("MySQL") }
            #expect(mysqlLines.count == 1)
            #expect(mysqlLines.first?.hasPrefix("FAIL") == true)
            #expect(mysqlLines.first?.contains("Access denied") == true)
            #expect(!result.standardOutput.contains("not-the-password"))
            #expect(!result.standardError.contains("not-the-password"))
        }

        @Test func configShowsOriginsAndMasksSecrets() throws {
            let values = try TestStack.stackValues()
            let result = try runSluice(["config", "--mysql-host", "127.0.0.1"])
            #expect(result.status == 0)
            #expect(result.standardOutput.contains("flag --mysql-host"))
            #expect(result.standardOutput.contains("stack file"))
            for secret in ["MYSQL_PASSWORD", "AWS_SECRET_ACCESS_KEY"] {
                let value = try #require(values[secret])
                #expect(!result.standardOutput.contains(value), "\(secret) leaked")
            }
        }

        @Test func badFlagValueIsOneClearLine() throws {
            let result = try runSluice(["tables", "--mysql-port", "notaport"])
            #expect(result.status != 0)
            #expect(result.standardError.contains("MYSQL_PORT=notaport"))
            #expect(result.standardError.split(separator: "\n").count <= 2)
        }
    }
}
