import Foundation
import Logging
import Warehouse

/// The demo's report, read from the star: top customers, sales by product
/// line and year, sales by office. Amounts stay exact decimal text.
public struct SalesReport: Sendable {
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

    public var sections: [Section] = []
    public var generatedAt = Date()

    static let queries: [(title: String, sql: String, value: Int, labels: [Int])] = [
        ("Top 10 customers by sales", """
            SELECT c.customer_name AS customer, c.country, count(DISTINCT f.order_number) AS orders, sum(f.line_amount) AS sales
            FROM mart.fact_order_line AS f JOIN mart.dim_customer AS c ON c.customer_key = f.customer_key
            GROUP BY c.customer_number, c.customer_name, c.country
            ORDER BY sales DESC, customer LIMIT 10
            """, 3, [0]),
        ("Sales by product line and year", """
            SELECT p.product_line, d.year, sum(f.line_amount) AS sales
            FROM mart.fact_order_line AS f
            JOIN mart.dim_product AS p ON p.product_key = f.product_key
            JOIN mart.dim_date AS d ON d.date_key = f.order_date_key
            GROUP BY p.product_line, d.year ORDER BY p.product_line, d.year
            """, 2, [0, 1]),
        ("Sales by office", """
            SELECT o.city AS office, o.country, count(DISTINCT f.order_number) AS orders, sum(f.line_amount) AS sales
            FROM mart.fact_order_line AS f JOIN mart.dim_office AS o ON o.office_key = f.office_key
            GROUP BY o.office_code, o.city, o.country ORDER BY sales DESC
            """, 3, [0, 1]),
    ]

    /// Runs the report's queries against the warehouse.
    public static func load(_ configuration: WarehouseConfiguration, logger: Logger = Logger(label: "sluice.report")) async throws -> SalesReport {
        var report = SalesReport()
        try await Warehouse.withConnection(configuration, logger: logger) { connection in
            let session = WarehouseSession(connection: connection, logger: logger)
            guard try await session.exists("mart.fact_order_line") else {
                throw ReportError(message: "the warehouse has no star yet (mart.fact_order_line); run sluice run or sluice load first")
            }
            for query in queries {
                let result = try await session.rows(query.sql)
                report.sections.append(Section(title: query.title, columns: result.columns,
                                               rows: result.rows.map { $0.map { $0 ?? "" } },
                                               valueColumn: query.value, labelColumns: query.labels))
            }
            return ()
        }
        return report
    }
}

/// Why the report cannot be made, as one line.
public struct ReportError: UserFacingError, Sendable {
    public var message: String
    public var summary: String { "report: \(message)" }
}
