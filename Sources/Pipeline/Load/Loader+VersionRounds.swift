import Warehouse

/// Every version of an SCD2 dimension, not only the last of a pass.
///
/// Staging holds the current row of each key, so a dimension updated once per pass would see
/// only the last of two changes of a key made between updates, and facts dated between them
/// would join the wrong version. When a batch of a table that a type 2 dimension reads changes
/// some key more than once, it is merged in rounds instead: round *n* applies the *n*-th change
/// of each key (in source order), and the type 2 dimensions over the table are updated after
/// each round, inside the batch's transaction. Each version is dated by its own change's commit
/// time, as a single change would be. A pass where no key changes twice has one round, as before.
///
/// A dimension that joins several tables (a product with its product line) is computed in each
/// round from the other tables' rows as staging holds them then: exact while only one of its
/// tables changes within the pass, approximate for the version between two changes when two
/// of them do (the README says so).
extension Loader {
    /// Type 2 dimensions that read `table`.
    func historyDimensions(reading table: String) -> [SlowlyChangingDimension] {
        star?.dimensions.filter { $0.scdType == 2 && $0.sources.contains(table) } ?? []
    }

    /// Merges the batch in rounds when ``versionRounds`` says so, updating the dimensions after each;
    /// `false` when it did not (one round, or a dimension's update failed: then the rounds are undone
    /// to a savepoint, the caller merges at once, and the star's own update reports the failure, so a
    /// dimension's error never stops its table's staging).
    func mergeInVersionRounds(_ batch: LoadBatch, session: WarehouseSession) async throws -> Bool {
        let rounds = try await versionRounds(batch, session: session)
        guard rounds > 1 else { return false }
        // A dimension the model added since the star was built has no table yet: the star's update creates it.
        var dimensions: [SlowlyChangingDimension] = []
        for dimension in historyDimensions(reading: batch.table) where try await session.exists("mart.\(dimension.table)") {
            dimensions.append(dimension)
        }
        try await session.execute("SAVEPOINT sluice_version_rounds")
        do {
            for round in 1...rounds {
                try await mergeIncoming(batch, round: round, session: session)
                try await update(dimensions, session: session)
            }
        } catch let error as WarehouseError {
            try await session.execute("ROLLBACK TO SAVEPOINT sluice_version_rounds")
            logger.warning("the type 2 dimensions over \(batch.table) could not take this batch's versions one by one (\(oneLine(error))); its changes are merged at once")
            return false
        }
        try await session.execute("RELEASE SAVEPOINT sluice_version_rounds")
        return true
    }

    /// How many rounds the batch is merged in: the most changes of one key in `incoming` when a
    /// type 2 dimension reads the table and the star exists (keys recorded for it), else 1. With
    /// more than one, each row's round is stored in `incoming._src_round` (staging's `_src_` names
    /// are Sluice's own, so no table column has it).
    func versionRounds(_ batch: LoadBatch, session: WarehouseSession) async throws -> Int {
        guard batch.recordsPending, options.updateStar, !historyDimensions(reading: batch.table).isEmpty else { return 1 }
        let keyList = batch.key.map(WarehouseSession.quote).joined(separator: ", ")
        let repeated = try await session.scalar("""
            SELECT EXISTS (SELECT 1 FROM incoming GROUP BY \(keyList) HAVING count(*) > 1)
            """)
        guard repeated == "true" else { return 1 }
        // The dimensions' queries read their other tables too; while one is missing the star waits.
        guard try await star?.missingSources(session).isEmpty ?? false else { return 1 }
        try await session.execute("ALTER TABLE incoming ADD COLUMN _src_round bigint")
        try await session.execute("""
            UPDATE incoming SET _src_round = ranked.round FROM (
                SELECT ctid AS row_id, row_number() OVER (PARTITION BY \(keyList) ORDER BY \(SourceOrder.columns.joined(separator: ", "))) AS round
                FROM incoming) AS ranked
            WHERE incoming.ctid = ranked.row_id
            """)
        try await session.execute("CREATE INDEX ON incoming (_src_round)")
        return Int(try await session.scalar("SELECT max(_src_round) FROM incoming") ?? "1") ?? 1
    }

    /// `dimensions` brought up to date with staging as it is now.
    func update(_ dimensions: [SlowlyChangingDimension], session: WarehouseSession) async throws {
        for dimension in dimensions {
            try await session.execute("DROP TABLE IF EXISTS pg_temp.source_\(dimension.table)")
            for statement in dimension.update(.postgres) { try await session.execute(statement) }
        }
    }
}
