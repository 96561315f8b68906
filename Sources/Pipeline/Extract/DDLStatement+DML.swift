/// Row statements (`INSERT`, `REPLACE`, `UPDATE`, `DELETE`, `LOAD DATA`) that reach the binlog as
/// text: a session with `binlog_format=STATEMENT` (or `MIXED`, for statements the server deems
/// safe) logs them as QUERY events with no row images, so the rows they change are unknown here.
extension DDLStatement {
    /// The tables a row statement may write: the target of `INSERT`/`REPLACE`/`LOAD DATA`, every
    /// table of a multi-table `UPDATE`'s or `DELETE`'s lists (tables it only reads included: naming
    /// too many only stops a table that a resnapshot brings back). Tables written by triggers or
    /// stored functions are not named by the statement, so they are not found here.
    static func rowStatementActions(_ verb: String, _ t: inout DDLTokens, defaultDatabase: String) -> [Action] {
        func name() -> TableName? { tableName(&t, defaultDatabase: defaultDatabase) }
        func written(_ names: [TableName]) -> [Action] {
            Array(Set(names)).sorted { "\($0)" < "\($1)" }.map { .statementRows($0, verb: verb == "load" ? "LOAD DATA" : verb.uppercased()) }
        }
        /// `a, b.c, d.*`: names up to the first token that is not one (or `stop`).
        func list() -> [TableName] {
            var names: [TableName] = []
            repeat {
                // `db.t`, `t`, and `t.*` / `db.t.*` in a multi-table DELETE.
                guard let first = t.nextIdentifier() else { break }
                var table = TableName(database: defaultDatabase, table: first)
                if t.skipSymbol(".") {
                    if let second = t.nextIdentifier() { table = TableName(database: first, table: second) }
                    if t.skipSymbol(".") || t.peek("*") { _ = t.skipSymbol("*") }
                }
                names.append(table)
                _ = t.skip(["as"])
                if !t.peekAnyWord(["from", "using", "set", "where", "join", "inner", "left", "right", "cross", "straight_join",
                                   "natural", "on", "partition", "order", "limit", "returning"]) {
                    _ = t.nextIdentifier()   // an alias
                }
            } while t.skipSymbol(",")
            return names
        }
        switch verb {
        case "insert", "replace":
            while t.skip(["low_priority"]) || t.skip(["delayed"]) || t.skip(["high_priority"]) || t.skip(["ignore"]) {}
            _ = t.skip(["into"])
            return written(name().map { [$0] } ?? [])
        case "load":
            while !t.isAtEnd, !t.skip(["into", "table"]) { t.advance() }
            return written(name().map { [$0] } ?? [])
        case "update":
            while t.skip(["low_priority"]) || t.skip(["ignore"]) {}
            var names = list()
            // `UPDATE a JOIN b ON … SET`: the joined tables too.
            while !t.isAtEnd, !t.peekAnyWord(["set"]) {
                if t.skip(["join"]) || t.skip(["straight_join"]) { names += list() } else { t.advance() }
            }
            return written(names)
        case "delete":
            while t.skip(["low_priority"]) || t.skip(["quick"]) || t.skip(["ignore"]) {}
            // `DELETE FROM a [, b USING …]`, or `DELETE a, b FROM …`, where a and b may be aliases:
            // the listed names and every table of the source list (tables only read included).
            _ = t.skip(["from"])
            var names = list()
            while !t.isAtEnd, !t.peekAnyWord(["where", "order", "limit", "returning"]) {
                if t.skip(["from"]) || t.skip(["using"]) || t.skip(["join"]) || t.skip(["straight_join"]) { names += list() } else { t.advance() }
            }
            return written(names)
        default:
            return []
        }
    }

    /// Whether the statement writes rows (whatever tables it names): inside a transaction it is
    /// one of its statements, not its end.
    public var writesRows: Bool {
        actions.contains { if case .statementRows = $0 { return true } else { return false } }
    }
}
