/// A DDL statement from the binlog, reduced to what it does to tables, with
/// every table name qualified: `db.table` as written, or the database that
/// was the session's default when the statement ran (the QUERY event's).
///
/// Only statements that can change a table's rows or columns are recognised (row statements
/// too, for sessions that log them as text); anything else (indexes, views, routines, grants, `BEGIN`) parses to no
/// actions.
public struct DDLStatement: Sendable, Equatable {
    public struct TableName: Sendable, Hashable, CustomStringConvertible {
        public var database: String
        public var table: String
        public init(database: String, table: String) {
            self.database = database
            self.table = table
        }
        public var description: String { "\(database).\(table)" }
    }

    /// The column clauses of an `ALTER TABLE`.
    public struct AlterClauses: Sendable, Equatable {
        public var addedColumns: [String] = []
        public var droppedColumns: [String] = []
        /// `RENAME COLUMN a TO b`, and `CHANGE a b …` with a new name: the old names.
        public var renamedColumns: [String] = []
        /// Any clause that adds, drops, changes or converts columns (which may rewrite values).
        public var touchesColumns = false
        public init() {}
    }

    public enum Action: Sendable, Equatable {
        /// `CREATE TABLE`; `ifNotExists` when the statement does nothing to a table that exists.
        case create(TableName, ifNotExists: Bool = false)
        case alter(TableName, AlterClauses)
        case drop(TableName)
        case truncate(TableName)
        case rename(from: TableName, to: TableName)
        case dropDatabase(String)
        /// A statement that adds, removes or swaps rows without row events (`TRUNCATE PARTITION`,
        /// `DROP PARTITION`, `EXCHANGE PARTITION`, `CONVERT PARTITION`/`TABLE`, `IMPORT … TABLESPACE`):
        /// the table's rows are only known by reading them again. `clause` names it.
        case replaceRows(TableName, clause: String)
        /// A row statement logged as text (`binlog_format=STATEMENT`/`MIXED`): rows of the table
        /// changed and the binlog does not say which. `verb` is `INSERT`, `UPDATE`, ….
        case statementRows(TableName, verb: String)
    }

    public var actions: [Action]

    /// Parses `statement`, run with `defaultDatabase` as the session's database.
    public init(_ statement: String, defaultDatabase: String) {
        var tokens = DDLTokens(statement)
        actions = Self.parse(&tokens, defaultDatabase: defaultDatabase)
    }

    /// `table` or `db.table`.
    static func tableName(_ t: inout DDLTokens, defaultDatabase: String) -> TableName? {
        guard let first = t.nextIdentifier() else { return nil }
        if t.peek(".") {
            t.advance()
            guard let second = t.nextIdentifier() else { return nil }
            return TableName(database: first, table: second)
        }
        return TableName(database: defaultDatabase, table: first)
    }

    static func parse(_ t: inout DDLTokens, defaultDatabase: String) -> [Action] {
        func name() -> TableName? { tableName(&t, defaultDatabase: defaultDatabase) }
        switch t.nextWord() {
        case "create":
            _ = t.skip(["or", "replace"])
            if t.skip(["temporary"]) { return [] }
            guard t.skip(["table"]) else { return [] }
            let ifNotExists = t.skip(["if", "not", "exists"])
            return name().map { [.create($0, ifNotExists: ifNotExists)] } ?? []
        case "drop":
            if t.skip(["temporary"]) { return [] }
            if t.skip(["database"]) || t.skip(["schema"]) {
                _ = t.skip(["if", "exists"])
                return t.nextIdentifier().map { [.dropDatabase($0)] } ?? []
            }
            guard t.skip(["table"]) else { return [] }
            _ = t.skip(["if", "exists"])
            var actions: [Action] = []
            repeat {
                guard let table = name() else { break }
                actions.append(.drop(table))
            } while t.skipSymbol(",")
            return actions
        case "truncate":
            _ = t.skip(["table"])
            return name().map { [.truncate($0)] } ?? []
        case "rename":
            guard t.skip(["table"]) || t.skip(["tables"]) else { return [] }
            var actions: [Action] = []
            repeat {
                _ = t.skip(["if", "exists"])
                guard let from = name(), t.skip(["to"]), let to = name() else { break }
                actions.append(.rename(from: from, to: to))
            } while t.skipSymbol(",")
            return actions
        case "alter":
            _ = t.skip(["online"])
            _ = t.skip(["ignore"])
            guard t.skip(["table"]) else { return [] }
            _ = t.skip(["if", "exists"])
            guard let table = name() else { return [] }
            return alterActions(&t, table: table, defaultDatabase: defaultDatabase)
        case let verb? where ["insert", "replace", "update", "delete", "load"].contains(verb):
            return rowStatementActions(verb, &t, defaultDatabase: defaultDatabase)
        case "with":
            // `WITH cte AS (…) UPDATE/DELETE/INSERT …` (MySQL 8, MariaDB): the statement after the common table expressions.
            var depth = 0
            while !t.isAtEnd {
                if t.skipSymbol("(") { depth += 1; continue }
                if t.skipSymbol(")") { depth -= 1; continue }
                if depth == 0, let verb = ["update", "delete", "insert", "replace"].first(where: { t.peekAnyWord([$0]) }) {
                    t.advance()
                    return rowStatementActions(verb, &t, defaultDatabase: defaultDatabase)
                }
                t.advance()
            }
            return []
        default:
            return []
        }
    }

    /// The clauses of `ALTER TABLE name …`, split at top-level commas.
    static func alterActions(_ t: inout DDLTokens, table: TableName, defaultDatabase: String) -> [Action] {
        var clauses = AlterClauses()
        var renamedTo: TableName?
        var rowActions: [Action] = []
        while !t.isAtEnd {
            if let actions = partitionActions(&t, table: table, defaultDatabase: defaultDatabase) {
                rowActions += actions
                t.skipDefinition()
                _ = t.skipSymbol(",")
                continue
            }
            switch t.nextWord() {
            case "add":
                if t.skip(["column"]) || !t.peekAnyWord(["index", "key", "unique", "primary", "fulltext", "spatial", "constraint",
                                                          "foreign", "check", "period", "system", "partition", "vector"]) {
                    clauses.touchesColumns = true
                    _ = t.skip(["if", "not", "exists"])
                    if t.skipSymbol("(") {
                        // ADD (a INT, b INT): the first word of each definition is a column name.
                        repeat { if let column = t.nextIdentifier() { clauses.addedColumns.append(column) }; t.skipDefinition() }
                            while t.skipSymbol(",")
                    } else if let column = t.nextIdentifier() {
                        clauses.addedColumns.append(column)
                    }
                }
            case "drop":
                if t.skip(["column"]) || !t.peekAnyWord(["index", "key", "primary", "foreign", "constraint", "check",
                                                          "partition", "system", "period", "default"]) {
                    clauses.touchesColumns = true
                    _ = t.skip(["if", "exists"])
                    if let column = t.nextIdentifier() { clauses.droppedColumns.append(column) }
                }
            case "modify", "convert":
                clauses.touchesColumns = true
            case "change":
                clauses.touchesColumns = true
                _ = t.skip(["column"])
                _ = t.skip(["if", "exists"])
                if let old = t.nextIdentifier(), let new = t.nextIdentifier(), old.lowercased() != new.lowercased() {
                    clauses.renamedColumns.append(old)
                }
            case "rename":
                if t.skip(["column"]) {
                    clauses.touchesColumns = true
                    _ = t.skip(["if", "exists"])
                    if let old = t.nextIdentifier() { clauses.renamedColumns.append(old) }
                } else if t.peekAnyWord(["index", "key"]) {
                    break
                } else {
                    _ = t.skip(["to"]) || t.skip(["as"])
                    renamedTo = tableName(&t, defaultDatabase: defaultDatabase)
                }
            default:
                break
            }
            t.skipDefinition()
            _ = t.skipSymbol(",")
        }
        var actions: [Action] = [.alter(table, clauses)] + rowActions
        if let renamedTo { actions.append(.rename(from: table, to: renamedTo)) }
        return actions
    }

    /// An `ALTER TABLE` clause that changes rows without row events, if one comes next (consumed
    /// then, up to its end). Partition clauses that only move rows within the table (`ADD`,
    /// `REORGANIZE`, `COALESCE`, `REBUILD`, `OPTIMIZE`, `ANALYZE`, `CHECK`, `REPAIR`, `REMOVE
    /// PARTITIONING`, `PARTITION BY`) are not among them: the table keeps every row.
    static func partitionActions(_ t: inout DDLTokens, table: TableName, defaultDatabase: String) -> [Action]? {
        func replace(_ clause: String) -> Action { .replaceRows(table, clause: clause) }
        if t.skip(["truncate", "partition"]) { return [replace("TRUNCATE PARTITION")] }
        if t.skip(["drop", "partition"]) { return [replace("DROP PARTITION")] }
        if t.skip(["exchange", "partition"]) {
            _ = t.nextIdentifier()
            guard t.skip(["with", "table"]), let other = tableName(&t, defaultDatabase: defaultDatabase) else { return [replace("EXCHANGE PARTITION")] }
            return [replace("EXCHANGE PARTITION"), .replaceRows(other, clause: "EXCHANGE PARTITION")]
        }
        if t.skip(["convert", "partition"]) {
            // MariaDB 10.7+: the partition's rows leave the table and become a new table.
            _ = t.nextIdentifier()
            guard t.skip(["to", "table"]), let other = tableName(&t, defaultDatabase: defaultDatabase) else { return [replace("CONVERT PARTITION")] }
            return [replace("CONVERT PARTITION"), .create(other)]
        }
        if t.skip(["convert", "table"]) {
            // The other table's rows become a partition of this one; the other table is gone.
            guard let other = tableName(&t, defaultDatabase: defaultDatabase) else { return [replace("CONVERT TABLE")] }
            return [replace("CONVERT TABLE"), .drop(other)]
        }
        if t.skip(["import"]) {
            // Tablespace files put under the table (whole or by partition). `DISCARD` before it
            // only makes the table unreadable until then, so it changes nothing here.
            return [replace("IMPORT TABLESPACE")]
        }
        return nil
    }
}

/// The tokens of a SQL statement: words and `quoted identifiers`, strings and
/// symbols, with comments dropped (the text of `/*! … */` version comments
/// kept, as the server runs it).
struct DDLTokens {
    enum Token: Equatable {
        case word(String)        // as written; compared lowercased
        case quoted(String)      // `identifier` or "identifier"
        case string              // a string literal (its text is never needed)
        case symbol(Character)
    }

    private var tokens: [Token] = []
    private var index = 0

    init(_ text: String) {
        var characters = Array(text)[...]
        while let character = characters.first {
            if character.isWhitespace { characters.removeFirst(); continue }
            if character == "#" || (character == "-" && characters.dropFirst().first == "-") {
                while let next = characters.first, next != "\n" { characters.removeFirst() }
                continue
            }
            if character == "/" && characters.dropFirst().first == "*" {
                characters.removeFirst(2)
                if characters.first == "!" || characters.first == "M" && characters.dropFirst().first == "!" {
                    // /*!50100 text */ and MariaDB's /*M!100100 text */: the text is part of the statement.
                    while let next = characters.first, next != "!" { characters.removeFirst() }
                    characters.removeFirst()
                    while let next = characters.first, next.isNumber { characters.removeFirst() }
                    if let end = Self.find("*/", in: characters) { characters.remove(at: end); characters.remove(at: end) }
                    continue
                }
                if let end = Self.find("*/", in: characters) { characters = characters[(end + 2)...] } else { characters = [] }
                continue
            }
            if character == "`" || character == "\"" || character == "'" {
                characters.removeFirst()
                var value = ""
                while let next = characters.first {
                    characters.removeFirst()
                    if next == "\\" && character == "'", let escaped = characters.first { characters.removeFirst(); value.append(escaped); continue }
                    if next == character {
                        if characters.first == character { characters.removeFirst(); value.append(character); continue }
                        break
                    }
                    value.append(next)
                }
                tokens.append(character == "'" ? .string : .quoted(value))
                continue
            }
            if character.isLetter || character.isNumber || character == "_" || character == "$" || !character.isASCII {
                var word = ""
                while let next = characters.first, next.isLetter || next.isNumber || next == "_" || next == "$" || !next.isASCII {
                    word.append(next)
                    characters.removeFirst()
                }
                tokens.append(.word(word))
                continue
            }
            tokens.append(.symbol(character))
            characters.removeFirst()
        }
    }

    private static func find(_ needle: String, in haystack: ArraySlice<Character>) -> Int? {
        let pattern = Array(needle)
        var position = haystack.startIndex
        while position + pattern.count <= haystack.endIndex {
            if Array(haystack[position..<(position + pattern.count)]) == pattern { return position }
            position += 1
        }
        return nil
    }

    var isAtEnd: Bool { index >= tokens.count }

    mutating func advance() { index += 1 }

    /// The next token as a lowercased keyword (`nil` for anything else).
    mutating func nextWord() -> String? {
        guard index < tokens.count, case .word(let word) = tokens[index] else { index += 1; return nil }
        index += 1
        return word.lowercased()
    }

    /// The next token as an identifier (bare or quoted).
    mutating func nextIdentifier() -> String? {
        guard index < tokens.count else { return nil }
        switch tokens[index] {
        case .word(let word): index += 1; return word
        case .quoted(let name): index += 1; return name
        default: return nil
        }
    }

    /// Consumes `words` if they come next (case-insensitive); otherwise consumes nothing.
    mutating func skip(_ words: [String]) -> Bool {
        for (offset, word) in words.enumerated() {
            guard index + offset < tokens.count, case .word(let next) = tokens[index + offset], next.lowercased() == word else { return false }
        }
        index += words.count
        return true
    }

    func peekAnyWord(_ words: Set<String>) -> Bool {
        guard index < tokens.count, case .word(let next) = tokens[index] else { return false }
        return words.contains(next.lowercased())
    }

    func peek(_ symbol: Character) -> Bool { index < tokens.count && tokens[index] == .symbol(symbol) }

    mutating func skipSymbol(_ symbol: Character) -> Bool {
        guard peek(symbol) else { return false }
        index += 1
        return true
    }

    /// Skips to the next comma or closing parenthesis at this nesting level (not consuming it).
    mutating func skipDefinition() {
        var depth = 0
        while index < tokens.count {
            switch tokens[index] {
            case .symbol("("): depth += 1
            case .symbol(")"):
                if depth == 0 { return }
                depth -= 1
            case .symbol(","):
                if depth == 0 { return }
            default: break
            }
            index += 1
        }
    }
}
