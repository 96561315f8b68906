import Warehouse

extension StarModelFile {
    /// The star this file declares (after ``problems(in:)`` found none): dimensions and facts in
    /// build order, each dimension's static rows added to its query.
    func definition() throws -> StarDefinition {
        let order = buildOrder() ?? []
        let rank = { (name: String) in order.firstIndex(of: name) ?? Int.max }
        return StarDefinition(
            dimensions: try dimensions.sorted { rank($0.name) < rank($1.name) }.map { dimension in
                let naturalKey = try dimension.naturalKey.star(notNull: true)
                let attributes = try dimension.attributes.map { try $0.star() }
                var built = SlowlyChangingDimension(
                    table: dimension.name, surrogateKey: dimension.surrogateKey, naturalKey: naturalKey, attributes: attributes,
                    sources: dimension.sources,
                    query: Self.withStaticRows(dimension.selection, rows: dimension.staticRows ?? [], columns: [naturalKey] + attributes))
                built.scdType = dimension.scd ?? 2
                return built
            },
            dateDimension: DateDimension(table: dateDimension.name, sources: dateDimension.sources, dates: dateDimension.dates),
            units: rebuildUnits.map { RebuildUnit(name: $0.name, columns: $0.columns, markAll: ($0.markAll.table, $0.markAll.key), changes: $0.changes) },
            facts: try facts.sorted { rank($0.name) < rank($1.name) }.map { fact in
                guard let unit = rebuildUnits.first(where: { $0.name == fact.rebuildUnit }) else {
                    throw ConfigError("fact \(fact.name): rebuild unit \(fact.rebuildUnit) is not among rebuild_units")
                }
                return ModelFact(table: fact.name, sources: fact.sources, grain: fact.grain, unit: fact.rebuildUnit,
                                 unitColumns: Self.list(unit.columns),
                                 columns: try fact.columns.map { try $0.star() },
                                 distribution: fact.distribution.map { $0.key.map { .key($0) } ?? ($0.all == true ? .all : .auto) } ?? .auto,
                                 sortKey: fact.sortKey ?? [], select: fact.select)
            })
    }

    /// The dimension query followed by its static rows (never closed: they are always in the source),
    /// dated from the beginning of time.
    static func withStaticRows(_ query: String, rows: [[String: String?]], columns: [StarColumn]) -> String {
        guard !rows.isEmpty else { return query }
        let names = columns.map(\.name) + ["_src_ms"]
        let statics = rows.map { row in
            "SELECT " + columns.map { column in
                let value = (row[column.name] ?? nil).map(WarehouseSession.literal) ?? "NULL"
                // Redshift's spelling (lengths in bytes) is valid in PostgreSQL too; the star column keeps its own type.
                return "CAST(\(value) AS \(column.type(.redshift)))"
            }.joined(separator: ", ") + ", CAST(0 AS bigint)"
        }
        return "SELECT \(names.joined(separator: ", ")) FROM (\n\(query)\n) AS declared\nUNION ALL\n" + statics.joined(separator: "\nUNION ALL\n")
    }

    /// A column type as the model file writes it: `integer`, `varchar(50)`, `numeric(10,2)`…
    static func kind(_ text: String) throws -> StarColumn.Kind {
        let simple: [String: StarColumn.Kind] = ["smallint": .smallint, "integer": .integer, "bigint": .bigint, "boolean": .boolean,
                                                  "date": .date, "timestamp": .timestamp, "text": .text,
                                                  "double precision": .double]
        if let kind = simple[text] { return kind }
        if let match = text.wholeMatch(of: /varchar\((\d+)\)/), let length = Int(match.1) { return .varchar(length) }
        if let match = text.wholeMatch(of: /numeric\((\d+),\s*(\d+)\)/), let precision = Int(match.1), let scale = Int(match.2) {
            return .numeric(precision, scale)
        }
        throw ConfigError("unknown column type \(text): use smallint, integer, bigint, boolean, date, timestamp, text, double precision, varchar(N) or numeric(P,S)")
    }
}

extension StarModelFile.Column {
    /// The star column: its type parsed; `notNull` as written unless the column must be (a natural key).
    func star(notNull required: Bool = false) throws -> StarColumn {
        StarColumn(name, try StarModelFile.kind(type), notNull: required || (notNull ?? false))
    }
}
