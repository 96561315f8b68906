import Foundation
import Logging
import MySQL
import Warehouse

extension SluiceModel {
    /// What `sluice model check` found against the databases: `problems` (one line each with
    /// `file:line`) and `notes` on what could not be checked yet.
    public struct CheckResult: Sendable {
        public var problems: [String] = []
        public var notes: [String] = []
    }

    /// Checks the model against the source and the warehouse: every source table it names exists
    /// in the source database; then, when staging holds them all, the star is built (or, when it
    /// exists, updated with the pending keys) inside a transaction that is rolled back (so unknown columns, wrong types and
    /// a fact grain that is not unique surface as the warehouse reports them, located at the
    /// model that caused them), each dimension's natural key is checked unique in its query, and
    /// the checks' and report's queries are run.
    public func check(config: SluiceConfig, logger: Logger = Logger(label: "sluice.model")) async throws -> CheckResult {
        var result = CheckResult()
        let settings = try config.mysql()
        let mysql = try await MySQLConnection.connect(settings)
        let tables = Set(try await mysql.baseTables(in: settings.database ?? ""))
        for (steps, table) in file.namedSources() where !tables.contains(table) {
            result.problems.append("\(source.location(steps)): unknown table \(table): the source database \(settings.database ?? "") has no such table")
        }
        guard result.problems.isEmpty else { return result }
        for check in file.checks ?? [] {
            do { _ = try await mysql.query(check.source) } catch {
                result.problems.append("\(source.location(file.steps(ofCheck: check.name))): check \(check.name): its source query fails: \(oneLine(error))")
            }
        }
        try await Warehouse.withConnection(try config.warehouse(), logger: logger) { connection in
            let session = WarehouseSession(connection: connection, logger: logger)
            let missing = try await star.missingSources(session)
            guard missing.isEmpty else {
                result.notes.append("staging has no \(missing.joined(separator: ", ")) yet: the SQL was not tried in the warehouse (run sluice load, then check again)")
                return ()
            }
            do {
                try await session.execute("BEGIN")
                result.problems += try await dryRun(session)
                try await session.execute("ROLLBACK")
            } catch {
                try? await session.execute("ROLLBACK")
                throw error
            }
            return ()
        }
        return result
    }

    /// Inside an open transaction: the star built and updated once, natural keys, checks and report.
    /// A star that exists already is updated with the keys now pending, not rebuilt, so that the
    /// check stays cheap and holds few locks; it waits at most 10 s for a running load's.
    func dryRun(_ session: WarehouseSession) async throws -> [String] {
        var problems: [String] = []
        try await session.execute("SET LOCAL lock_timeout = '10s'")
        let existed = try await star.exists(session)
        // A failed statement aborts the transaction; a savepoint around each keeps the rest checkable.
        func guarded<T: Sendable>(_ body: () async throws -> T) async throws -> T {
            try await session.execute("SAVEPOINT model_check")
            do {
                let value = try await body()
                try await session.execute("RELEASE SAVEPOINT model_check")
                return value
            } catch {
                try await session.execute("ROLLBACK TO SAVEPOINT model_check")
                throw error
            }
        }
        func attempt(_ owner: String, _ sql: String, what: String) async throws -> Bool {
            do {
                try await guarded { try await session.execute(sql) }
                return true
            } catch {
                problems.append("\(source.location(file.steps(of: owner))): \(owner.isEmpty ? "the star" : owner): \(what) fails in the warehouse: \(oneLine(error))")
                return false
            }
        }
        for (owner, sql) in star.labeledCreateStatements(.postgres) {
            guard try await attempt(owner, sql, what: "creating it") else { return problems }
        }
        for dimension in star.dimensions {
            let key = dimension.naturalKey.name
            let duplicate = "SELECT \(key) FROM (\(dimension.query)) AS q WHERE \(key) IS NOT NULL GROUP BY \(key) HAVING count(*) > 1 LIMIT 1"
            do {
                if let value = try await guarded({ try await session.rows(duplicate).rows.first?.first ?? nil }) {
                    problems.append("\(source.location(file.steps(of: dimension.table) + [.key("natural_key")])): dimension \(dimension.table): natural key \(key) is not unique in its query (\(key) = \(value) appears more than once)")
                }
            } catch {
                problems.append("\(source.location(file.steps(of: dimension.table) + [.key("query")])): dimension \(dimension.table): its query fails in the warehouse: \(oneLine(error))")
            }
        }
        guard problems.isEmpty else { return problems }
        if !existed {
            for statement in star.markEverything() { _ = try await attempt("", statement, what: "marking every unit") }
        }
        for (owner, sql) in star.labeledUpdateStatements(.postgres) {
            guard try await attempt(owner, sql, what: "the update") else { return problems }
        }
        for check in file.checks ?? [] {
            for query in [check.staging, check.star].compactMap({ $0 }) {
                do { _ = try await guarded { try await session.rows(query) } } catch {
                    problems.append("\(source.location(file.steps(ofCheck: check.name))): check \(check.name): its query fails in the warehouse: \(oneLine(error))")
                }
            }
        }
        for (index, section) in (file.report?.sections ?? []).enumerated() {
            let at: [ModelSource.Step] = [.key("report"), .key("sections"), .index(index)]
            do {
                // Column names come with rows: an empty result cannot be checked (the star was just built, so rarely).
                let columns = try await guarded { try await session.rows("SELECT * FROM (\(section.query)) AS r LIMIT 1").columns }
                for name in [section.value] + section.labels where !columns.isEmpty && !columns.contains(name) {
                    problems.append("\(source.location(at)): report section \(section.title): its query has no column \(name) (it has \(columns.joined(separator: ", ")))")
                }
            } catch {
                problems.append("\(source.location(at + [.key("query")])): report section \(section.title): its query fails in the warehouse: \(oneLine(error))")
            }
        }
        return problems
    }
}

extension StarModelFile {
    /// Where a model (dimension, date dimension, fact or rebuild unit) is declared.
    func steps(of name: String) -> [ModelSource.Step] {
        if let index = dimensions.firstIndex(where: { $0.name == name }) { return [.key("dimensions"), .index(index)] }
        if name == dateDimension.name { return [.key("date_dimension")] }
        if let index = facts.firstIndex(where: { $0.name == name }) { return [.key("facts"), .index(index)] }
        if let index = rebuildUnits.firstIndex(where: { $0.name == name }) { return [.key("rebuild_units"), .index(index)] }
        return []
    }

    func steps(ofCheck name: String) -> [ModelSource.Step] {
        (checks ?? []).firstIndex(where: { $0.name == name }).map { [.key("checks"), .index($0)] } ?? [.key("checks")]
    }

    /// Every source table the model names, with where it names it.
    func namedSources() -> [([ModelSource.Step], String)] {
        var named: [([ModelSource.Step], String)] = []
        for (index, dimension) in dimensions.enumerated() {
            named += dimension.sources.enumerated().map { ([.key("dimensions"), .index(index), .key("sources"), .index($0.offset)], $0.element) }
        }
        named += dateDimension.sources.enumerated().map { ([.key("date_dimension"), .key("sources"), .index($0.offset)], $0.element) }
        for (index, fact) in facts.enumerated() {
            named += fact.sources.enumerated().map { ([.key("facts"), .index(index), .key("sources"), .index($0.offset)], $0.element) }
        }
        for (index, unit) in rebuildUnits.enumerated() {
            named.append(([.key("rebuild_units"), .index(index), .key("mark_all")], unit.markAll.table))
        }
        for (index, check) in (checks ?? []).enumerated() { named.append(([.key("checks"), .index(index), .key("table")], check.table)) }
        return named
    }
}
