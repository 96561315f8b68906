import Warehouse

/// One `staging.<table>`, the current state of a source table, and what load
/// knows about it in `sluice.staging_tables`: the schema version its columns
/// follow and its *floor*, the source position before which every row is
/// superseded (a snapshot, TRUNCATE or DROP began there).
///
/// Lake files reach load in any order across partitions, so both only move
/// forward: a file of a newer version alters the table to that version's
/// columns (add, drop, widen, new key); a file with a higher floor, or a
/// truncate row, deletes every staging row older than it, and rows older
/// than the floor are never applied again. Everything runs inside the file's
/// transaction.
struct StagingTable: Equatable {
    let name: String
    var exists: Bool
    /// Column → type as PostgreSQL prints it (`format_type`), metadata columns included.
    var columns: [String: String]
    var key: [String]
    /// The schema version the columns follow (0: not recorded, a table from before versions were tracked).
    var version: Int
    var floor: SourceOrder?

    /// Sluice's columns: the source position of the change each row reflects, and its commit time (ms).
    static let metadataColumns = ["_src_file text NOT NULL", "_src_seq bigint NOT NULL", "_src_pos bigint NOT NULL",
                                  "_src_row bigint NOT NULL", "_src_ms bigint"]

    static func isMetadata(_ column: String) -> Bool { metadataColumns.contains { $0.hasPrefix(column + " ") } }

    var relation: String { "staging.\(WarehouseSession.quote(name))" }

    static func createLedger(_ session: WarehouseSession) async throws {
        try await session.execute("""
            CREATE TABLE IF NOT EXISTS sluice.staging_tables (
                table_name text PRIMARY KEY, schema_version integer NOT NULL DEFAULT 0, floor_seq bigint, floor_pos bigint)
            """)
        // Why the table stopped loading (one line), while it is stopped.
        try await session.execute("ALTER TABLE sluice.staging_tables ADD COLUMN IF NOT EXISTS stopped_reason text")
    }

    /// Tables whose loading stopped, with the reason (none in a warehouse Sluice has not loaded yet).
    static func stopped(_ session: WarehouseSession) async throws -> [String: String] {
        var result: [String: String] = [:]
        guard try await session.scalar("""
            SELECT count(*) FROM information_schema.columns
            WHERE table_schema = 'sluice' AND table_name = 'staging_tables' AND column_name = 'stopped_reason'
            """) == "1" else { return result }
        for row in try await session.rows("SELECT table_name, stopped_reason FROM sluice.staging_tables WHERE stopped_reason IS NOT NULL").rows {
            if let table = row[0], let reason = row[1] { result[table] = reason }
        }
        return result
    }

    /// Records (or, with `nil`, clears) why a table stopped loading.
    static func setStopped(_ table: String, reason: String?, session: WarehouseSession) async throws {
        let literal = WarehouseSession.literal
        try await session.execute("""
            INSERT INTO sluice.staging_tables (table_name, stopped_reason) VALUES (\(literal(table)), \(reason.map(literal) ?? "NULL"))
            ON CONFLICT (table_name) DO UPDATE SET stopped_reason = EXCLUDED.stopped_reason
            """)
    }

    /// Reads the table's columns, key and recorded state.
    static func load(_ session: WarehouseSession, table: String) async throws -> StagingTable {
        let literal = WarehouseSession.literal
        let regclass = "to_regclass(\(literal("staging." + WarehouseSession.quote(table))))"
        var columns: [String: String] = [:]
        for row in try await session.rows("""
            SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
            WHERE attrelid = \(regclass) AND attnum > 0 AND NOT attisdropped
            """).rows {
            if let name = row[0], let type = row[1] { columns[name] = type }
        }
        let key = try await session.rows("""
            SELECT a.attname FROM pg_index AS i
            JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) ON true
            JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
            WHERE i.indrelid = \(regclass) AND i.indisprimary ORDER BY k.n
            """).rows.compactMap { $0[0] }
        let state = try await session.rows("""
            SELECT schema_version, floor_seq, floor_pos FROM sluice.staging_tables WHERE table_name = \(literal(table))
            """).rows.first
        var floor: SourceOrder?
        if let sequence = state?[1].flatMap({ Int64($0) }), let position = state?[2].flatMap({ Int64($0) }) {
            floor = SourceOrder(sequence: sequence, position: position)
        }
        return StagingTable(name: table, exists: !columns.isEmpty, columns: columns, key: key,
                            version: state?[0].flatMap { Int($0) } ?? 0, floor: floor)
    }

    /// Records the version and floor (inside the file's transaction).
    func save(_ session: WarehouseSession) async throws {
        let floorValues = floor.map { "\($0.sequence), \($0.position)" } ?? "NULL, NULL"
        try await session.execute("""
            INSERT INTO sluice.staging_tables (table_name, schema_version, floor_seq, floor_pos)
            VALUES (\(WarehouseSession.literal(name)), \(version), \(floorValues))
            ON CONFLICT (table_name) DO UPDATE SET schema_version = EXCLUDED.schema_version,
                floor_seq = EXCLUDED.floor_seq, floor_pos = EXCLUDED.floor_pos
            """)
    }

    /// Raises the floor: rows older than it leave staging, and the star revisits their keys (as
    /// deleted at `sourceMilliseconds`, the truncate's commit time, when known). Returns whether it moved.
    @discardableResult
    mutating func raiseFloor(to new: SourceOrder, at sourceMilliseconds: Int64? = nil, recordPending: Bool = true,
                             session: WarehouseSession) async throws -> Bool {
        if let floor, new <= floor { return false }
        floor = new
        guard exists else { return true }
        let q = WarehouseSession.quote
        let older = "(_src_seq, _src_pos, _src_row) < (\(new.sequence), \(new.position), 0)"
        let keyText = key.map { "\(q($0))::text" }.joined(separator: " || '|' || ")
        if recordPending && !key.isEmpty {
            try await session.execute("""
                INSERT INTO sluice.pending_changes AS p (table_name, key_text, source_ms)
                SELECT \(WarehouseSession.literal(name)), \(keyText), \(sourceMilliseconds.map(String.init) ?? "NULL")
                FROM \(relation) WHERE \(older)
                ON CONFLICT (table_name, key_text) DO UPDATE SET source_ms = GREATEST(p.source_ms, EXCLUDED.source_ms)
                """)
        }
        try await session.execute("DELETE FROM \(relation) WHERE \(older)")
        // Deletes recorded for a multiset below the floor can never match again.
        try await session.execute("""
            DELETE FROM sluice.applied_deletes WHERE table_name = \(WarehouseSession.literal(name))
              AND (seq, pos) < (\(new.sequence), \(new.position))
            """)
        return true
    }

    /// Creates the table for a file's columns, or brings it to a newer schema version's columns and key.
    mutating func prepare(columns fileColumns: [StagingColumn], key fileKey: [String], version fileVersion: Int?,
                          session: WarehouseSession) async throws {
        let q = WarehouseSession.quote
        if !exists {
            let definitions = fileColumns.map { "\(q($0.name)) \($0.sqlType)" } + Self.metadataColumns
                + ["PRIMARY KEY (\(fileKey.map(q).joined(separator: ", ")))"]
            try await session.execute("CREATE TABLE \(relation) (\(definitions.joined(separator: ", ")))")
            exists = true
            columns = Dictionary(uniqueKeysWithValues: fileColumns.map { ($0.name, Self.canonical($0.sqlType)) })
            for definition in Self.metadataColumns {
                let parts = definition.split(separator: " ")
                columns[String(parts[0])] = String(parts[1])
            }
            key = fileKey
            version = fileVersion ?? 0
            return
        }
        if columns["_src_seq"] == nil {
            // Staging from before sequences were recorded: derive them from the binlog file names.
            try await session.execute("ALTER TABLE \(relation) ADD COLUMN _src_seq bigint")
            try await session.execute("UPDATE \(relation) SET _src_seq = coalesce(substring(_src_file from '[.]([0-9]+)$')::bigint, 0)")
            try await session.execute("ALTER TABLE \(relation) ALTER COLUMN _src_seq SET NOT NULL")
            columns["_src_seq"] = "bigint"
        }
        if columns["_src_ms"] == nil {
            try await session.execute("ALTER TABLE \(relation) ADD COLUMN _src_ms bigint")
            columns["_src_ms"] = "bigint"
        }
        guard let fileVersion, fileVersion > version else { return }
        // A newer version: its columns and key are the table's from now on.
        let wanted = Dictionary(uniqueKeysWithValues: fileColumns.map { ($0.name, $0) })
        for column in fileColumns where columns[column.name] == nil {
            try await session.execute("ALTER TABLE \(relation) ADD COLUMN \(q(column.name)) \(column.sqlType)")
            columns[column.name] = Self.canonical(column.sqlType)
        }
        for name in columns.keys.sorted() where !Self.isMetadata(name) && wanted[name] == nil {
            try await session.execute("ALTER TABLE \(relation) DROP COLUMN \(q(name))")
            columns[name] = nil
        }
        for column in fileColumns where columns[column.name] != Self.canonical(column.sqlType) {
            try await session.execute("""
                ALTER TABLE \(relation) ALTER COLUMN \(q(column.name)) TYPE \(column.sqlType) USING \(q(column.name))::\(column.sqlType)
                """)
            columns[column.name] = Self.canonical(column.sqlType)
        }
        if fileKey != key {
            if let constraint = try await session.scalar("""
                SELECT conname FROM pg_constraint WHERE conrelid = to_regclass(\(WarehouseSession.literal(relation))) AND contype = 'p'
                """) {
                try await session.execute("ALTER TABLE \(relation) DROP CONSTRAINT \(q(constraint))")
            }
            try await session.execute("ALTER TABLE \(relation) ADD PRIMARY KEY (\(fileKey.map(q).joined(separator: ", ")))")
            key = fileKey
        }
        version = fileVersion
    }

    /// A staging column type as PostgreSQL's `format_type` prints it.
    static func canonical(_ sqlType: String) -> String {
        switch sqlType {
        case "timestamptz": return "timestamp with time zone"
        case "timestamp": return "timestamp without time zone"
        default: return sqlType
        }
    }
}
