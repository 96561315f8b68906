import Foundation
import ArgumentParser
import Pipeline

/// `sluice doctor`: one line per server, non-zero exit if any is unusable.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check that MySQL, Kafka, S3 and the warehouse are reachable and usable.")

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let config = try connection.load()
        let checks = await Doctor.run(config)
        let width = checks.map(\.name.count).max() ?? 0
        for check in checks {
            let mark = check.ok ? "ok  " : "FAIL"
            print("\(mark) \(check.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(check.detail)")
        }
        let failed = checks.filter { !$0.ok }.count
        if failed > 0 {
            print("\(failed) of \(checks.count) checks failed")
            throw ExitCode(1)
        }
    }
}
