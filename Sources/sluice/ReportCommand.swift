import ArgumentParser
import Foundation
import Pipeline

/// `sluice report`: the model's report from the star, in the terminal and as HTML.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Print the model's report from the star schema and save it as an HTML page with bar charts.")

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Folder for index.html.") var output = ".sluice/report"

    func run() async throws {
        let config = try connection.load()
        let report = try await StarReport.load(try config.model(), warehouse: try config.warehouse())
        for section in report.sections {
            print("== \(section.title)")
            var table = TextTable(section.columns.map { $0.uppercased() })
            for row in section.rows { table.add(row) }
            print(table.rendered)
            print()
        }
        let folder = URL(fileURLWithPath: output, isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let file = folder.appendingPathComponent("index.html")
            try Data(report.html.utf8).write(to: file)
            print("report: \(file.standardizedFileURL.path)")
        } catch {
            throw ValidationError("cannot write the report to \(folder.path): \(error.localizedDescription)")
        }
    }
}
