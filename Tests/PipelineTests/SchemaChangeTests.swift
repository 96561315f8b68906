import MySQL
@testable import Pipeline
import Testing

/// How an ALTER is followed: in place when every existing row keeps its values, otherwise a new snapshot.
@Suite struct SchemaChangeTests {
    static func column(_ name: String, _ dataType: String, _ columnType: String, nullable: Bool = true, precision: Int? = nil,
                       scale: Int? = nil, length: Int? = nil, charset: String? = nil, defaultValue: String? = "NULL",
                       extra: String = "") -> MySQLColumnDefinition {
        MySQLColumnDefinition(name: name, position: 0, dataType: dataType, columnType: columnType, numericPrecision: precision,
                              numericScale: scale, characterMaximumLength: length, characterSet: charset, isNullable: nullable,
                              defaultValue: defaultValue, extra: extra)
    }

    static let id = column("id", "int", "int(11)", nullable: false, defaultValue: nil)
    static let name = column("name", "varchar", "varchar(10)", length: 10, charset: "latin1")
    static let price = column("price", "decimal", "decimal(12,3)", precision: 12, scale: 3)

    static func definition(_ columns: [MySQLColumnDefinition], key: [String] = ["id"]) -> MySQLTableDefinition {
        MySQLTableDefinition(database: "s", name: "t", columns: columns, primaryKey: key, estimatedRows: 0)
    }

    func change(_ before: [MySQLColumnDefinition], _ after: [MySQLColumnDefinition], key: [String] = ["id"],
                clauses: DDLStatement.AlterClauses = .init()) throws -> SchemaChange {
        let new = Self.definition(after, key: key)
        return SchemaChange.between(try TableSchema(Self.definition(before)), try TableSchema(new), definition: new, statement: clauses)
    }

    @Test func valuePreservingChangesAreFollowed() throws {
        let base = [Self.id, Self.name, Self.price]
        #expect(try change(base, base) == .none)
        guard case .follow(let notes) = try change(base, base + [Self.column("tier", "varchar", "varchar(5)", length: 5)]) else {
            Issue.record("a nullable column without a default is followed"); return
        }
        #expect(notes == ["column tier added"])
        #expect(try change(base, [Self.id, Self.price]) == .follow(["column name dropped"]))
        let widened = [Self.column("id", "bigint", "bigint(20)", nullable: false, defaultValue: nil),
                       Self.column("name", "varchar", "varchar(50)", length: 50, charset: "utf8mb4"),
                       Self.column("price", "decimal", "decimal(14,3)", precision: 14, scale: 3)]
        guard case .follow(let widenings) = try change(base, widened) else { Issue.record("widenings are followed"); return }
        #expect(widenings.count == 3)
    }

    @Test func changesThatMayRewriteValuesSnapshotAgain() throws {
        let base = [Self.id, Self.name, Self.price]
        func isResnapshot(_ result: SchemaChange) -> Bool { if case .resnapshot = result { return true } else { return false } }
        // A default fills existing rows without a row event.
        #expect(isResnapshot(try change(base, base + [Self.column("n", "int", "int(11)", defaultValue: "7")])))
        #expect(isResnapshot(try change(base, base + [Self.column("n", "int", "int(11)", nullable: false, defaultValue: nil)])))
        #expect(isResnapshot(try change(base, base + [Self.column("n", "int", "int(11)", extra: "VIRTUAL GENERATED")])))
        // Narrowing, another kind, another key.
        #expect(isResnapshot(try change(base, [Self.id, Self.column("name", "varchar", "varchar(5)", length: 5, charset: "latin1"), Self.price])))
        #expect(isResnapshot(try change(base, [Self.id, Self.name, Self.column("price", "varchar", "varchar(20)", length: 20, charset: "latin1")])))
        #expect(isResnapshot(try change(base, [Self.id, Self.name, Self.column("price", "decimal", "decimal(12,2)", precision: 12, scale: 2)])))
        #expect(isResnapshot(try change(base, base, key: ["id", "name"])))
        // A rename, or a column dropped and added again under its name, keeps the shape but not the values.
        var renamed = DDLStatement.AlterClauses()
        renamed.renamedColumns = ["name"]
        #expect(isResnapshot(try change(base, base, clauses: renamed)))
        var readded = DDLStatement.AlterClauses()
        readded.droppedColumns = ["name"]
        readded.addedColumns = ["name"]
        #expect(isResnapshot(try change(base, base, clauses: readded)))
    }

    /// Row images are checked against the version they are read with; FULL metadata names the columns.
    @Test func rowImagesMustMatchTheirVersion() throws {
        let schema = try TableSchema(Self.definition([Self.id, Self.name, Self.price]))
        let collations = MySQLCollations(characterSets: [8: "latin1", 45: "utf8mb4", 63: "binary"],
                                         maxBytes: ["latin1": 1, "utf8mb4": 4, "binary": 1])
        func map(_ names: [String?], types: [(UInt8, UInt16)], collation: Int? = 8) -> BinlogTableMap {
            var columns = zip(names, types).enumerated().map { index, pair -> BinlogTableMap.Column in
                var column = BinlogTableMap.Column(type: pair.1.0, meta: pair.1.1, nullable: index != 0)
                column.name = pair.0
                if pair.1.0 == 15 { column.collation = collation }
                return column
            }
            if names.allSatisfy({ $0 != nil }) { columns[0].unsigned = false }
            return BinlogTableMap(tableID: 1, database: "s", table: "t", columns: columns,
                                  primaryKey: names.allSatisfy { $0 != nil } ? [0] : nil)
        }
        let types: [(UInt8, UInt16)] = [(3, 0), (15, 10), (246, 12 << 8 | 3)]
        let text = SourceTextDecoderTests.decoder()
        #expect(try schema.mismatch(with: map(["id", "name", "price"], types: types), collations: collations, text: text) == nil)
        #expect(try schema.mismatch(with: map([nil, nil, nil], types: types), collations: collations, text: text) == nil)
        // An extra column (rows logged after ADD COLUMN … AFTER id), another name, another size, another charset.
        #expect(try schema.mismatch(with: map(["id", "x", "name", "price"], types: [(3, 0), (15, 10), (15, 10), (246, 12 << 8 | 3)]),
                                collations: collations, text: text) != nil)
        #expect(try schema.mismatch(with: map(["id", "title", "price"], types: types), collations: collations, text: text)?.contains("title") == true)
        #expect(try schema.mismatch(with: map([nil, nil, nil], types: [(3, 0), (15, 20), (246, 12 << 8 | 3)]), collations: collations, text: text) != nil)
        #expect(try schema.mismatch(with: map(["id", "name", "price"], types: types, collation: 45), collations: collations, text: text) != nil)
    }
}
