import Foundation
import Warehouse
import Yams

/// A validated model file: the star load builds, the checks `verify` adds and the report
/// `sluice report` prints. Loading fails with every problem found, one line each with `file:line`.
public struct SluiceModel: Sendable {
    public let path: String
    let file: StarModelFile
    let source: ModelSource
    let star: StarDefinition

    /// Reads, decodes and validates a model file (no database needed).
    public static func load(path: String) throws -> SluiceModel {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelError(["\(path): cannot be read (set SLUICE_MODEL or --model to a model file; sluice model init drafts one)"])
        }
        return try parse(String(decoding: data, as: UTF8.self), path: path)
    }

    /// Decodes and validates model text; `path` names it in problems.
    static func parse(_ text: String, path: String) throws -> SluiceModel {
        let source = try ModelSource(path: path, text: text)
        let file: StarModelFile
        do {
            file = try YAMLDecoder().decode(StarModelFile.self, from: text)
        } catch let error as DecodingError {
            throw ModelError([Self.describe(error, in: source)])
        } catch let error as YamlError {
            throw ModelError([ModelSource.problem(error, path: path)])
        }
        let problems = source.unknownKeys(allowed: Self.allowedKeys) + file.problems(in: source)
        guard problems.isEmpty else { throw ModelError(problems) }
        return SluiceModel(path: path, file: file, source: source, star: try file.definition())
    }

    /// The star's SQL for a dialect: DDL, then one incremental update (`sluice model plan`).
    public func plan(_ dialect: SQLDialect.Kind) -> String {
        let sql = SQLDialect(kind: dialect)
        return (["-- DDL (idempotent)"] + star.createStatements(sql).map { $0 + ";" }
            + ["", "-- One incremental update, in one transaction"] + star.updateStatements(sql).map { $0 + ";" })
            .joined(separator: "\n") + "\n"
    }

    /// Keys each mapping may have, by path pattern (`[]` for any index).
    static let allowedKeys: [String: Set<String>] = {
        func keys<K: CodingKey & CaseIterable>(_ type: K.Type) -> Set<String> { Set(K.allCases.map(\.stringValue)) }
        typealias F = StarModelFile
        let column = keys(F.Column.CodingKeys.self)
        return [
            "": keys(F.CodingKeys.self),
            "dimensions[]": keys(F.Dimension.CodingKeys.self), "dimensions[].natural_key": column, "dimensions[].attributes[]": column,
            "date_dimension": keys(F.Dates.CodingKeys.self),
            "rebuild_units[]": keys(F.Unit.CodingKeys.self), "rebuild_units[].mark_all": keys(F.Unit.MarkAll.CodingKeys.self),
            "facts[]": keys(F.Fact.CodingKeys.self), "facts[].columns[]": column, "facts[].distribution": keys(F.Fact.Distribution.CodingKeys.self),
            "checks[]": keys(F.Check.CodingKeys.self),
            "report": keys(F.Report.CodingKeys.self), "report.sections[]": keys(F.Report.Section.CodingKeys.self),
            "generate": keys(F.Generate.CodingKeys.self),
        ]
    }()

    static func describe(_ error: DecodingError, in source: ModelSource) -> String {
        let context: DecodingError.Context
        switch error {
        case .keyNotFound(_, let found), .typeMismatch(_, let found), .valueNotFound(_, let found), .dataCorrupted(let found): context = found
        @unknown default: return "\(source.path): \(error)"
        }
        let steps = ModelSource.steps(context.codingPath)
        let at = source.location(steps), field = steps.last.map(String.init(describing:)) ?? "value"
        switch error {
        case .keyNotFound(let key, _): return "\(at): missing \(key.stringValue)"
        case .typeMismatch(let type, _): return "\(at): \(field) should be \(Self.name(type))"
        case .valueNotFound(let type, _): return "\(at): \(field) is empty; it should be \(Self.name(type))"
        default: return "\(at): \(context.debugDescription)"
        }
    }

    static func name(_ type: Any.Type) -> String {
        let text = String(describing: type)
        if text.hasPrefix("Array") { return "a list" }
        if text.hasPrefix("Dictionary") || text.hasPrefix("KeyedDecodingContainer") { return "a mapping" }
        if text == "String" { return "text" }
        if text == "Bool" { return "true or false" }
        return text
    }
}

extension SluiceConfig {
    /// The model file in effect (`SLUICE_MODEL`, `--model`), validated.
    public func model() throws -> SluiceModel {
        try SluiceModel.load(path: try required(.model))
    }

    /// The star the model file declares.
    func star() throws -> StarDefinition { try model().star }

    /// Whether a model file is configured (verify and `load --no-star` work without one).
    var hasModel: Bool { self[.model] != nil }
}

extension SluiceModel {
    /// The model's checks of a source table, in file order.
    func checks(of table: String) -> [StarModelFile.Check] {
        (file.checks ?? []).filter { $0.table == table }
    }

    /// The star table whose rows mirror a source table, and which of its rows (current versions of a dimension).
    func mirror(of table: String) -> (table: String, filter: String)? {
        if let dimension = file.dimensions.first(where: { $0.mirrors == table }) {
            // Static rows (an unknown member) have no source row.
            let statics = (dimension.staticRows ?? []).compactMap { $0[dimension.naturalKey.name] ?? nil }
            let excluded = statics.isEmpty ? "" : " AND \(dimension.naturalKey.name) NOT IN (\(statics.map(WarehouseSession.literal).joined(separator: ", ")))"
            return (dimension.name, "is_current" + excluded)
        }
        if let fact = file.facts.first(where: { $0.mirrors == table }) { return (fact.name, "true") }
        return nil
    }

    /// Key columns `sluice generate` shifts per copy: table → column → the `table.column` whose span sets the stride.
    public var generateShifts: [String: [String: String]] { file.generate?.shift ?? [:] }

    /// The source queries of the model's checks, by name (printed by `sluice generate`).
    public var checkQueries: [(name: String, source: String)] { (file.checks ?? []).map { ($0.name, $0.source) } }
}
