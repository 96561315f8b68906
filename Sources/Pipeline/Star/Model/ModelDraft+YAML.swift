import Foundation
import MySQL
import Warehouse

extension ModelDraft {
    /// The draft as a model file, with a comment on every guess.
    public var yaml: String {
        var out = """
            # Drafted by `sluice model init` from \(database)'s keys and column types. Review every
            # `# guess:` line, edit, then run `sluice model check` and `sluice model plan`.
            # The README's model file reference describes every key.

            dimensions:

            """
        let dimensions = dimensionTables
        let facts = factTables
        for table in dimensions { out += dimension(table) }
        out += dateDimension(facts)
        out += "\nrebuild_units:\n"
        if facts.isEmpty { out += "  []  # guess: no table has two foreign keys to dimensions and a numeric column, so no fact\n" }
        for table in facts { out += unit(table) }
        out += "\nfacts:\n"
        if facts.isEmpty { out += "  []\n" }
        for table in facts { out += fact(table) }
        out += checks(facts)
        out += report(facts)
        let used = Set((dimensions + facts).map(\.name))
        let others = tables.filter { !used.contains($0.name) }
        if !others.isEmpty {
            out += "\n# Not in the star:\n"
            for table in others {
                let references = foreignKeys.filter { $0.table == table.name }.map(\.referencedTable)
                let why = references.count >= 2 && measures(of: table).isEmpty
                    ? "links \(references.joined(separator: " and ")) without measures: a bridge? declare it as a fact without measures"
                    : table.primaryKey.isEmpty ? "no primary key" : "neither referenced by a foreign key nor a fact"
                out += "#   \(table.name): \(why)\n"
            }
        }
        return out
    }

    func dimension(_ table: MySQLTableDefinition) -> String {
        let name = Self.plain(table.name)
        let key = table.columns.first { $0.name == table.primaryKey[0] }!
        var out = "  - name: dim_\(name)\n    mirrors: \(Self.scalar(table.name))\n    surrogate_key: \(name)_key\n"
        out += "    natural_key: \(Self.column(key))\n    attributes:\n"
        let attributes = table.columns.filter { $0.name != key.name && $0.dataType != "binary" && $0.dataType != "varbinary" && !$0.dataType.hasSuffix("blob") }
        for column in attributes { out += "      - \(Self.column(column))\n" }
        if attributes.isEmpty { out += "      []\n" }
        let columns = [key] + attributes
        if columns.allSatisfy({ Self.starName($0.name) == StagingColumn.snakeCase($0.name) }) && Self.plain(table.name) == table.name {
            out += "    table: \(table.name)\n    scd: 2  # guess: keep history; 1 overwrites in place\n\n"
        } else {
            let select = columns.map(Self.selected).joined(separator: ", ")
            out += "    scd: 2  # guess: keep history; 1 overwrites in place\n"
            out += "    sources: [\(Self.scalar(table.name))]\n    query: |-\n      SELECT \(select), _src_ms\n      FROM staging.\(Self.sqlName(table.name))\n\n"
        }
        return out
    }

    func dateDimension(_ facts: [MySQLTableDefinition]) -> String {
        var out = "# One row per date a rebuilt fact uses (`d`), keyed YYYYMMDD.\ndate_dimension:\n  name: dim_date\n"
        out += "  sources: [\(facts.map { Self.scalar($0.name) }.joined(separator: ", "))]\n  dates:\n"
        var any = false
        for table in facts {
            for column in table.columns where Self.isDate(column) {
                out += "    - SELECT CAST(f.\(Self.stagedName(column.name)) AS date) AS d FROM staging.\(Self.sqlName(table.name)) AS f JOIN \(unitName(table)) AS a ON \(unitJoin(table, "f"))\n"
                any = true
            }
        }
        if !any { out += "    - SELECT CAST(NULL AS date) AS d  # guess: the facts have no date column\n" }
        return out
    }

    func unitName(_ table: MySQLTableDefinition) -> String { "affected_\(Self.plain(table.name))" }

    func keyColumns(_ table: MySQLTableDefinition) -> [MySQLColumnDefinition] {
        table.primaryKey.compactMap { key in table.columns.first { $0.name == key } }
    }

    func unitJoin(_ table: MySQLTableDefinition, _ alias: String) -> String {
        keyColumns(table).map { column in
            let name = Self.starName(column.name)
            return "a.\(name) = \(alias).\(Self.stagedName(column.name))"
        }.joined(separator: " AND ")
    }

    func unit(_ table: MySQLTableDefinition) -> String {
        let keys = keyColumns(table)
        let names = keys.map { Self.starName($0.name) }
        let staged = keys.map { Self.stagedName($0.name) }
        let keyText = staged.map { "CAST(\($0) AS varchar)" }.joined(separator: " || '|' || ")
        var out = "  # The \(table.name) rows whose facts an update rebuilds.\n  - name: \(unitName(table))\n    columns: \(names.joined(separator: ", "))\n"
        out += "    mark_all: {table: \(Self.scalar(table.name)), key: \(Self.quoted(keyText))}\n    changes:\n"
        // A one-column key is the whole key text (it may contain `|`); parts of a longer one are split.
        let split = keys.enumerated().map { index, column in
            let part = keys.count == 1 ? "key_text" : "SPLIT_PART(key_text, '|', \(index + 1))"
            return "CAST(\(part) AS \(Self.starType(column).type)) AS \(names[index])"
        }.joined(separator: ", ")
        out += "      - |-\n        SELECT \(split)\n        FROM star_pending WHERE table_name = \(WarehouseSession.literal(table.name))\n"
        for key in self.keys(of: table) {
            let select = zip(staged, names).map { "f.\($0) AS \($1)" }.joined(separator: ", ")
            out += "      - |-\n        SELECT \(select) FROM staging.\(Self.sqlName(table.name)) AS f\n"
            out += "        JOIN star_pending AS p ON p.table_name = \(WarehouseSession.literal(key.referencedTable)) AND p.key_text = CAST(f.\(Self.stagedName(key.column)) AS varchar)\n"
        }
        return out
    }

    /// The fact column holding a dimension key: the foreign key's name without `_id`/`_number`/`_code`, then `_key`.
    func dimensionKeyName(_ key: ForeignKey, among keys: [ForeignKey]) -> String {
        let column = Self.starName(key.column)
        let stem = column.replacing(/_(id|number|code|no)$/, with: "")
        let others = keys.filter { $0.column != key.column }.map { Self.starName($0.column).replacing(/_(id|number|code|no)$/, with: "") }
        return (stem.isEmpty || others.contains(stem) ? column : stem) + "_key"
    }

    func fact(_ table: MySQLTableDefinition) -> String {
        let name = Self.plain(table.name)
        let keys = keyColumns(table)
        let references = self.keys(of: table)
        let dates = table.columns.filter(Self.isDate)
        let foreign = Set(foreignKeys.filter { $0.table == table.name }.map(\.column))
        let measures = table.columns.filter { !table.primaryKey.contains($0.name) && !foreign.contains($0.name) && !Self.isDate($0) }
        let asOf = dates.first.map { "f.\(Self.stagedName($0.name))" }
        var out = "  - name: fact_\(name)\n    mirrors: \(Self.scalar(table.name))\n"
        let sources = [table.name] + references.map(\.referencedTable)
        out += "    sources: [\(StarModelFile.unique(sources).map(Self.scalar).joined(separator: ", "))]\n"
        out += "    grain: [\(keys.map { Self.starName($0.name) }.joined(separator: ", "))]\n"
        out += "    rebuild_unit: \(unitName(table))\n    columns:\n"
        var select: [String] = keys.map { "f.\(Self.stagedName($0.name))" }
        var joins: [String] = []
        for column in keys { out += "      - \(Self.column(column, notNull: true))\n" }
        for (index, key) in references.enumerated() {
            let column = dimensionKeyName(key, among: references)
            out += "      - {name: \(column), type: bigint}\n"
            let alias = "d\(index + 1)"
            let dimension = Self.plain(key.referencedTable)
            let natural = Self.starName(key.referencedColumn)   // the dimension's column, named plainly
            select.append("\(alias).\(dimension)_key")
            let version = asOf.map { "{valid_on \(alias) \($0)}" } ?? "\(alias).is_current"
            joins.append("LEFT JOIN mart.dim_\(dimension) AS \(alias) ON \(alias).\(natural) = f.\(Self.stagedName(key.column)) AND \(version)")
        }
        for column in dates {
            out += "      - {name: \(Self.starName(column.name))_key, type: integer\(column.isNullable ? "" : ", not_null: true")}\n"
            select.append("{date_key f.\(Self.stagedName(column.name))}")
        }
        for column in measures {
            out += "      - \(Self.column(column))\n"
            select.append("f.\(Self.stagedName(column.name))")
        }
        out += "    distribution: {key: \(Self.starName(keys[0].name))}\n"
        if let first = dates.first { out += "    sort_key: [\(Self.starName(first.name))_key]\n" }
        if let asOf, !references.isEmpty {
            out += "    # guess: each dimension's version is the one valid on \(asOf.dropFirst(2)) (the first date column)\n"
        } else if !references.isEmpty {
            out += "    # guess: no date column, so each dimension's current version\n"
        }
        out += "    select: |-\n      SELECT \(select.joined(separator: ", "))\n      FROM staging.\(Self.sqlName(table.name)) AS f\n"
        out += "      JOIN \(unitName(table)) AS a ON \(unitJoin(table, "f"))\n"
        for join in joins { out += "      \(join)\n" }
        out += "\n"
        return out
    }

    func checks(_ facts: [MySQLTableDefinition]) -> String {
        var out = "\n# Reconciliations verify adds (one exact figure in the source, the lake, staging and the star).\nchecks:\n"
        var any = false
        for table in facts {
            guard let measure = measures(of: table).first(where: { ["decimal", "numeric", "int", "bigint", "smallint", "mediumint", "tinyint"].contains($0.dataType) })
            else { continue }
            let staged = Self.stagedName(measure.name)
            out += "  - name: total \(measure.name)\n    table: \(Self.scalar(table.name))\n"
            out += "    source: \(Self.quoted("SELECT SUM(\(MySQLConnection.quoteIdentifier(measure.name))) FROM \(MySQLConnection.quoteIdentifier(table.name))"))\n"
            out += "    lake_product: [\(Self.scalar(measure.name))]\n"
            out += "    staging: \(Self.quoted("SELECT coalesce(sum(\(staged)), 0) FROM staging.\(Self.sqlName(table.name))"))\n"
            out += "    star: \(Self.quoted("SELECT coalesce(sum(\(Self.starName(measure.name))), 0) FROM mart.fact_\(Self.plain(table.name))"))\n"
            any = true
        }
        if !any { out += "  []\n" }
        return out
    }

    func report(_ facts: [MySQLTableDefinition]) -> String {
        var out = "\n# sluice report: each section a query over the star, drawn as bars.\nreport:\n  title: \(Self.quoted("\(database) report"))\n  sections:\n"
        var any = false
        for table in facts {
            guard let measure = measures(of: table).first, let key = keys(of: table).first,
                  let dimension = dimensionTables.first(where: { $0.name == key.referencedTable }) else { continue }
            let label = dimension.columns.first { ["char", "varchar"].contains($0.dataType) && !dimension.primaryKey.contains($0.name) } ?? dimension.columns[0]
            let labelName = Self.starName(label.name)
            let value = Self.starName(measure.name)
            let surrogate = "\(Self.plain(dimension.name))_key"
            out += "    - title: \(Self.quoted("Top 10 \(dimension.name) by \(measure.name)"))  # guess\n      query: |-\n"
            out += "        SELECT d.\(labelName), sum(f.\(value)) AS \(value)\n"
            out += "        FROM mart.fact_\(Self.plain(table.name)) AS f JOIN mart.dim_\(Self.plain(dimension.name)) AS d ON d.\(surrogate) = f.\(dimensionKeyName(key, among: keys(of: table)))\n"
            out += "        GROUP BY d.\(labelName) ORDER BY \(value) DESC, d.\(labelName) LIMIT 10\n"
            out += "      value: \(value)\n      labels: [\(labelName)]\n"
            any = true
        }
        if !any { out += "    []\n" }
        return out
    }
}
