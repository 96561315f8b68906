import MySQL
import Testing

/// TABLE_MAP events parsed from bytes laid out as the MySQL/MariaDB replication
/// protocol documents them (post-header, column types, type metadata, null
/// bitmap, then the optional metadata of `binlog_row_metadata`). The vectors are
/// written out by hand from the published format, field by field.
@Suite struct BinlogTableMapTests {
    /// `shop.items (id INT UNSIGNED NOT NULL PRIMARY KEY, name VARCHAR(10) utf8mb4, price DECIMAL(12,3),
    /// size ENUM('S','M') latin1, data BLOB)`, logged with `binlog_row_metadata=FULL`.
    static let full: [UInt8] = {
        var bytes: [UInt8] = [42, 0, 0, 0, 0, 0, 1, 0]                  // table id 42, flags
        bytes += [4] + Array("shop".utf8) + [0] + [5] + Array("items".utf8) + [0]
        bytes += [5, 3, 15, 246, 254, 252]                              // 5 columns: LONG VARCHAR NEWDECIMAL STRING BLOB
        bytes += [7, 40, 0, 12, 3, 247, 1, 2]                           // metadata: 40 bytes; (12,3); ENUM of 1 byte; 2 length bytes
        bytes += [0b0001_1110]                                          // every column but id is nullable
        bytes += [1, 1, 0b1000_0000]                                    // SIGNEDNESS: id unsigned, price signed
        bytes += [2, 3, 45, 1, 63]                                      // DEFAULT_CHARSET 45, the 2nd text column (data) 63
        let names = ["id", "name", "price", "size", "data"].flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }
        bytes += [4, UInt8(names.count)] + names                        // COLUMN_NAME
        bytes += [6, 5, 2, 1, UInt8(ascii: "S"), 1, UInt8(ascii: "M")]  // ENUM_STR_VALUE: 2 members
        bytes += [10, 1, 8]                                             // ENUM_AND_SET_DEFAULT_CHARSET: latin1
        bytes += [8, 1, 0]                                              // SIMPLE_PRIMARY_KEY: column 0
        return bytes
    }()

    @Test func fullMetadataDescribesTheTableAsWritten() throws {
        let map = try BinlogTableMap(body: Self.full)
        #expect(map.tableID == 42 && map.database == "shop" && map.table == "items")
        #expect(map.hasColumnNames)
        #expect(map.columns.map(\.name) == ["id", "name", "price", "size", "data"])
        #expect(map.columns.map(\.nullable) == [false, true, true, true, true])
        #expect(map.columns[0].unsigned == true && map.columns[2].unsigned == false)
        #expect(map.columns[1].unsigned == nil, "only numeric columns carry signedness")
        #expect(map.columns[1].meta == 40 && map.columns[1].collation == 45)
        #expect(map.columns[2].meta == 12 << 8 | 3)
        #expect(map.columns[3].realType == 247 && map.columns[3].collation == 8)
        #expect(map.columns[3].members == [[UInt8(ascii: "S")], [UInt8(ascii: "M")]])
        #expect(map.columns[4].collation == 63 && map.columns[4].meta == 2)
        #expect(map.primaryKey == [0])
    }

    @Test func minimalMetadataHasNoNamesAndNoKey() throws {
        // The same table without optional metadata (binlog_row_metadata=NO_LOG, MariaDB's default).
        let cut = Self.full.firstIndex(of: 0b0001_1110)! + 1
        let map = try BinlogTableMap(body: Array(Self.full[..<cut]))
        #expect(!map.hasColumnNames)
        #expect(map.primaryKey == nil)
        #expect(map.columns.allSatisfy { $0.unsigned == nil && $0.collation == nil })
        // MINIMAL: signedness and character sets, still no names.
        let minimal = Array(Self.full[..<cut]) + [1, 1, 0b1000_0000, 3, 2, 45, 63]   // COLUMN_CHARSET instead of the default
        let withCharsets = try BinlogTableMap(body: minimal)
        #expect(withCharsets.columns[1].collation == 45 && withCharsets.columns[4].collation == 63)
        #expect(!withCharsets.hasColumnNames)
    }

    @Test func longCharColumnsUnfoldTheirLength() throws {
        // CHAR(100) in utf8mb4 is 400 bytes: two length bits ride in the type byte (0xFE ^ 0x10 = 0xEE).
        var bytes: [UInt8] = [1, 0, 0, 0, 0, 0, 0, 0, 1] + Array("s".utf8) + [0, 1] + Array("t".utf8) + [0]
        bytes += [1, 254, 2, 0xEE, 0x90, 0]
        let column = try #require(try BinlogTableMap(body: bytes).columns.first)
        #expect(column.realType == 254)
        #expect(column.fixedLength == 400)
    }

    @Test func truncatedEventsFailCleanly() {
        #expect(throws: MySQLError.self) { try BinlogTableMap(body: Array(Self.full.prefix(20))) }
    }
}
