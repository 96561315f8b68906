import Foundation
import MySQL

extension ModelDraft {
    /// A name usable unquoted in the star: lower case, `_` for anything else, `_` added to a reserved word.
    static func plain(_ name: String) -> String {
        var text = String(name.lowercased().map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
        if text.first?.isNumber ?? true { text = "_" + text }
        return reserved.contains(text) ? text + "_" : text
    }

    /// A staging name in SQL: as is when plain, else double-quoted.
    static func sqlName(_ name: String) -> String {
        plain(name) == name ? name : "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A staging column in a select list, named plainly in the star.
    static func selected(_ column: MySQLColumnDefinition) -> String {
        let staged = StagingColumn.snakeCase(column.name)
        return plain(staged) == staged ? staged : "\(sqlName(staged)) AS \(plain(staged))"
    }

    /// A column entry: `{name: …, type: "…"}`, with a guess comment where the type is one.
    static func column(_ column: MySQLColumnDefinition, notNull: Bool = false) -> String {
        let (type, guess) = starType(column)
        let required = notNull || !column.isNullable ? ", not_null: true" : ""
        return "{name: \(plain(StagingColumn.snakeCase(column.name))), type: \(quoted(type))\(required)}" + (guess.map { "  # guess: \($0)" } ?? "")
    }

    /// A YAML scalar: plain when safe, else double-quoted.
    static func scalar(_ text: String) -> String {
        text.wholeMatch(of: /[A-Za-z_][A-Za-z0-9_]*/) != nil ? text : quoted(text)
    }

    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    static func uniqued(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }

    /// PostgreSQL's and Redshift's reserved words that cannot name a column unquoted.
    static let reserved: Set<String> = [
        "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "both", "case", "cast", "check",
        "collate", "column", "constraint", "create", "current_date", "current_role", "current_time", "current_timestamp",
        "current_user", "default", "deferrable", "desc", "distinct", "do", "else", "end", "except", "false", "fetch", "for",
        "foreign", "from", "grant", "group", "having", "in", "initially", "intersect", "into", "lateral", "leading", "limit",
        "localtime", "localtimestamp", "not", "null", "offset", "on", "only", "or", "order", "placing", "primary",
        "references", "returning", "select", "session_user", "some", "symmetric", "table", "then", "to", "trailing",
        "true", "union", "unique", "user", "using", "variadic", "when", "where", "window", "with",
    ]
}
