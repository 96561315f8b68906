/// Names in the star's SQL: star names are plain identifiers; staging names (source table and
/// column names in snake case) are quoted when they are not.
enum ModelNames {
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
