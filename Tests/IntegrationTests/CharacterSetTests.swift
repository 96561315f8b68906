import Foundation
import MySQL
import Pipeline
import SluiceTestSupport
import Testing

extension PipelineIntegration {
    /// Every character set the server offers arrives in staging exactly as the server's own
    /// `CONVERT(… USING utf8mb4)` gives it, through the snapshot (the server converts) and
    /// through the binlog (Sluice converts).
    @Suite struct CharacterSetTests {
        typealias Exact = SchemaChangeTests

        /// The server's character sets (`SHOW CHARACTER SET`) and their longest character, but
        /// `binary`: its columns are BINARY/BLOB, carried as bytes.
        static func characterSets(_ database: TestDatabase) async throws -> [(name: String, maxLength: Int)] {
            try await database.admin.query("SELECT CHARACTER_SET_NAME, MAXLEN FROM information_schema.CHARACTER_SETS ORDER BY 1")
                .rows.compactMap { row in
                    guard let name = row[0], name != "binary", let length = row[1].flatMap({ Int($0) }) else { return nil }
                    return (name, length)
                }
        }

        /// Values covering a character set, as SQL expressions of it: every byte 0x01–0xFF; for
        /// multibyte sets every two-byte sequence too (256 to a value, by first byte), and for
        /// three-byte ones EUC's 0x8F sequences; for all, code points across Unicode as the server
        /// converts them. Bytes the set does not take are stored as the server fixes them (`?`).
        /// Nothing reads as U+0000: PostgreSQL text cannot hold it (so no 0x00 byte, and in the
        /// UTF-16/UCS-2 sets no 0x0000 unit).
        static func samples(_ characterSet: String, maxLength: Int) -> [String] {
            func bytes(_ value: [UInt8]) -> String {
                "CONVERT(X'\(value.map { String(format: "%02X", $0) }.joined())' USING \(characterSet))"
            }
            let wide = ["ucs2", "utf16", "utf16le", "utf32"].contains(characterSet)
            let trail = { (lead: Int) in (0...255).filter { wide ? lead != 0 || $0 != 0 : lead != 0 && $0 != 0 } }
            var values = stride(from: 1, through: 255, by: 32).map { start in bytes((start...min(start + 31, 255)).map(UInt8.init)) }
            if maxLength >= 2 {
                values += (0...255).map { lead in bytes(trail(lead).flatMap { [UInt8(lead), UInt8($0)] }) }
            }
            if maxLength == 3 && !characterSet.hasPrefix("utf8") {
                values += (0x80...0xFF).map { second in bytes(trail(second).flatMap { [0x8F, UInt8(second), UInt8($0)] }) }
            }
            let codePoints = Array(stride(from: 0x20, to: 0x3_0000, by: 97).filter { !(0xD800...0xDFFF).contains($0) })
                + [0xFFFD, 0xFEFF, 0x1_F600, 0x1_0FFFF]
            values += stride(from: 0, to: codePoints.count, by: 128).map { start in
                let chunk = codePoints[start..<min(start + 128, codePoints.count)]
                let hex = chunk.map { String(format: "%08X", $0) }.joined()
                return "CONVERT(CONVERT(X'\(hex)' USING utf32) USING \(characterSet))"
            }
            return values
        }

        /// Inserts every character set's samples into `texts`, row `first` onwards (NULL where a set has fewer).
        static func insertSamples(_ sets: [(name: String, maxLength: Int)], into database: TestDatabase, from first: Int) async throws {
            let columns: [[String]] = sets.map { Self.samples($0.name, maxLength: $0.maxLength) }
            let rows = columns.map(\.count).max() ?? 0
            for start in stride(from: 0, to: rows, by: 25) {
                let tuples = (start..<min(start + 25, rows)).map { (row: Int) -> String in
                    let values = columns.map { (column: [String]) -> String in row < column.count ? column[row] : "NULL" }
                    return "(\(first + row), " + values.joined(separator: ", ") + ")"
                }
                try await database.execute("INSERT INTO texts VALUES " + tuples.joined(separator: ", "))
            }
        }

        /// Each staged value equals MySQL's `CONVERT(column USING utf8mb4)`, column by column and row by row.
        static func expectConverted(_ sets: [(name: String, maxLength: Int)], _ database: TestDatabase, _ warehouse: TestWarehouse,
                                    sourceLocation: SourceLocation = #_sourceLocation) async throws {
            let columns = sets.map { "c_\($0.name)" }
            let source = try await database.admin.query("SELECT id, " + columns.map { "CONVERT(`\($0)` USING utf8mb4)" }.joined(separator: ", ")
                                                        + " FROM \(database.name).texts").rows
            let staged = try await warehouse.rows("SELECT id::text, " + columns.map { "\"\($0)\"" }.joined(separator: ", ") + " FROM staging.texts")
            let stagedByID = Dictionary(staged.map { ($0[0] ?? "", $0) }, uniquingKeysWith: { first, _ in first })
            #expect(staged.count == source.count, "staging has \(staged.count) rows, MySQL \(source.count)", sourceLocation: sourceLocation)
            var differences: [String] = []
            func hex(_ text: String?) -> String { text.map { Array($0.utf8).map { String(format: "%02x", $0) }.joined() } ?? "NULL" }
            for row in source {
                guard let id = row[0], let stagedRow = stagedByID[id] else { continue }
                for (index, column) in columns.enumerated() where row[index + 1] != stagedRow[index + 1] {
                    differences.append("\(column) id \(id): MySQL \(hex(row[index + 1])), staging \(hex(stagedRow[index + 1]))")
                }
            }
            let wrong = Set(differences.map { $0.prefix { $0 != " " } })
            #expect(differences.isEmpty, "\(differences.count) values differ in \(wrong.sorted()): \(differences.prefix(5))",
                    sourceLocation: sourceLocation)
        }

        /// One column per character set, every byte and many sequences of each, inserted before the
        /// first run (the snapshot) and again after it (the binlog); and ENUM/SET members in
        /// character sets whose names the binlog logs in their own bytes (within the BMP:
        /// `information_schema` gives member names in utf8mb3, a supplementary character as `?`).
        @Test func everyCharacterSetArrivesAsTheServerConvertsIt() async throws {
            let database = try await TestDatabase.create()
            defer { Task { await database.drop() } }
            let warehouse = try await TestWarehouse.create()
            let sets = try await Self.characterSets(database)
            #expect(sets.count >= 30, "\(sets.map(\.name))")
            try await database.execute("CREATE TABLE texts (id INT PRIMARY KEY, "
                                       + sets.map { "`c_\($0.name)` TEXT CHARACTER SET \($0.name)" }.joined(separator: ", ") + ")")
            try await database.execute("""
                CREATE TABLE members (id INT PRIMARY KEY,
                    e_latin1 ENUM('€', '\u{81}\u{8D}\u{8F}\u{90}\u{9D}', 'ÿ') CHARACTER SET latin1,
                    s_cp1251 SET('Я', 'ж', 'Ђ') CHARACTER SET cp1251,
                    e_koi8r ENUM('Ё', 'ю') CHARACTER SET koi8r,
                    e_sjis ENUM('あ', '漢字', '\u{FF71}') CHARACTER SET sjis,
                    e_ujis ENUM('丂', 'ア') CHARACTER SET ujis,
                    e_utf16 ENUM('\u{FB00}', 'é') CHARACTER SET utf16)
                """)
            func insertMembers(from first: Int) async throws {
                try await database.execute("""
                    INSERT INTO members VALUES (\(first), '€', 'Я,Ђ', 'ю', '漢字', '丂', '\u{FB00}'),
                        (\(first + 1), '\u{81}\u{8D}\u{8F}\u{90}\u{9D}', 'ж', 'Ё', '\u{FF71}', 'ア', 'é')
                    """)
            }

            // CONVERT warns of the bytes it replaces with `?`; strict mode would make that an error.
            try await database.execute("SET SESSION sql_mode = ''")
            try await insertMembers(from: 1)
            try await Self.insertSamples(sets, into: database, from: 1)
            try Exact.run(database, warehouse)
            try await Self.expectConverted(sets, database, warehouse)

            try await insertMembers(from: 11)
            try await database.execute("UPDATE members SET e_latin1 = '€', s_cp1251 = 'Я,ж,Ђ' WHERE id = 2")
            try await Self.insertSamples(sets, into: database, from: 100_001)
            try Exact.run(database, warehouse)
            try await Self.expectConverted(sets, database, warehouse)
            try await Exact.expectExact(database, warehouse, tables: ["texts", "members"])
        }
    }
}
