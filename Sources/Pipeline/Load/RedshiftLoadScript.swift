import Foundation
import Parquet
import Warehouse

/// The SQL `sluice load --dialect redshift` runs on Amazon Redshift, as text:
/// DDL, one JSON manifest and one `COPY … FORMAT AS PARQUET MANIFEST` per
/// table, a merge into `staging` in source-position order, the ledger rows,
/// then the star update (the same models PostgreSQL runs, Redshift dialect).
///
/// It is a pure function of the lake files it is given, so tests compare it
/// with checked-in expected SQL.
public struct RedshiftLoadScript: Sendable {
    /// A lake file as the script needs it: where it is and its columns (from the Parquet footer).
    public struct File: Sendable {
        public var key: String
        public var etag: String
        public var size: Int
        public var rows: Int
        public var table: String
        /// Primary-key columns, as named in the source.
        public var keyColumns: [String]
        public var columns: [ParquetColumn]
        /// The file's floor (footer `sluice.floor_seq/pos`): rows of the table older than it are superseded.
        public var floor: SourceOrder?

        public init(key: String, etag: String, size: Int, rows: Int, table: String, keyColumns: [String], columns: [ParquetColumn],
                    floor: SourceOrder? = nil) {
            self.key = key
            self.etag = etag
            self.size = size
            self.rows = rows
            self.table = table
            self.keyColumns = keyColumns
            self.columns = columns
            self.floor = floor
        }
    }

    /// A manifest to upload before running the script.
    public struct Manifest: Sendable, Equatable {
        public var url: String
        public var json: String
    }

    public var bucket: String
    /// Key prefix for the manifests, e.g. `raw/_manifests/<load id>`.
    public var manifestPrefix: String
    /// Role Redshift assumes to read the bucket (`IAM_ROLE`).
    public var iamRole: String
    /// The star its last part creates and updates.
    let star: StarDefinition

    init(bucket: String, manifestPrefix: String, iamRole: String, star: StarDefinition) {
        self.star = star
        self.bucket = bucket
        self.manifestPrefix = manifestPrefix.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        self.iamRole = iamRole
    }

    /// The manifests and the full script for `files`.
    public func render(_ files: [File]) -> (manifests: [Manifest], sql: String) {
        let groups = Self.groups(files)
        var manifests: [Manifest] = []
        var sql = [
            "-- Sluice load for Amazon Redshift: \(files.count) lake files, \(Set(files.map(\.table)).count) tables.",
            "-- Upload the manifests listed below first; each COPY reads one.",
            "",
        ]
        var statements = [
            "CREATE SCHEMA IF NOT EXISTS sluice", "CREATE SCHEMA IF NOT EXISTS staging",
            """
            CREATE TABLE IF NOT EXISTS sluice.loaded_files (
                key varchar(1024) NOT NULL PRIMARY KEY, etag varchar(128) NOT NULL, size bigint NOT NULL,
                table_name varchar(256) NOT NULL, rows bigint NOT NULL, loaded_at timestamp NOT NULL DEFAULT SYSDATE)
            """,
            """
            CREATE TABLE IF NOT EXISTS sluice.pending_changes (
                table_name varchar(256) NOT NULL, key_text varchar(4096) NOT NULL, source_ms bigint,
                PRIMARY KEY (table_name, key_text))
            """,
            """
            CREATE TABLE IF NOT EXISTS sluice.staging_tables (
                table_name varchar(256) NOT NULL PRIMARY KEY, schema_version integer NOT NULL DEFAULT 0,
                floor_seq bigint, floor_pos bigint)
            """,
        ]
        sql += statements.map { $0 + ";" } + [""]
        statements = []
        sql.append("BEGIN;")
        for (index, group) in groups.enumerated() {
            let manifest = Manifest(url: "s3://\(bucket)/\(manifestPrefix)/\(group.name).manifest", json: manifestJSON(group.files))
            manifests.append(manifest)
            sql.append("")
            let count = group.files.count
            sql.append("-- \(index + 1). staging.\(group.table): \(count) file\(count == 1 ? "" : "s"), \(group.files.reduce(0) { $0 + $1.rows }) rows")
            sql.append("-- manifest \(manifest.url):")
            sql += manifest.json.split(separator: "\n").map { "--   " + $0 }
            let earlier = groups[..<index].filter { $0.table == group.table }.flatMap(\.columns).map(\.name)
            // The table's highest floor, applied with its first group (later groups' rows are filtered by it).
            let floor = earlier.isEmpty ? files.filter { $0.table == group.table }.compactMap(\.floor).max() : nil
            sql += merge(group, manifest: manifest.url, newColumns: earlier.isEmpty ? [] : group.columns.filter { !earlier.contains($0.name) },
                         floor: floor)
                .map { $0 + ";" }
        }
        sql.append("")
        sql.append("-- Ledger: these files are applied, in the same transaction as their rows.")
        sql += ledger(files).map { $0 + ";" }
        sql.append("COMMIT;")
        sql.append("")
        sql.append("-- The star (mart): DDL, then one incremental update in one transaction.")
        sql += star.createStatements(.redshift).map { $0 + ";" }
        sql.append("BEGIN;")
        sql += star.updateStatements(.redshift).map { $0 + ";" }
        sql.append("COMMIT;")
        return (manifests, sql.joined(separator: "\n") + "\n")
    }

    /// Files of one table with one column layout (a schema change starts a new group).
    struct Group {
        var table: String
        var name: String
        var keyColumns: [String]
        var columns: [ParquetColumn]
        var files: [File]
    }

    static func groups(_ files: [File]) -> [Group] {
        var groups: [Group] = []
        for file in files.sorted(by: { $0.key < $1.key }) {
            if let index = groups.firstIndex(where: { $0.table == file.table && $0.columns == file.columns && $0.keyColumns == file.keyColumns }) {
                groups[index].files.append(file)
            } else {
                let sameTable = groups.filter { $0.table == file.table }.count
                groups.append(Group(table: file.table, name: sameTable == 0 ? file.table : "\(file.table)-\(sameTable + 1)",
                                    keyColumns: file.keyColumns, columns: file.columns, files: [file]))
            }
        }
        return groups.sorted { ($0.table, $0.name) < ($1.table, $1.name) }
    }

    /// Redshift's manifest for columnar files: every entry mandatory, with its length.
    func manifestJSON(_ files: [File]) -> String {
        let entries = files.map { file in
            "    {\"url\": \"s3://\(bucket)/\(file.key)\", \"mandatory\": true, \"meta\": {\"content_length\": \(file.size)}}"
        }
        return "{\n  \"entries\": [\n" + entries.joined(separator: ",\n") + "\n  ]\n}"
    }

    /// COPY into a temporary table, raise the table's floor (rows older than a snapshot,
    /// truncate or drop leave staging), keep each key's latest change at or above the floor,
    /// drop changes staging already has, then delete and MERGE, and record the touched keys.
    /// `newColumns` are columns a schema change added since an earlier group of the same table.
    func merge(_ group: Group, manifest: String, newColumns: [ParquetColumn], floor: SourceOrder?) -> [String] {
        let q = WarehouseSession.quote
        let literal = WarehouseSession.literal(group.table)
        let target = "staging.\(q(group.table))"
        let incoming = q("incoming_\(group.name)"), latest = q("latest_\(group.name)")
        let tableColumns = group.columns.filter { !ReservedColumnNames.isLakeMetadata($0.name) }.map(StagingColumn.init)
        let names = tableColumns.map { q($0.name) }
        let key = group.keyColumns.map { q(StagingColumn.snakeCase($0)) }
        let keyText = { (alias: String) in key.map { "CAST(\(alias).\($0) AS varchar)" }.joined(separator: " || '|' || ") }
        let match = key.map { "\(q(group.table)).\($0) = l.\($0)" }.joined(separator: " AND ")
        let lakeColumns = group.columns.map { column in "\(q(StagingColumn.snakeCase(column.name))) \(StagingColumn(column).redshiftType)" }
        let staged = tableColumns.map { "\(q($0.name)) \($0.redshiftType)" }
            + ["_src_file varchar(256) NOT NULL", "_src_seq bigint NOT NULL", "_src_pos bigint NOT NULL", "_src_row bigint NOT NULL",
               "_src_ms bigint", "PRIMARY KEY (\(key.joined(separator: ", ")))"]
        let all = names + ["_src_file"] + SourceOrder.columns + ["_src_ms"]
        let additions = newColumns.map(StagingColumn.init).map { "ALTER TABLE \(target) ADD COLUMN \(q($0.name)) \($0.redshiftType)" }
        let updated = tableColumns.filter { !group.keyColumns.map(StagingColumn.snakeCase).contains($0.name) }.map { q($0.name) }
            + ["_src_file"] + SourceOrder.columns + ["_src_ms"]
        // Lakes written before `_source_seq` existed: the sequence of the binlog file name.
        let sequence = group.columns.contains { $0.name == "_source_seq" } ? "_source_seq"
            : "CAST(REGEXP_SUBSTR(SPLIT_PART(_source_pos, ':', 1), '[0-9]+$') AS bigint)"
        var statements = [
            "CREATE TABLE IF NOT EXISTS \(target) (\n    \(staged.joined(separator: ",\n    "))\n)\nDISTSTYLE AUTO\nSORTKEY (\(key.joined(separator: ", ")))",
        ] + additions + [
            "DROP TABLE IF EXISTS \(incoming)",
            "CREATE TEMP TABLE \(incoming) (\n    \(lakeColumns.joined(separator: ",\n    "))\n)",
            "COPY \(incoming)\nFROM \(WarehouseSession.literal(manifest))\nIAM_ROLE \(WarehouseSession.literal(iamRole))\nFORMAT AS PARQUET\nMANIFEST",
        ]
        if let floor {
            let older = Self.older(seq: "_src_seq", pos: "_src_pos", than: floor)
            statements += [
                """
                INSERT INTO sluice.staging_tables (table_name, floor_seq, floor_pos)
                SELECT \(literal), \(floor.sequence), \(floor.position)
                WHERE NOT EXISTS (SELECT 1 FROM sluice.staging_tables WHERE table_name = \(literal))
                """,
                """
                UPDATE sluice.staging_tables SET floor_seq = \(floor.sequence), floor_pos = \(floor.position)
                WHERE table_name = \(literal) AND (floor_seq IS NULL OR \(Self.older(seq: "floor_seq", pos: "floor_pos", than: floor)))
                """,
                """
                INSERT INTO sluice.pending_changes (table_name, key_text)
                SELECT DISTINCT \(literal), \(keyText(q(group.table))) FROM \(target)
                WHERE \(older) AND NOT EXISTS (SELECT 1 FROM sluice.pending_changes AS p
                                               WHERE p.table_name = \(literal) AND p.key_text = \(keyText(q(group.table))))
                """,
                "DELETE FROM \(target) WHERE \(older)",
            ]
        }
        return statements + [
            "DROP TABLE IF EXISTS \(latest)",
            """
            CREATE TEMP TABLE \(latest) AS
            SELECT \(names.joined(separator: ", ")), _op, _src_file, _src_seq, _src_pos, _src_row, _src_ms FROM (
                SELECT \(names.joined(separator: ", ")), _op,
                       SPLIT_PART(_source_pos, ':', 1) AS _src_file, \(sequence) AS _src_seq,
                       CAST(SPLIT_PART(_source_pos, ':', 2) AS bigint) AS _src_pos, _source_row AS _src_row,
                       _source_ts_ms AS _src_ms,
                       ROW_NUMBER() OVER (PARTITION BY \(key.joined(separator: ", "))
                                          ORDER BY \(sequence) DESC, CAST(SPLIT_PART(_source_pos, ':', 2) AS bigint) DESC,
                                                   _source_row DESC) AS change_rank
                FROM \(incoming) WHERE _op NOT IN ('t', 's')) AS ranked
            WHERE change_rank = 1
            """,
            """
            DELETE FROM \(latest) USING sluice.staging_tables AS s
            WHERE s.table_name = \(literal) AND s.floor_seq IS NOT NULL
              AND (\(latest)._src_seq < s.floor_seq OR (\(latest)._src_seq = s.floor_seq AND \(latest)._src_pos < s.floor_pos))
            """,
            "DELETE FROM \(latest) USING \(target) WHERE \(key.map { "\(q(group.table)).\($0) = \(latest).\($0)" }.joined(separator: " AND "))\n    AND \(Self.notOlder(q(group.table), than: latest))",
            "DELETE FROM \(target) USING \(latest) AS l WHERE \(match) AND l._op = 'd'",
            """
            MERGE INTO \(target) USING (SELECT * FROM \(latest) WHERE _op <> 'd') AS l ON \(match)
            WHEN MATCHED THEN UPDATE SET \(updated.map { "\($0) = l.\($0)" }.joined(separator: ", "))
            WHEN NOT MATCHED THEN INSERT (\(all.joined(separator: ", "))) VALUES (\(all.map { "l.\($0)" }.joined(separator: ", ")))
            """,
            """
            INSERT INTO sluice.pending_changes (table_name, key_text, source_ms)
            SELECT DISTINCT \(literal), \(keyText("l")) AS key_text, l._src_ms
            FROM \(latest) AS l
            WHERE NOT EXISTS (SELECT 1 FROM sluice.pending_changes AS p
                              WHERE p.table_name = \(literal) AND p.key_text = \(keyText("l")))
            """,
        ]
    }

    /// A row (sequence and position columns) older than `floor`: Redshift has no row-value comparison.
    static func older(seq: String, pos: String, than floor: SourceOrder) -> String {
        "(\(seq) < \(floor.sequence) OR (\(seq) = \(floor.sequence) AND \(pos) < \(floor.position)))"
    }

    /// `staging` already holds this change or a later one (source order compared field by field).
    static func notOlder(_ staged: String, than change: String) -> String {
        let (t, l) = (staged, change)
        return "(\(t)._src_seq > \(l)._src_seq OR (\(t)._src_seq = \(l)._src_seq AND (\(t)._src_pos > \(l)._src_pos"
            + " OR (\(t)._src_pos = \(l)._src_pos AND \(t)._src_row >= \(l)._src_row))))"
    }

    func ledger(_ files: [File]) -> [String] {
        guard !files.isEmpty else { return [] }
        let keys = files.map { WarehouseSession.literal($0.key) }.joined(separator: ",\n    ")
        let values = files.sorted { $0.key < $1.key }.map { file in
            "(\(WarehouseSession.literal(file.key)), \(WarehouseSession.literal(file.etag)), \(file.size), \(WarehouseSession.literal(file.table)), \(file.rows))"
        }
        return [
            "DELETE FROM sluice.loaded_files WHERE key IN (\n    \(keys))",
            "INSERT INTO sluice.loaded_files (key, etag, size, table_name, rows) VALUES\n    \(values.joined(separator: ",\n    "))",
        ]
    }
}
