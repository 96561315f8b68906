import Foundation
import Logging
import Warehouse

/// The model's report (`report:` in the model file), read from the star: each section a
/// query, printed as a table and drawn as bars. Amounts stay exact decimal text.
public struct StarReport: Sendable {
    /// One table of the report: a title, column names and rows of text.
    public struct Section: Sendable {
        public var title: String
        public var columns: [String]
        public var rows: [[String]]
        /// Which column holds the amount the chart draws.
        public var valueColumn: Int
        /// Which column labels a bar.
        public var labelColumns: [Int]
    }

    public var title = "Report"
    public var sections: [Section] = []
    public var generatedAt = Date()

    init(title: String) { self.title = title }

    /// Runs the model's report queries against the warehouse.
    public static func load(_ model: SluiceModel, warehouse configuration: WarehouseConfiguration,
                            logger: Logger = Logger(label: "sluice.report")) async throws -> StarReport {
        guard let declared = model.file.report else {
            throw ReportError(message: "the model \(model.path) declares no report: add a report section (see the README)")
        }
        var report = StarReport(title: declared.title)
        try await Warehouse.withConnection(configuration, logger: logger) { connection in
            let session = WarehouseSession(connection: connection, logger: logger)
            for fact in model.star.facts where !(try await session.exists("mart.\(fact.table)")) {
                throw ReportError(message: "the warehouse has no star yet (mart.\(fact.table)); run sluice run or sluice load first")
            }
            for section in declared.sections {
                report.sections.append(try Section(section, result: try await session.rows(section.query)))
            }
            return ()
        }
        return report
    }
}

extension StarReport.Section {
    /// A declared section filled with its query's result. Column names come with the rows, so a
    /// section without rows shows the declared labels and value as its columns.
    init(_ declared: StarModelFile.Report.Section, result: (columns: [String], rows: [[String?]])) throws {
        let columns = result.rows.isEmpty ? declared.labels + [declared.value] : result.columns
        func index(_ name: String, _ role: String) throws -> Int {
            guard let index = columns.firstIndex(of: name) else {
                throw ReportError(message: "report section \(declared.title): its query has no column \(name) (\(role))")
            }
            return index
        }
        self.init(title: declared.title, columns: columns, rows: result.rows.map { $0.map { $0 ?? "" } },
                  valueColumn: try index(declared.value, "value"), labelColumns: try declared.labels.map { try index($0, "labels") })
    }
}

/// Why the report cannot be made, as one line.
public struct ReportError: UserFacingError, Sendable {
    public var message: String
    public var summary: String { "report: \(message)" }
}
