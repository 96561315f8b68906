import Foundation

extension StarModelFile {
    /// Problems found without a database, one line each with `file:line`: names, types and
    /// columns that do not fit together, staging tables a model reads but does not declare,
    /// `mart` tables the model does not declare, a cycle between models, and a source a fact
    /// depends on that its rebuild unit has no change mapping for.
    func problems(in source: ModelSource) -> [String] {
        var problems: [String] = []
        func add(_ steps: [ModelSource.Step], _ message: String) { problems.append("\(source.location(steps)): \(message)") }

        // Names are written into SQL unquoted: plain lower-case identifiers only, and each once.
        var seen: [String: String] = [:]
        let named: [(String, [ModelSource.Step])] =
            dimensions.enumerated().map { ($0.element.name, [.key("dimensions"), .index($0.offset), .key("name")]) }
            + [(dateDimension.name, [.key("date_dimension"), .key("name")])]
            + facts.enumerated().map { ($0.element.name, [.key("facts"), .index($0.offset), .key("name")]) }
            + rebuildUnits.enumerated().map { ($0.element.name, [.key("rebuild_units"), .index($0.offset), .key("name")]) }
        for (name, steps) in named {
            if !Self.isIdentifier(name) { add(steps, "\(name) is not a plain identifier (a-z, 0-9, _; not starting with a digit)") }
            if let first = seen[name] { add(steps, "\(name) is declared twice (first at \(first))") }
            seen[name] = seen[name] ?? source.location(steps)
        }

        for (index, dimension) in dimensions.enumerated() where !Self.isIdentifier(dimension.surrogateKey) {
            add([.key("dimensions"), .index(index), .key("surrogate_key")], "dimension \(dimension.name): surrogate key \(dimension.surrogateKey) is not a plain identifier")
        }
        for (index, unit) in rebuildUnits.enumerated() {
            let columns = Self.list(unit.columns)
            if columns.isEmpty || !columns.allSatisfy(Self.isIdentifier) {
                add([.key("rebuild_units"), .index(index), .key("columns")], "rebuild unit \(unit.name): columns must be plain identifiers, comma-separated (\(unit.columns))")
            }
        }
        for (index, fact) in facts.enumerated() where fact.grain.isEmpty {
            add([.key("facts"), .index(index), .key("grain")], "fact \(fact.name): grain names no column; it is the fact's key")
        }
        for (table, shifts) in (generate?.shift ?? [:]).sorted(by: { $0.key < $1.key }) {
            for (column, family) in shifts.sorted(by: { $0.key < $1.key }) where Self.tableColumn(family) == nil {
                add([.key("generate"), .key("shift"), .key(table), .key(column)], "generate.shift.\(table).\(column): \(family) should be table.column")
            }
        }

        let modelNames = Set(dimensions.map(\.name) + [dateDimension.name] + facts.map(\.name))
        let dimensionSources = Dictionary(dimensions.map { ($0.name, $0.sources) }, uniquingKeysWith: { first, _ in first })
        for (index, dimension) in dimensions.enumerated() {
            let at: [ModelSource.Step] = [.key("dimensions"), .index(index)]
            let columns = [dimension.naturalKey] + dimension.attributes
            problems += columnProblems(columns, reserved: [dimension.surrogateKey] + SlowlyChangingDimension.history,
                                       owner: "dimension \(dimension.name)", source: source) { index in
                index == 0 ? at + [.key("natural_key")] : at + [.key("attributes"), .index(index - 1)]
            }
            switch (dimension.table, dimension.query) {
            case (nil, nil): add(at + [.key("name")], "dimension \(dimension.name): give its rows as a staging table (table) or a query (query)")
            case (.some, .some): add(at + [.key("table")], "dimension \(dimension.name): give table or query, not both")
            case (nil, .some) where dimension.sourceList == nil:
                add(at + [.key("query")], "dimension \(dimension.name): a query needs sources, the staging tables it reads")
            default: break
            }
            if let scd = dimension.scd, scd != 1 && scd != 2 {
                add(at + [.key("scd")], "dimension \(dimension.name): scd is 1 (overwrite) or 2 (history), not \(scd)")
            }
            let rows = at + [.key(dimension.query == nil ? "table" : "query")]
            problems += readProblems(dimension.selection, sources: dimension.sources, models: modelNames, at: rows,
                                     owner: "dimension \(dimension.name)", source: source)
            // Dimensions are updated before the date dimension and the facts: they may read other dimensions only.
            for read in Self.references(in: dimension.selection, schema: "mart") where modelNames.contains(read) && dimensionSources[read] == nil {
                add(rows, "dimension \(dimension.name) reads mart.\(read), which is not a dimension (dimensions are built first)")
            }
            if let mirrors = dimension.mirrors, !dimension.sources.contains(mirrors) {
                add(at + [.key("mirrors")], "dimension \(dimension.name) mirrors \(mirrors), which is not among its sources")
            }
            let names = Set(columns.map(\.name))
            for (row, values) in (dimension.staticRows ?? []).enumerated() {
                for key in values.keys.sorted() where !names.contains(key) {
                    add(at + [.key("static_rows"), .index(row)], "dimension \(dimension.name): static row sets \(key), which is not one of its columns")
                }
                if (values[dimension.naturalKey.name] ?? nil) == nil {
                    add(at + [.key("static_rows"), .index(row)], "dimension \(dimension.name): a static row needs its natural key \(dimension.naturalKey.name)")
                }
            }
        }

        for (index, fact) in facts.enumerated() {
            let at: [ModelSource.Step] = [.key("facts"), .index(index)]
            let owner = "fact \(fact.name)"
            problems += columnProblems(fact.columns, reserved: [], owner: owner, source: source) { at + [.key("columns"), .index($0)] }
            let columns = Set(fact.columns.map(\.name))
            for column in fact.grain where !columns.contains(column) { add(at + [.key("grain")], "\(owner): grain column \(column) is not one of its columns") }
            for column in fact.sortKey ?? [] where !columns.contains(column) { add(at + [.key("sort_key")], "\(owner): sort key \(column) is not one of its columns") }
            if let key = fact.distribution?.key, !columns.contains(key) { add(at + [.key("distribution")], "\(owner): distribution key \(key) is not one of its columns") }
            if let mirrors = fact.mirrors, !fact.sources.contains(mirrors) { add(at + [.key("mirrors")], "\(owner) mirrors \(mirrors), which is not among its sources") }
            problems += readProblems(fact.select, sources: fact.sources, models: modelNames, at: at + [.key("select")], owner: owner, source: source)
            guard let unitIndex = rebuildUnits.firstIndex(where: { $0.name == fact.rebuildUnit }) else {
                add(at + [.key("rebuild_unit")], "\(owner): rebuild unit \(fact.rebuildUnit) is not among rebuild_units (\(rebuildUnits.map(\.name).joined(separator: ", ")))")
                continue
            }
            let unit = rebuildUnits[unitIndex]
            for column in Self.list(unit.columns) where !columns.contains(column) {
                add(at + [.key("rebuild_unit")], "\(owner): its rebuild unit's column \(column) is not one of its columns")
            }
            // Every source the fact depends on, directly or through a dimension it joins, needs a change mapping.
            let joined = Self.references(in: fact.select, schema: "mart").compactMap { dimensionSources[$0] }.flatMap { $0 }
            let mapped = Set(unit.changes.flatMap(Self.pendingTables))
            for table in Self.unique(fact.sources + joined) where !mapped.contains(table) {
                add([.key("rebuild_units"), .index(unitIndex), .key("changes")],
                    "rebuild unit \(unit.name) has no change for \(table), which \(owner) depends on: add a query that maps its pending keys (star_pending.table_name = '\(table)') to \(unit.columns)")
            }
            for table in joined where !fact.sources.contains(table) {
                add(at + [.key("sources")], "\(owner) joins a dimension that reads \(table): add \(table) to its sources")
            }
        }
        for (index, unit) in rebuildUnits.enumerated() where !facts.contains(where: { $0.rebuildUnit == unit.name }) {
            add([.key("rebuild_units"), .index(index), .key("name")], "rebuild unit \(unit.name) is used by no fact")
        }
        problems += readProblems(dateDimension.dates.joined(separator: "\n"), sources: dateDimension.sources, models: modelNames,
                                 at: [.key("date_dimension"), .key("dates")], owner: "date dimension \(dateDimension.name)", source: source)
        if let cycle = dependencyCycle() {
            add(steps(of: cycle[0]), "a cycle: \(cycle.joined(separator: " → ")) (each reads the next from mart; no order can build them)")
        }
        for (index, section) in (report?.sections ?? []).enumerated() where section.labels.isEmpty {
            add([.key("report"), .key("sections"), .index(index), .key("labels")], "report section \(section.title): labels must name at least one column")
        }
        return problems
    }

    /// Names and types of a model's columns; `at` locates column `i`.
    func columnProblems(_ columns: [Column], reserved: [String], owner: String, source: ModelSource,
                        at: (Int) -> [ModelSource.Step]) -> [String] {
        var problems: [String] = []
        var names = Set(reserved)
        for (index, column) in columns.enumerated() {
            let location = source.location(at(index))
            if !Self.isIdentifier(column.name) { problems.append("\(location): \(owner): column \(column.name) is not a plain identifier") }
            if !names.insert(column.name).inserted { problems.append("\(location): \(owner): column \(column.name) appears twice") }
            do { _ = try Self.kind(column.type) } catch { problems.append("\(location): \(owner): \((error as? ConfigError)?.message ?? "\(error)")") }
        }
        return problems
    }

    /// A snippet reading `staging.X` not among `sources`, or `mart.X` the model does not declare.
    func readProblems(_ sql: String, sources: [String], models: Set<String>, at: [ModelSource.Step], owner: String,
                      source: ModelSource) -> [String] {
        Self.references(in: sql, schema: "staging").filter { !sources.contains($0) }.map {
            "\(source.location(at)): \(owner) reads staging.\($0), which is not among its sources"
        } + Self.references(in: sql, schema: "mart").filter { !models.contains($0) }.map {
            "\(source.location(at)): \(owner) reads mart.\($0), which the model does not declare"
        }
    }

    /// Dimensions and facts in an order where each comes after the models it reads from `mart`
    /// (file order otherwise), or `nil` when they form a cycle.
    func buildOrder() -> [String]? {
        let names = dimensions.map(\.name) + facts.map(\.name)
        let reads = dependencies()
        var done: [String] = []
        while done.count < names.count {
            guard let next = names.first(where: { name in !done.contains(name) && reads[name, default: []].allSatisfy { done.contains($0) || !names.contains($0) } })
            else { return nil }
            done.append(next)
        }
        return done
    }

    /// Model → the dimensions and facts it reads from `mart` (itself excluded).
    func dependencies() -> [String: [String]] {
        var reads: [String: [String]] = [:]
        for dimension in dimensions { reads[dimension.name] = Self.references(in: dimension.selection, schema: "mart").filter { $0 != dimension.name } }
        for fact in facts { reads[fact.name] = Self.references(in: fact.select, schema: "mart").filter { $0 != fact.name } }
        return reads
    }

    /// One cycle among the models' `mart` reads, if any, as names from its first to itself.
    func dependencyCycle() -> [String]? {
        let reads = dependencies()
        func visit(_ name: String, _ path: [String]) -> [String]? {
            if let start = path.firstIndex(of: name) { return Array(path[start...]) + [name] }
            for next in reads[name, default: []] where reads[next] != nil {
                if let cycle = visit(next, path + [name]) { return cycle }
            }
            return nil
        }
        for name in dimensions.map(\.name) + facts.map(\.name) {
            if let cycle = visit(name, []) { return cycle }
        }
        return nil
    }

    /// Tables a snippet reads from `schema`, in order, once each: `schema."Exact Name"` as written,
    /// `schema.name` folded to lower case (as the warehouse reads it).
    static func references(in sql: String, schema: String) -> [String] {
        let pattern = try! Regex("(?i)\\b\(schema)\\.(?:\"((?:[^\"]|\"\")+)\"|([A-Za-z_][A-Za-z0-9_$]*))")
        return unique(sql.matches(of: pattern).compactMap { match in
            if let quoted = match.output[1].substring { return quoted.replacingOccurrences(of: "\"\"", with: "\"") }
            return match.output[2].substring.map { $0.lowercased() }
        })
    }

    /// Source tables a change query picks from `star_pending` (`table_name = 'x'` or `table_name IN ('x', …)`).
    static func pendingTables(_ sql: String) -> [String] {
        var tables: [String] = []
        for match in sql.matches(of: /(?i)table_name\s*=\s*'([^']+)'/) { tables.append(String(match.1)) }
        for match in sql.matches(of: /(?i)table_name\s+IN\s*\(([^)]*)\)/) {
            tables += match.1.matches(of: /'([^']+)'/).map { String($0.1) }
        }
        return tables
    }

    /// `table.column` split in two, or `nil` when it is not that.
    static func tableColumn(_ text: String) -> (table: String, column: String)? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return (String(parts[0]), String(parts[1]))
    }

    static func isIdentifier(_ name: String) -> Bool { name.wholeMatch(of: /[a-z_][a-z0-9_]*/) != nil }

    /// A comma-separated list, trimmed.
    static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    static func unique(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }
}
