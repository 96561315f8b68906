import Foundation
import Kafka
import Pipeline
import SluiceTestSupport
import Testing

extension PipelineIntegration {
    /// Every supported column type reads the same through the snapshot (text
    /// protocol) and the binlog (Sluice's row decoder), and exactly as expected.
    @Suite struct ExtractTypesTests {
        static let columns = """
            id INT PRIMARY KEY,
            ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT, mi MEDIUMINT, mu MEDIUMINT UNSIGNED,
            i INT, iu INT UNSIGNED, bi BIGINT, bu BIGINT UNSIGNED,
            d1 DECIMAL(10,2), d2 DECIMAL(20,6), d3 DECIMAL(5,0), d4 DECIMAL(8,6), d5 DECIMAL(12,6),
            f FLOAT, db DOUBLE, b1 BIT(1), b10 BIT(10),
            dt DATE, dtm DATETIME, dtm6 DATETIME(6), ts TIMESTAMP NULL, ts3 TIMESTAMP(3) NULL, tm TIME, tm6 TIME(6), tm3 TIME(3), yr YEAR,
            c CHAR(10), vc VARCHAR(50), vu VARCHAR(50) CHARACTER SET utf8mb4, tx TEXT, bl BLOB, bn BINARY(4), vb VARBINARY(10),
            en ENUM('a','b','c'), st SET('x','y','z'), js JSON, nn VARCHAR(5)
            """

        static let values = """
            -5, 250, -300, -8388608, 16777215,
            -1, 4294967295, -9223372036854775808, 18446744073709551615,
            -12.50, -1234.500001, -12345, -1.5, -123456.123456,
            3.5, -2.25, b'1', b'1000000001',
            '2024-02-29', '2003-01-06 10:20:30', '2003-01-06 10:20:30.123456', '2024-02-29 13:14:15', '2024-02-29 13:14:15.678',
            '-01:02:03', '-01:02:03.456789', '838:59:59.500', 2024,
            'Kléber', 'Frédérique ü€', '日本', 'long text é', x'00FF10', x'01020304', x'CAFE',
            'b', 'x,z', '{"a": [1, 2.5, "é"]}', NULL
            """

        @Test func snapshotAndBinlogAgreeOnEveryType() async throws {
            let database = try await TestDatabase.create()
            defer { Task { await database.drop() } }
            try await database.execute("CREATE TABLE types (\(Self.columns)) CHARACTER SET latin1")
            try await database.execute("INSERT INTO types VALUES (1, \(Self.values))")
            try await database.execute("INSERT INTO types (id) VALUES (2)")
            let prefix = database.name
            let extract = try BackgroundSluice(["extract", "--follow", "--topic-prefix", prefix, "--mysql-database", database.name])
            defer { extract.signal(SIGKILL) }
            let topic = "\(prefix).types"
            let follower = try TopicFollower(topic)
            #expect(try follower.waitFor(within: 60) { $0.count >= 2 }, "\(extract.standardError)")

            try await database.execute("INSERT INTO types VALUES (3, \(Self.values))")
            try await database.execute("INSERT INTO types (id) VALUES (4)")
            #expect(try follower.waitFor(within: 10) { $0.count >= 4 })
            let messages = follower.messages
            func row(_ id: Int) throws -> [(String, JSONValue)] {
                let event = try #require(messages.first { $0.keyText == "{\"id\":\(id)}" }?.json)
                return try #require(event["after"]?.objectMembers).filter { $0.0 != "id" }
            }
            let snapshot = try row(1), binlog = try row(3)
            for ((name, fromSnapshot), (_, fromBinlog)) in zip(snapshot, binlog) {
                #expect(fromSnapshot == fromBinlog, "column \(name): snapshot \(fromSnapshot), binlog \(fromBinlog)")
            }
            let nullsSnapshot = try row(2), nullsBinlog = try row(4)
            #expect(nullsSnapshot.allSatisfy { $0.1 == .null })
            #expect(nullsBinlog.allSatisfy { $0.1 == .null })

            let expected: [String: JSONValue] = [
                "ti": .number("-5"), "tu": .number("250"), "si": .number("-300"), "mi": .number("-8388608"),
                "mu": .number("16777215"), "i": .number("-1"), "iu": .number("4294967295"),
                "bi": .number("-9223372036854775808"), "bu": .number("18446744073709551615"),
                "d1": .string("-12.50"), "d2": .string("-1234.500001"), "d3": .string("-12345"), "d4": .string("-1.500000"),
                "d5": .string("-123456.123456"), "f": .number("3.5"), "db": .number("-2.25"), "b1": .number("1"), "b10": .number("513"),
                "dt": .string("2024-02-29"), "dtm": .string("2003-01-06T10:20:30"), "dtm6": .string("2003-01-06T10:20:30.123456"),
                "ts": .string("2024-02-29T13:14:15Z"), "ts3": .string("2024-02-29T13:14:15.678Z"),
                "tm": .string("-01:02:03"), "tm6": .string("-01:02:03.456789"), "tm3": .string("838:59:59.500"), "yr": .number("2024"),
                "c": .string("Kléber"), "vc": .string("Frédérique ü€"), "vu": .string("日本"), "tx": .string("long text é"),
                "bl": .string("AP8Q"), "bn": .string("AQIDBA=="), "vb": .string("yv4="),
                "en": .string("b"), "st": .string("x,z"), "js": .string(#"{"a": [1, 2.5, "é"]}"#), "nn": .null,
            ]
            for (name, value) in binlog {
                #expect(expected[name] == value, "column \(name)")
            }
        }

        /// Every type, through the snapshot and the binlog, lands and loads exactly: staging equals MySQL.
        @Test func everyTypeReachesStagingExactly() async throws {
            let database = try await TestDatabase.create()
            defer { Task { await database.drop() } }
            let warehouse = try await TestWarehouse.create()
            try await database.execute("CREATE TABLE types (\(Self.columns)) CHARACTER SET latin1")
            try await database.execute("INSERT INTO types VALUES (1, \(Self.values))")
            try await database.execute("INSERT INTO types (id) VALUES (2)")
            try PipelineIntegration.SchemaChangeTests.run(database, warehouse)
            try await database.execute("INSERT INTO types VALUES (3, \(Self.values))")
            try await database.execute("INSERT INTO types (id) VALUES (4)")
            try await database.execute(#"UPDATE types SET vc = 'quote " and \\ back', tx = 'line\nbreak\ttab' WHERE id = 1"#)
            try PipelineIntegration.SchemaChangeTests.run(database, warehouse)
            try await PipelineIntegration.SchemaChangeTests.expectExact(database, warehouse, tables: ["types"])
        }
    }
}
