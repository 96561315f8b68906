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
            #expect(lines.count == 4)
            for name in ["MySQL", "Kafka", "S3", "warehouse"] {
                #expect(lines.contains { $0.hasPrefix("ok") && $0.contains(" \(name) ") }, "\(name) not green: \(result.standardOutput)")
            }
            #expect(result.standardOutput.contains("3 brokers"))
            // The stack logs full row metadata, so every row image is checked by column name.
            #expect(result.standardOutput.contains("row metadata FULL"), "\(result.standardOutput)")
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
