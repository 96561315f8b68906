/// Names in statements against names as stored, under the server's `lower_case_table_names`.
extension Extractor {
    /// `name` as the binlog's row events and Sluice's state spell it. With `lower_case_table_names`
    /// 1 or 2 a statement may write a name in any case: the captured database and a captured (or
    /// still followed) table are matched without regard to case; other names are folded to lower
    /// case under 1 (how the server stores them) and kept as written under 2.
    func storedName(_ name: DDLStatement.TableName) -> DDLStatement.TableName {
        guard lowerCaseTableNames != 0 else { return name }
        let database = storedDatabase(name.database)
        // Tables still followed (a dropped one's old spelling must not rename a new table).
        let known = captured.union(checkpoint.tables.filter { $0.value.state == .streaming || $0.value.state == .snapshotting }.keys)
        let table = known.first { $0.lowercased() == name.table.lowercased() }
            ?? (lowerCaseTableNames == 1 ? name.table.lowercased() : name.table)
        return DDLStatement.TableName(database: database, table: table)
    }

    /// `action` with its names as stored.
    func storedNames(_ action: DDLStatement.Action) -> DDLStatement.Action {
        action.mapNames(table: storedName, database: storedDatabase)
    }

    /// A database name as stored (see `storedName`).
    func storedDatabase(_ name: String) -> String {
        guard lowerCaseTableNames != 0 else { return name }
        if name.lowercased() == database.lowercased() { return database }
        return lowerCaseTableNames == 1 ? name.lowercased() : name
    }
}

extension DDLStatement.Action {
    /// The action with every table and database name passed through `table` and `database`.
    func mapNames(table: (DDLStatement.TableName) -> DDLStatement.TableName, database: (String) -> String) -> Self {
        switch self {
        case .create(let name, let ifNotExists): .create(table(name), ifNotExists: ifNotExists)
        case .alter(let name, let clauses): .alter(table(name), clauses)
        case .drop(let name): .drop(table(name))
        case .truncate(let name): .truncate(table(name))
        case .rename(let from, let to): .rename(from: table(from), to: table(to))
        case .dropDatabase(let name): .dropDatabase(database(name))
        case .replaceRows(let name, let clause): .replaceRows(table(name), clause: clause)
        case .statementRows(let name, let verb): .statementRows(table(name), verb: verb)
        }
    }
}
