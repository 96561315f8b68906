import Crypto
import Foundation
import Kafka
import Logging
import MySQL
import S3
import SluiceSupport
import Warehouse

/// `sluice verify`: reconciles every source table across the pipeline.
///
/// For each table: the row count, the exact sum of every integer and DECIMAL
/// column, and an order-independent hash of the primary keys (the sum of the
/// first 60 bits of each key's MD5), computed in MySQL, in the lake (the
/// latest change per key, by source position, deletes removed), in
/// `staging`, and in the star where the model says a dimension or fact mirrors
/// the table (current dimension rows, fact rows); then the model's own checks
/// (e.g. sales = Σ quantity × price). Float columns are left out: they are not exact.
public struct Verifier: Sendable {
    public struct Options: Sendable {
        public var tables: [String]?
        /// Topic prefix of the extract (its checkpoint names stopped tables); default: the database name.
        public var topicPrefix: String?
        public var lakeRoot = "raw"
        /// Read the lake too (every object of each table). Default `true`.
        public var checkLake = true
        public init() {}
    }

    let config: SluiceConfig
    let options: Options
    let logger: Logger

    public init(config: SluiceConfig, options: Options, logger: Logger = Logger(label: "sluice.verify")) {
        self.config = config
        self.options = options
        self.logger = logger
    }

    public func run() async throws -> VerifyReport {
        let settings = try config.mysql()
        let mysql = try await MySQLConnection.connect(settings)
        let database = settings.database ?? ""
        // Sluice's own watermark table is never captured, so it is not compared either.
        let existing = try await mysql.baseTables(in: database).filter { $0 != ExtractOptions().watermarkTable }
        let tables = options.tables ?? existing
        if let unknown = tables.first(where: { !existing.contains($0) }) {
            throw MySQLError(code: .unknownTable, message: "unknown table \(unknown) in database \(database)")
        }
        // Without a model file there is no star to compare: the source, the lake and staging still are.
        let model = config.hasModel ? try config.model() : nil
        let s3 = S3Client(configuration: try config.s3(), logger: logger)
        let bucket = try config.bucket()
        var report = VerifyReport()
        // A table extract stopped fails verify with its reason, whatever its figures say.
        for stopped in try await stoppedTables(prefix: options.topicPrefix ?? database) where tables.contains(stopped.table) {
            report.checks.append(VerifyReport.Check(table: stopped.table, check: "extract stopped: \(stopped.reason)",
                                                    mysql: nil, lake: nil, staging: nil, mart: nil))
        }
        // So does a table land stopped (its marker in the lake), and one whose loading stopped.
        let layout = LakeLayout(root: options.lakeRoot)
        for object in try await s3.listAllObjects(bucket: bucket, prefix: layout.landStoppedPrefix) {
            let marker = try JSONValue.parse(try await s3.getObject(bucket: bucket, key: object.key))
            if let table = marker["table"]?.stringValue, tables.contains(table) {
                report.checks.append(VerifyReport.Check(table: table, check: "land stopped: \(marker["reason"]?.stringValue ?? "")",
                                                        mysql: nil, lake: nil, staging: nil, mart: nil))
            }
        }
        try await Warehouse.withConnection(try config.warehouse(), logger: logger) { connection in
            let warehouse = WarehouseSession(connection: connection, logger: logger)
            for (table, reason) in try await StagingTable.stopped(warehouse).sorted(by: { $0.key < $1.key }) where tables.contains(table) {
                report.checks.append(VerifyReport.Check(table: table, check: "load stopped: \(reason)", mysql: nil, lake: nil,
                                                        staging: nil, mart: nil))
            }
            for table in tables {
                do {
                    report.checks += try await verify(table, model: model, mysql: mysql, database: database, warehouse: warehouse,
                                                      s3: s3, bucket: bucket)
                } catch {
                    // One table's failure is its own row; the others are still verified.
                    report.checks.append(VerifyReport.Check(table: table, check: "cannot verify: \(oneLine(error))",
                                                            mysql: nil, lake: nil, staging: nil, mart: nil))
                }
            }
            return ()
        }
        return report
    }

    /// One table's checks: MySQL, the lake, staging and the star's mirror, then the model's checks of the table.
    func verify(_ table: String, model: SluiceModel?, mysql: MySQLConnection, database: String, warehouse: WarehouseSession,
                s3: S3Client, bucket: String) async throws -> [VerifyReport.Check] {
        let schema = try TableSchema(try await mysql.tableDefinition(database: database, table: table))
        let measured = schema.columns.filter { column in
            switch column.type { case .integer, .decimal: return true; default: return false }
        }
        let measures = measured.map(\.name)
        let scales = measured.map { column -> Int in
            if case .decimal(_, let scale) = column.type { return scale }
            return 0
        }
        let source = try await mysqlFigures(mysql, database: database, schema: schema, measures: measures)
        let checks = model?.checks(of: table) ?? []
        let products = checks.map { check in
            LakeState.Product(columns: check.lakeProduct ?? [], scale: (check.lakeProduct ?? []).reduce(0) { total, name in
                guard let column = schema.columns.first(where: { $0.name == name }), case .decimal(_, let scale) = column.type else { return total }
                return total + scale
            })
        }
        let lake = options.checkLake
            ? try await LakeState.figures(s3: s3, bucket: bucket, layout: LakeLayout(root: options.lakeRoot), table: table,
                                         key: schema.key, measures: measures, scales: scales, products: products)
            : nil
        let staging = try await warehouseFigures(warehouse, schema: "staging", table: table, filter: "true",
                                                 key: schema.key, measures: measures)
        var mart: Figures?
        if let mirror = model?.mirror(of: table) {
            mart = try await warehouseFigures(warehouse, schema: "mart", table: mirror.table, filter: mirror.filter,
                                              key: schema.key, measures: measures)
        }
        var results = (["rows"] + measures.map { "sum(\($0))" } + ["key hash"]).enumerated().map { index, name in
            VerifyReport.Check(table: table, check: name, mysql: source?.values[index], lake: lake?.values[index],
                               staging: staging?.values[index], mart: mart?.values[index])
        }
        for (index, check) in checks.enumerated() {
            results.append(try await modelCheck(check, mysql: mysql, warehouse: warehouse,
                                                lake: check.lakeProduct == nil ? nil : lake?.products[index]))
        }
        return results
    }

    /// Tables the extract checkpoint says stopped (none if there is no checkpoint).
    func stoppedTables(prefix: String) async throws -> [(table: String, reason: String)] {
        let kafka = try config.kafka()
        let logger = self.logger
        return try await runBlocking {
            let reader = KafkaTopicReader(configuration: kafka, logger: logger)
            guard let value = try reader.latestByKey(topic: ExtractTopics(prefix: prefix).offsets)[ExtractTopics.checkpointKey] else { return [] }
            return try ExtractCheckpoint(json: try JSONValue.parse(value)).stoppedTables
        }
    }

    /// Count, sums (by `measures`), key hash, as text; `nil` where the relation does not exist.
    struct Figures {
        var values: [String?]
        /// Lake only: the sums of products the model's checks of the table ask for, in their order.
        var products: [String] = []
    }

    func mysqlFigures(_ mysql: MySQLConnection, database: String, schema: TableSchema, measures: [String]) async throws -> Figures? {
        let q = MySQLConnection.quoteIdentifier
        // Binary key columns hash as lower-case hex in every place (their bytes are no text).
        let keyParts = schema.keyIndexes.map { index -> String in
            if case .binary = schema.columns[index].type { return "LOWER(HEX(\(q(schema.columns[index].name))))" }
            return q(schema.columns[index].name)
        }
        let keyText = "CONVERT(CONCAT_WS('|', \(keyParts.joined(separator: ", "))) USING utf8mb4)"
        let select = ["COUNT(*)"] + measures.map { "SUM(\(q($0)))" }
            + ["SUM(CAST(CONV(SUBSTRING(MD5(\(keyText)), 1, 15), 16, 10) AS DECIMAL(30,0)))"]
        let row = try await mysql.query("SELECT \(select.joined(separator: ", ")) FROM \(q(database)).\(q(schema.table))").rows.first
        return row.map { Figures(values: Self.zeroed($0)) }
    }

    func warehouseFigures(_ warehouse: WarehouseSession, schema: String, table: String, filter: String, key: [String],
                          measures: [String]) async throws -> Figures? {
        guard try await warehouse.exists(schema: schema, name: table) else { return nil }
        let relation = "\(WarehouseSession.quote(schema)).\(WarehouseSession.quote(table))"
        var types: [String: String] = [:]
        for row in try await warehouse.rows("""
            SELECT column_name, data_type FROM information_schema.columns
            WHERE table_schema = \(WarehouseSession.literal(schema)) AND table_name = \(WarehouseSession.literal(table))
            """).rows {
            if let column = row[0] { types[column] = row[1] ?? "" }
        }
        let column = { (source: String) -> String? in
            let snake = StagingColumn.snakeCase(source)
            return types[snake] != nil ? WarehouseSession.quote(snake) : nil
        }
        let keys = key.map { source -> String? in
            guard let name = column(source) else { return nil }
            return types[StagingColumn.snakeCase(source)] == "bytea" ? "encode(\(name), 'hex')" : name
        }
        let keyHash = keys.contains(where: { $0 == nil }) ? "NULL"
            : "sum(('x' || substr(md5(concat_ws('|', \(keys.compactMap { $0 }.joined(separator: ", ")))), 1, 15))::bit(60)::bigint)"
        let select = ["count(*)"] + measures.map { column($0).map { "sum(\($0))" } ?? "NULL" } + [keyHash]
        let names = select.indices.map { "c\($0)" }
        let query = "SELECT \(zip(select, names).map { "\($0) AS \($1)" }.joined(separator: ", ")) FROM \(relation) WHERE \(filter)"
        guard let row = try await warehouse.rows(query).rows.first else { return nil }
        // Columns the star does not carry stay nil (not compared).
        var values = Self.zeroed(row)
        for (index, expression) in select.enumerated() where expression == "NULL" { values[index] = nil }
        return Figures(values: values)
    }

    /// A model check: its source query on MySQL (the source database selected), its staging and
    /// star queries where the tables they read exist.
    func modelCheck(_ check: StarModelFile.Check, mysql: MySQLConnection, warehouse: WarehouseSession,
                    lake: String?) async throws -> VerifyReport.Check {
        let source = try await mysql.query(check.source).scalar ?? "0"
        func run(_ query: String?, schema: String) async throws -> String? {
            guard let query else { return nil }
            for table in StarModelFile.references(in: query, schema: schema) where !(try await warehouse.exists(schema: schema, name: table)) {
                return nil
            }
            return try await warehouse.scalar(query) ?? "0"
        }
        return VerifyReport.Check(table: check.table, check: check.name, mysql: source, lake: lake,
                                  staging: try await run(check.staging, schema: "staging"), mart: try await run(check.star, schema: "mart"))
    }

    /// SUM over no rows is NULL; the reconciliation reads it as 0.
    static func zeroed(_ row: [String?]) -> [String?] { row.map { $0 ?? "0" } }
}

/// The first 60 bits of MD5(text) as a number, the unit of the key hash.
func keyHashTerm(_ text: String) -> Int128 {
    let digest = Insecure.MD5.hash(data: Array(text.utf8))
    var value: UInt64 = 0
    for byte in digest.prefix(8) { value = value << 8 | UInt64(byte) }
    return Int128(value >> 4)
}
