import Foundation
import MySQL

extension ModelDraft {
    static func plain(_ name: String) -> String { ModelNames.plain(name) }
    static func sqlName(_ name: String) -> String { ModelNames.sqlName(name) }
    /// A source column's name in the star: its staging name, made plain.
    static func starName(_ source: String) -> String { plain(StagingColumn.snakeCase(source)) }
    /// A source column's name in staging, as SQL (quoted when it is not plain).
    static func stagedName(_ source: String) -> String { sqlName(StagingColumn.snakeCase(source)) }

    /// A staging column in a select list, named plainly in the star.
    static func selected(_ column: MySQLColumnDefinition) -> String {
        let staged = StagingColumn.snakeCase(column.name)
        return plain(staged) == staged ? staged : "\(sqlName(staged)) AS \(plain(staged))"
    }

    /// A column entry: `{name: …, type: "…"}`, with a guess comment where the type is one.
    static func column(_ column: MySQLColumnDefinition, notNull: Bool = false) -> String {
        let (type, guess) = starType(column)
        let required = notNull || !column.isNullable ? ", not_null: true" : ""
        return "{name: \(starName(column.name)), type: \(quoted(type))\(required)}" + (guess.map { "  # guess: \($0)" } ?? "")
    }

    /// A YAML scalar: plain when safe, else double-quoted.
    static func scalar(_ text: String) -> String {
        text.wholeMatch(of: /[A-Za-z_][A-Za-z0-9_]*/) != nil ? text : quoted(text)
    }

    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
