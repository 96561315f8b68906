@testable import MySQL
import Testing

/// A JSON column (binlog type 245) inside a row image, as MySQL 8 logs it: a
/// length of as many bytes as the column's table-map metadata says (4 for JSON),
/// then the binary JSON document, which the row decoder turns into JSON text.
/// Built with the test encoder; no MySQL 8 server runs here.
@Suite struct MySQLBinaryJSONRowTests {
    static let map = BinlogTableMap(tableID: 7, database: "shop", table: "docs", columns: [
        BinlogTableMap.Column(type: 3, meta: 0, nullable: false),       // id INT
        BinlogTableMap.Column(type: 245, meta: 4, nullable: true),      // doc JSON
    ])

    static func row(id: UInt32, document: [UInt8]?) -> [UInt8] {
        let length = UInt32(document?.count ?? 0)
        return [document == nil ? 0b10 : 0] + BinaryJSONEncoder.little(UInt64(id), 4)
            + (document.map { BinaryJSONEncoder.little(UInt64(length), 4) + $0 } ?? [])
    }

    func decode(_ images: [UInt8]) throws -> [[BinlogValue?]] {
        try images.withUnsafeBytes { try BinlogRowDecoder(map: Self.map).decodeRows($0, present: [true, true], presentAfter: nil) }
    }

    @Test func jsonColumnsDecodeToText() throws {
        let document = BinaryJSONEncoder.encode(.object([("b", .array([.bool(true), .null])), ("a", .double(1.5))]))
        let rows = try decode(Self.row(id: 1, document: document) + Self.row(id: 2, document: []) + Self.row(id: 3, document: nil))
        #expect(rows.count == 3)
        #expect(rows[0][1] == .bytes(Array(#"{"a": 1.5, "b": [true, null]}"#.utf8)))
        #expect(rows[1][1] == .bytes(Array("null".utf8)), "an empty JSON value is JSON null")
        #expect(rows[2][1] == .null, "SQL NULL stays NULL")
        #expect(rows[2][0] == .unsigned(3))
    }

    @Test func damagedJSONFailsTheEvent() {
        #expect(throws: MySQLError.self) { try decode(Self.row(id: 1, document: [0x0D, 1, 2])) }
    }
}
