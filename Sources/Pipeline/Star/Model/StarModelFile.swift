import Foundation
import Yams

/// A model file as written (YAML; `models/` holds the bundled worked example): the star's
/// dimensions, date dimension, rebuild units and facts as SQL over `staging`, and what `verify`
/// and `report` read from it. ``SluiceModel`` loads and validates it.
struct StarModelFile: Decodable, Sendable {
    struct Column: Decodable, Sendable {
        let name: String
        let type: String
        let notNull: Bool?
        enum CodingKeys: String, CodingKey, CaseIterable { case name, type, notNull = "not_null" }
    }

    struct Dimension: Decodable, Sendable {
        let name: String
        let surrogateKey: String
        let naturalKey: Column
        let attributes: [Column]
        /// The staging table whose columns of the same names are the dimension (instead of `query`).
        let table: String?
        /// Staging tables read (default: `table`).
        let sourceList: [String]?
        /// A query over staging giving the natural key, the attributes and `_src_ms` (instead of `table`).
        let query: String?
        /// 2 (default): a change opens a new version; 1: it overwrites the current one.
        let scd: Int?
        /// Rows always present (an unknown member): column name → value (`null` allowed).
        let staticRows: [[String: String?]]?
        /// The source table whose rows the current versions mirror one to one (compared by `verify`).
        let mirrors: String?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, attributes, table, query, mirrors, scd
            case sourceList = "sources", surrogateKey = "surrogate_key", naturalKey = "natural_key", staticRows = "static_rows"
        }

        var sources: [String] { sourceList ?? table.map { [$0] } ?? [] }

        /// The query the dimension is compared with: `query`, or every column from `table`.
        var selection: String {
            if let query { return query }
            let columns = ([naturalKey] + attributes).map(\.name) + ["_src_ms"]
            return "SELECT \(columns.joined(separator: ", ")) FROM staging.\(ModelNames.sqlName(table ?? ""))"
        }
    }

    struct Dates: Decodable, Sendable {
        let name: String
        let sources: [String]
        let dates: [String]
        enum CodingKeys: String, CodingKey, CaseIterable { case name, sources, dates }
    }

    struct Unit: Decodable, Sendable {
        struct MarkAll: Decodable, Sendable {
            let table: String
            let key: String
            enum CodingKeys: String, CodingKey, CaseIterable { case table, key }
        }
        let name: String
        let columns: String
        let markAll: MarkAll
        let changes: [String]
        enum CodingKeys: String, CodingKey, CaseIterable { case name, columns, changes, markAll = "mark_all" }
    }

    struct Fact: Decodable, Sendable {
        struct Distribution: Decodable, Sendable {
            let key: String?
            let all: Bool?
            enum CodingKeys: String, CodingKey, CaseIterable { case key, all }
        }
        let name: String
        let sources: [String]
        let grain: [String]
        let rebuildUnit: String
        let columns: [Column]
        let distribution: Distribution?
        let sortKey: [String]?
        let select: String
        let mirrors: String?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, sources, grain, columns, distribution, select, mirrors
            case rebuildUnit = "rebuild_unit", sortKey = "sort_key"
        }
    }

    /// A reconciliation for `verify`: the same exact figure computed in the source, staging and the star.
    struct Check: Decodable, Sendable {
        let name: String
        /// The source table the check belongs to (its row in `verify`).
        let table: String
        /// A query on the source database (MySQL), one value.
        let source: String
        /// Optional: columns of `table` whose product, summed over the lake's live rows, gives the figure.
        let lakeProduct: [String]?
        let staging: String?
        let star: String?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, table, source, staging, star
            case lakeProduct = "lake_product"
        }
    }

    /// `sluice report`: a title and sections, each a query over the star drawn as a bar chart.
    struct Report: Decodable, Sendable {
        struct Section: Decodable, Sendable {
            let title: String
            let query: String
            /// The column the bars measure.
            let value: String
            /// Columns that label a bar.
            let labels: [String]
            enum CodingKeys: String, CodingKey, CaseIterable { case title, query, value, labels }
        }
        let title: String
        let sections: [Section]
        enum CodingKeys: String, CodingKey, CaseIterable { case title, sections }
    }

    /// `sluice generate`: the key columns shifted per copy, by table; each names the `table.column`
    /// whose span sets its stride.
    struct Generate: Decodable, Sendable {
        let shift: [String: [String: String]]
        enum CodingKeys: String, CodingKey, CaseIterable { case shift }
    }

    let dimensions: [Dimension]
    let dateDimension: Dates
    let rebuildUnits: [Unit]
    let facts: [Fact]
    let checks: [Check]?
    let report: Report?
    let generate: Generate?
    enum CodingKeys: String, CodingKey, CaseIterable {
        case dimensions, facts, checks, report, generate
        case dateDimension = "date_dimension", rebuildUnits = "rebuild_units"
    }
}
