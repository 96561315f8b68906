import Foundation
import MySQL
import Testing

/// MySQL's binary JSON (binlog type 245) decoded to the text MySQL prints for it.
///
/// No MySQL 8 server can run here (Debian ships MariaDB only, and MariaDB's JSON
/// is LONGTEXT), so nothing in this suite comes from a live server. The vectors
/// are built two ways:
/// - by `BinaryJSONEncoder`, a test-only encoder written from MySQL's
///   `sql-common/json_binary.h` and the choices of `json_binary::serialize`;
/// - in `Fixtures/binary_json/vectors.tsv`: documents as hex with the expected
///   text, every one parsed by an independent reader, python-mysql-replication
///   1.0.17 from PyPI (`pip install mysql-replication`), through
///   `Fixtures/binary_json/check_vectors.py`, which prints its result in MySQL's
///   text format and compares (run it after changing the file).
/// The expected texts follow MySQL's printer (`sql-common/json_dom.cc`
/// `wrapper_to_string`, `strings/dtoa.cc` `my_gcvt`, `my_TIME_to_str`, `decimal2string`).
@Suite struct MySQLBinaryJSONTests {
    typealias Value = BinaryJSONEncoder.Value

    func text(_ value: Value) throws -> String {
        try MySQLBinaryJSON.text(BinaryJSONEncoder.encode(value))
    }

    // MARK: Scalars

    @Test func literals() throws {
        #expect(try text(.null) == "null")
        #expect(try text(.bool(true)) == "true")
        #expect(try text(.bool(false)) == "false")
        #expect(try text(.array([.null, .bool(true), .bool(false)])) == "[null, true, false]")
    }

    @Test func emptyValueIsNull() throws {
        // MySQL writes '' for a JSON column under IGNORE or a non-strict sql_mode; parse_binary reads it as null.
        #expect(try MySQLBinaryJSON.text([UInt8]()) == "null")
    }

    @Test func integersOfEveryWidth() throws {
        let cases: [(Value, UInt8, String)] = [
            (.int(-32768), 0x05, "-32768"), (.int(32767), 0x05, "32767"),
            (.uint(65535), 0x06, "65535"),
            (.int(-2_147_483_648), 0x07, "-2147483648"), (.int(40000), 0x07, "40000"),
            (.uint(4_294_967_295), 0x08, "4294967295"),
            (.int(Int64.min), 0x09, "-9223372036854775808"), (.int(Int64.max), 0x09, "9223372036854775807"),
            (.uint(UInt64.max), 0x0A, "18446744073709551615"),
        ]
        for (value, type, expected) in cases {
            let bytes = BinaryJSONEncoder.encode(value)
            #expect(bytes.first == type)
            #expect(try MySQLBinaryJSON.text(bytes) == expected)
            // The same value inside a (small) array: 16-bit ones inline, the rest at an offset.
            #expect(try text(.array([value])) == "[\(expected)]")
        }
    }

    @Test func doublesAsMySQLPrintsThem() throws {
        let cases: [(Double, String)] = [
            (1.5, "1.5"), (3.0, "3.0"), (-2.0, "-2.0"), (0.0, "0.0"), (100.0, "100.0"),
            (1e300, "1e300"), (1.5e300, "1.5e300"), (-1e-300, "-1e-300"), (Double.leastNonzeroMagnitude, "5e-324"),
            (0.1, "0.1"), (123456.789, "123456.789"), (0.00001, "0.00001"), (1.5e-7, "0.00000015"),
            (1e-15, "0.000000000000001"), (1e-16, "1e-16"), (1.25e-16, "1.25e-16"),
            (1e14, "100000000000000.0"), (1e15, "1e15"), (123456789012345.0, "123456789012345.0"),
            (1234567890123456.0, "1.234567890123456e15"), (1234567890123456.8, "1234567890123456.8"),
            (0.30000000000000004, "0.30000000000000004"), (Double.greatestFiniteMagnitude, "1.7976931348623157e308"),
        ]
        for (number, expected) in cases {
            #expect(try text(.double(number)) == expected, "\(number)")
        }
        #expect(try text(.array([.double(2.5), .double(1e20)])) == "[2.5, 1e20]")
    }

    @Test func stringsAreEscapedAsJSON() throws {
        #expect(try text(.string("plain")) == "\"plain\"")
        #expect(try text(.string("")) == "\"\"")
        #expect(try text(.string("q\" b\\ /")) == #""q\" b\\ /""#)
        #expect(try text(.string("\u{8}\u{c}\n\r\t")) == #""\b\f\n\r\t""#)
        #expect(try text(.string("\u{0}\u{1}\u{1f}\u{7f}")) == "\"\\u0000\\u0001\\u001f\u{7f}\"")
        #expect(try text(.string("héllo ✓ 😀 日本")) == "\"héllo ✓ 😀 日本\"")
    }

    @Test func longStringsUseLongerLengths() throws {
        // 128 and 16384 bytes need 2 and 3 length bytes.
        for count in [127, 128, 16383, 16384, 70000] {
            let string = String(repeating: "x", count: count)
            let bytes = BinaryJSONEncoder.encode(.string(string))
            #expect(try MySQLBinaryJSON.text(bytes) == "\"\(string)\"")
            #expect(try text(.array([.string(string)])) == "[\"\(string)\"]")
        }
    }

    // MARK: Containers

    @Test func objectsKeepTheirStoredKeyOrder() throws {
        let value = Value.object([("b", .array([.bool(true), .null])), ("a", .int(1))])
        #expect(try text(value) == #"{"a": 1, "b": [true, null]}"#)
        // Sorted by length first: "b" < "ab" < "bb".
        let keys = Value.object([("bb", .int(1)), ("ab", .int(2)), ("b", .int(3)), ("é", .int(4))])
        #expect(try text(keys) == #"{"b": 3, "ab": 2, "bb": 1, "é": 4}"#)
        #expect(try text(.object([("k\"\n", .string("v"))])) == #"{"k\"\n": "v"}"#)
    }

    @Test func emptyAndNestedContainers() throws {
        #expect(try text(.object([])) == "{}")
        #expect(try text(.array([])) == "[]")
        let nested = Value.object([
            ("x", .object([("y", .array([.int(1), .object([("z", .string("deep"))]), .array([.array([])])]))])),
            ("e", .array([])), ("o", .object([])),
        ])
        #expect(try text(nested) == #"{"e": [], "o": {}, "x": {"y": [1, {"z": "deep"}, [[]]]}}"#)
    }

    @Test func largeObjectsUseFourByteOffsets() throws {
        // 1,000 members of 100 bytes each: far past 64 KiB, so the object takes the large form.
        let members = (0..<1000).map { index -> (String, Value) in
            (String(format: "key%04d", index), .string(String(repeating: "v", count: 100)))
        }
        let bytes = BinaryJSONEncoder.encode(.object(members + [("n", .int(-70000)), ("u", .uint(70000)), ("s", .int(-5))]))
        #expect(bytes.first == 0x01)
        #expect(bytes.count > 65536)
        let decoded = try MySQLBinaryJSON.text(bytes)
        #expect(decoded.hasPrefix(#"{"n": -70000, "s": -5, "u": 70000, "key0000": "vvvv"#))
        #expect(decoded.hasSuffix(#""key0999": ""# + String(repeating: "v", count: 100) + "\"}"))
        let expected = "{\"n\": -70000, \"s\": -5, \"u\": 70000, "
            + members.map { "\"\($0.0)\": \"\(String(repeating: "v", count: 100))\"" }.joined(separator: ", ") + "}"
        #expect(decoded == expected)
    }

    @Test func largeArraysAndSmallChildrenInsideThem() throws {
        // A large array whose elements are small objects: children start small again.
        let element = Value.object([("id", .int(70000)), ("tag", .string(String(repeating: "t", count: 90)))])
        let bytes = BinaryJSONEncoder.encode(.array(Array(repeating: element, count: 800) + [.int(-3), .uint(4_000_000_000)]))
        #expect(bytes.first == 0x03)
        let one = #"{"id": 70000, "tag": ""# + String(repeating: "t", count: 90) + "\"}"
        #expect(try MySQLBinaryJSON.text(bytes) == "[" + Array(repeating: one, count: 800).joined(separator: ", ") + ", -3, 4000000000]")
    }

    // MARK: Opaque values

    @Test func decimals() throws {
        let cases: [(String, Int, Int, String)] = [
            ("12.50", 4, 2, "12.50"), ("-12.50", 4, 2, "-12.50"), ("0.5", 3, 2, "0.50"), ("-0.05", 3, 2, "-0.05"),
            ("7", 5, 0, "7"), ("0", 10, 0, "0"), ("0.00", 4, 2, "0.00"),
            ("-1234567890.123456789", 19, 9, "-1234567890.123456789"),
            ("123456789012345678901234567890.123456789012345678901234567890", 60, 30,
             "123456789012345678901234567890.123456789012345678901234567890"),
            ("1000000000", 10, 0, "1000000000"), ("0.000000001", 10, 9, "0.000000001"),
        ]
        for (digits, precision, scale, expected) in cases {
            let value = Value.opaque(246, BinaryJSONEncoder.decimal(digits, precision: precision, scale: scale))
            #expect(try text(value) == expected, "\(digits) as DECIMAL(\(precision),\(scale))")
            #expect(try text(.object([("d", value)])) == #"{"d": \#(expected)}"#)
        }
    }

    @Test func datesAndTimes() throws {
        #expect(try text(.opaque(10, BinaryJSONEncoder.datetime(2024, 6, 1))) == #""2024-06-01""#)
        #expect(try text(.opaque(11, BinaryJSONEncoder.time(10, 0, 0))) == #""10:00:00.000000""#)
        #expect(try text(.opaque(11, BinaryJSONEncoder.time(negative: true, 838, 59, 59))) == #""-838:59:59.000000""#)
        #expect(try text(.opaque(11, BinaryJSONEncoder.time(negative: true, 0, 0, 0, microseconds: 500_000))) == #""-00:00:00.500000""#)
        #expect(try text(.opaque(12, BinaryJSONEncoder.datetime(2024, 6, 1, 10, 0, 0))) == #""2024-06-01 10:00:00.000000""#)
        #expect(try text(.opaque(12, BinaryJSONEncoder.datetime(1999, 12, 31, 23, 59, 59, microseconds: 123_456)))
                == #""1999-12-31 23:59:59.123456""#)
        #expect(try text(.opaque(7, BinaryJSONEncoder.datetime(2024, 6, 1, 10, 0, 0, microseconds: 5))) == #""2024-06-01 10:00:00.000005""#)
        #expect(try text(.opaque(12, BinaryJSONEncoder.datetime(0, 0, 0))) == #""0000-00-00 00:00:00.000000""#)
    }

    @Test func otherOpaqueValuesAsMySQLBase64() throws {
        #expect(try text(.opaque(16, [5])) == #""base64:type16:BQ==""#)
        #expect(try text(.opaque(252, Array("ab".utf8))) == #""base64:type252:YWI=""#)
        #expect(try text(.opaque(252, [])) == #""base64:type252:""#)
        // 60 bytes are 80 characters: MySQL breaks the line after 76.
        let long = try text(.opaque(252, Array(0..<60)))
        #expect(long == "\"base64:type252:" + String(Data([UInt8](0..<60)).base64EncodedString().prefix(76)) + "\\n"
                + String(Data([UInt8](0..<60)).base64EncodedString().dropFirst(76)) + "\"")
        // VAR_STRING opaques print as strings.
        #expect(try text(.opaque(253, Array("a\"b".utf8))) == #""a\"b""#)
    }

    // MARK: Vectors checked by python-mysql-replication

    /// The fixture's documents as the test encoder builds them (all but the hand-laid large-form one).
    static let fixtureDocuments: [String: Value] = [
        "object-with-array": .object([("a", .int(1)), ("b", .array([.bool(true), .null]))]),
        "keys-sorted-by-length-then-bytes": .object([("bb", .int(1)), ("a", .int(2)), ("ab", .int(3)), ("b", .bool(false))]),
        "every-integer-width": .array([.int(-32768), .uint(65535), .int(-2_147_483_648), .uint(4_294_967_295),
                                       .int(Int64.min), .uint(UInt64.max)]),
        "doubles": .array([1.5, 3.0, 1e300, -0.00001, 1e-16, 123456.789, 0.1, 1e15, 1e14].map(Value.double)),
        "escapes-and-unicode": .array([.string("q\" b\\ \u{8}\u{c}\n\r\t \u{1}\u{1f}\u{7f}"), .string("héllo ✓ 😀"),
                                       .object([("kéy\n", .string("v"))])]),
        "nested": .object([("x", .object([("y", .array([.int(1), .object([("z", .string("deep"))])]))])),
                           ("e", .array([])), ("o", .object([]))]),
        "decimals": .array([.opaque(246, BinaryJSONEncoder.decimal("12.50", precision: 4, scale: 2)),
                            .opaque(246, BinaryJSONEncoder.decimal("-1234567890.123456789", precision: 19, scale: 9)),
                            .opaque(246, BinaryJSONEncoder.decimal("0.5", precision: 3, scale: 2)),
                            .opaque(246, BinaryJSONEncoder.decimal("7", precision: 5, scale: 0))]),
        "dates-and-times": .object([
            ("d", .opaque(10, BinaryJSONEncoder.datetime(2024, 6, 1))), ("t", .opaque(11, BinaryJSONEncoder.time(10, 0, 0))),
            ("nt", .opaque(11, BinaryJSONEncoder.time(negative: true, 12, 30, 0, microseconds: 500_000))),
            ("dt", .opaque(12, BinaryJSONEncoder.datetime(2024, 6, 1, 10, 0, 0, microseconds: 123_456))),
            ("ts", .opaque(7, BinaryJSONEncoder.datetime(2024, 6, 1, 10, 0, 0))),
        ]),
        "other-opaque-values": .array([.opaque(252, Array(0..<60)), .opaque(253, Array("abc".utf8)), .opaque(16, [5])]),
        "top-level-string": .string("top"),
        "top-level-literal": .bool(true),
        "top-level-uint64": .uint(1 << 63),
    ]

    static func fixtureVectors() throws -> [(name: String, bytes: [UInt8], text: String)] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/binary_json/vectors.tsv")
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").compactMap { line throws -> (name: String, bytes: [UInt8], text: String)? in
            guard !line.hasPrefix("#") else { return nil }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 3 else { throw MySQLError(code: .queryFailed, message: "bad fixture line: \(line)") }
            var bytes: [UInt8] = []
            var hex = Substring(fields[1])
            while !hex.isEmpty {
                bytes.append(UInt8(hex.prefix(2), radix: 16)!)
                hex = hex.dropFirst(2)
            }
            return (fields[0], bytes, fields[2])
        }
    }

    @Test func fixtureVectorsDecodeToTheCheckedText() throws {
        let vectors = try Self.fixtureVectors()
        #expect(vectors.count >= 8)
        for vector in vectors {
            #expect(try MySQLBinaryJSON.text(vector.bytes) == vector.text, "\(vector.name)")
        }
    }

    @Test func testEncoderWritesTheFixtureBytes() throws {
        // Ties the encoder the other tests use to the bytes the independent reader checked.
        let vectors = try Self.fixtureVectors()
        for vector in vectors {
            guard let document = Self.fixtureDocuments[vector.name] else { continue }
            #expect(BinaryJSONEncoder.encode(document) == vector.bytes, "\(vector.name)")
        }
        #expect(Self.fixtureDocuments.keys.allSatisfy { name in vectors.contains { $0.name == name } })
    }

    // MARK: Malformed input

    @Test func malformedDocumentsThrow() throws {
        let good = BinaryJSONEncoder.encode(.object([("a", .int(1)), ("b", .array([.bool(true), .string("xyz")]))]))
        // Truncated anywhere: every proper prefix but the empty one fails.
        for length in 1..<good.count {
            #expect(throws: MySQLError.self, "prefix of \(length) bytes") { try MySQLBinaryJSON.text(Array(good.prefix(length))) }
        }
        // Unknown type bytes, at the top and inside a container.
        #expect(throws: MySQLError.self) { try MySQLBinaryJSON.text([0x0D, 0]) }
        #expect(throws: MySQLError.self) { try MySQLBinaryJSON.text([0x02, 1, 0, 8, 0, 0x10, 7, 0, 0]) }
        // A literal that is none of null, true, false.
        #expect(throws: MySQLError.self) { try MySQLBinaryJSON.text([0x04, 3]) }
        // An element offset past the end of its array.
        #expect(throws: MySQLError.self) { try MySQLBinaryJSON.text([0x02, 1, 0, 8, 0, 0x0C, 0x40, 0, 0]) }
        // An element offset pointing into the header.
        #expect(throws: MySQLError.self) { try MySQLBinaryJSON.text([0x02, 1, 0, 8, 0, 0x0C, 2, 0, 0]) }
        // A key offset outside the object.
        var badKey = good
        badKey[1 + 4] = 0xF0
        #expect(throws: MySQLError.self) { try MySQLBinaryJSON.text(badKey) }
        // A container claiming more bytes than there are, or more entries than fit.
        #expect(throws: MySQLError.self) { try MySQLBinaryJSON.text([0x02, 0, 0, 9, 0]) }
        #expect(throws: MySQLError.self) { try MySQLBinaryJSON.text([0x02, 9, 0, 4, 0]) }
        // A string length that never ends, and a string that is not UTF-8.
        #expect(throws: MySQLError.self) { try MySQLBinaryJSON.text([0x0C, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]) }
        #expect(throws: MySQLError.self) { try MySQLBinaryJSON.text([0x0C, 2, 0xC3, 0x28]) }
        // Opaque values with the wrong payloads.
        #expect(throws: MySQLError.self) { try text(.opaque(12, [1, 2, 3])) }
        #expect(throws: MySQLError.self) { try text(.opaque(246, [4, 2, 0x80])) }
        #expect(throws: MySQLError.self) { try text(.opaque(246, [4, 9, 0x80, 0, 0])) }
        #expect(throws: MySQLError.self) { try text(.opaque(12, BinaryJSONEncoder.datetime(2024, 6, 1, 25, 0, 0))) }
        #expect(throws: MySQLError.self) { try text(.double(.nan)) }
    }

    @Test func nestingBeyondMySQLsLimitThrows() throws {
        var deep = Value.array([])
        for _ in 0..<99 { deep = .array([deep]) }
        #expect(try text(deep) == String(repeating: "[", count: 100) + String(repeating: "]", count: 100))
        for _ in 0..<100 { deep = .array([deep]) }
        #expect(throws: MySQLError.self) { try text(deep) }
    }
}
