import Foundation
import Yams

/// A star schema declared in a model file (YAML; `models/classicmodels.yaml` is the example):
/// SCD2 dimensions, a date dimension, rebuild units and facts, each as SQL over `staging`.
///
/// `load` builds the ``StarDefinition`` that load creates and updates (`SLUICE_MODEL`).
/// Work in progress (issue 17): no validation against staging yet, and no checks or reports.
struct StarModelFile: Decodable, Sendable {
    struct Column: Decodable, Sendable {
        let name: String
        let type: String
        let notNull: Bool?
        enum CodingKeys: String, CodingKey { case name, type, notNull = "not_null" }
    }

    struct Dimension: Decodable, Sendable {
        let name: String
        let surrogateKey: String
        let naturalKey: Column
        let attributes: [Column]
        let sources: [String]
        let query: String
        enum CodingKeys: String, CodingKey {
            case name, attributes, sources, query
            case surrogateKey = "surrogate_key", naturalKey = "natural_key"
        }
    }

    struct Dates: Decodable, Sendable {
        let name: String
        let sources: [String]
        let dates: [String]
    }

    struct Unit: Decodable, Sendable {
        struct MarkAll: Decodable, Sendable { let table: String; let key: String }
        let name: String
        let columns: String
        let markAll: MarkAll
        let changes: [String]
        enum CodingKeys: String, CodingKey { case name, columns, changes, markAll = "mark_all" }
    }

    struct Fact: Decodable, Sendable {
        struct Distribution: Decodable, Sendable { let key: String?; let all: Bool? }
        let name: String
        let sources: [String]
        let grain: [String]
        let rebuildUnit: String
        let columns: [Column]
        let distribution: Distribution?
        let sortKey: [String]?
        let select: String
        enum CodingKeys: String, CodingKey {
            case name, sources, grain, columns, distribution, select
            case rebuildUnit = "rebuild_unit", sortKey = "sort_key"
        }
    }

    let dimensions: [Dimension]
    let dateDimension: Dates
    let rebuildUnits: [Unit]
    let facts: [Fact]
    enum CodingKeys: String, CodingKey {
        case dimensions, facts
        case dateDimension = "date_dimension", rebuildUnits = "rebuild_units"
    }

    /// Reads and decodes a model file; errors name the file.
    static func load(path: String) throws -> StarModelFile {
        guard let text = FileManager.default.contents(atPath: path).map({ String(decoding: $0, as: UTF8.self) }) else {
            throw ConfigError("model file \(path) cannot be read")
        }
        do {
            return try YAMLDecoder().decode(StarModelFile.self, from: text)
        } catch {
            throw ConfigError("model file \(path): \(error)")
        }
    }

    /// The star this file declares.
    func definition() throws -> StarDefinition {
        StarDefinition(
            dimensions: try dimensions.map { dimension in
                SlowlyChangingDimension(
                    table: dimension.name, surrogateKey: dimension.surrogateKey,
                    naturalKey: StarColumn(dimension.naturalKey.name, try Self.kind(dimension.naturalKey.type), notNull: true),
                    attributes: try dimension.attributes.map { StarColumn($0.name, try Self.kind($0.type), notNull: $0.notNull ?? false) },
                    sources: dimension.sources, query: dimension.query)
            },
            dateDimension: DateDimension(table: dateDimension.name, sources: dateDimension.sources, dates: dateDimension.dates),
            units: rebuildUnits.map { RebuildUnit(name: $0.name, columns: $0.columns, markAll: ($0.markAll.table, $0.markAll.key), changes: $0.changes) },
            facts: try facts.map { fact in
                guard let unit = rebuildUnits.first(where: { $0.name == fact.rebuildUnit }) else {
                    throw ConfigError("fact \(fact.name): rebuild unit \(fact.rebuildUnit) is not among rebuild_units")
                }
                let unitColumns = unit.columns.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                return ModelFact(table: fact.name, sources: fact.sources, grain: fact.grain, unit: fact.rebuildUnit, unitColumns: unitColumns,
                          columns: try fact.columns.map { StarColumn($0.name, try Self.kind($0.type), notNull: $0.notNull ?? false) },
                          distribution: fact.distribution.map { $0.key.map { .key($0) } ?? ($0.all == true ? .all : .auto) } ?? .auto,
                          sortKey: fact.sortKey ?? [], select: fact.select)
            })
    }

    /// A column type as the model file writes it: `integer`, `varchar(50)`, `numeric(10,2)`…
    static func kind(_ text: String) throws -> StarColumn.Kind {
        let simple: [String: StarColumn.Kind] = ["smallint": .smallint, "integer": .integer, "bigint": .bigint, "boolean": .boolean,
                                                  "date": .date, "timestamp": .timestamp, "text": .text]
        if let kind = simple[text] { return kind }
        if let match = text.wholeMatch(of: /varchar\((\d+)\)/), let length = Int(match.1) { return .varchar(length) }
        if let match = text.wholeMatch(of: /numeric\((\d+),\s*(\d+)\)/), let precision = Int(match.1), let scale = Int(match.2) {
            return .numeric(precision, scale)
        }
        throw ConfigError("unknown column type \(text): use smallint, integer, bigint, boolean, date, timestamp, text, varchar(N) or numeric(P,S)")
    }
}
