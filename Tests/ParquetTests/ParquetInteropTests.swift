import Foundation
import Parquet
import SluiceTestSupport
import Testing

/// Sluice's Parquet codec against itself and against pyarrow, in both directions.
@Suite struct ParquetInteropTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Scripts/pyarrow_interop.py").path

    /// A table covering every column type land writes, with nulls and repeats.
    static func sampleTable(rows: Int = 250) throws -> (columns: [ParquetColumn], values: [ParquetColumnValues], expected: [String: [String?]]) {
        func pick<T>(_ options: [T], _ row: Int) -> T? { row % 5 == 2 ? nil : options[row % options.count] }
        let decimals = ["-12.50", "1234567.89", "0.01", "-0.01"]
        let bigDecimals = ["-123456789012345678901234.567890", "1.000001", "0.000000"]
        var columns: [ParquetColumn] = []
        var values: [ParquetColumnValues] = []
        var expected: [String: [String?]] = [:]
        func add(_ column: ParquetColumn, _ data: ParquetColumnValues, _ text: [String?]) {
            columns.append(column); values.append(data); expected[column.name] = text
        }
        let ints: [Int32?] = (0..<rows).map { pick([-2147483648, 2147483647, Int32($0)], $0) }
        add(ParquetColumn(name: "i32", physicalType: .int32, logicalType: .integer(bitWidth: 32, signed: true)), .int32(ints), ints.map { $0.map(String.init) })
        let unsigned: [Int32?] = (0..<rows).map { pick([Int32(bitPattern: 4294967295), 7], $0) }
        add(ParquetColumn(name: "u32", physicalType: .int32, logicalType: .integer(bitWidth: 32, signed: false)), .int32(unsigned),
            unsigned.map { $0.map { String(UInt32(bitPattern: $0)) } })
        let u64: [Int64?] = (0..<rows).map { pick([Int64(bitPattern: UInt64.max), Int64($0)], $0) }
        add(ParquetColumn(name: "u64", physicalType: .int64, logicalType: .integer(bitWidth: 64, signed: false)), .int64(u64),
            u64.map { $0.map { String(UInt64(bitPattern: $0)) } })
        let doubles: [Double?] = (0..<rows).map { pick([0.1, -1e300, Double($0) / 4], $0) }
        add(ParquetColumn(name: "f64", physicalType: .double), .double(doubles), doubles.map { $0.map { "\($0)" } })
        let dec: [String?] = (0..<rows).map { pick(decimals, $0) }
        add(ParquetDecimal.column(name: "dec9", precision: 9, scale: 2), .int32(try dec.map { try $0.map { Int32(try ParquetDecimal.unscaled($0, scale: 2)) } }), dec)
        add(ParquetDecimal.column(name: "dec18", precision: 18, scale: 2), .int64(try dec.map { try $0.map { Int64(try ParquetDecimal.unscaled($0, scale: 2)) } }), dec)
        let big: [String?] = (0..<rows).map { pick(bigDecimals, $0) }
        let length = ParquetDecimal.byteLength(precision: 30)
        add(ParquetDecimal.column(name: "dec30", precision: 30, scale: 6),
            .bytes(try big.map { try $0.map { ParquetDecimal.bytes(try ParquetDecimal.unscaled($0, scale: 6), length: length) } }), big)
        let days: [Int32?] = (0..<rows).map { pick([12058, -1], $0) }
        add(ParquetColumn(name: "day", physicalType: .int32, logicalType: .date), .int32(days),
            days.map { $0.map { $0 == 12058 ? "2003-01-06" : "1969-12-31" } })
        let stamps: [Int64?] = (0..<rows).map { pick([1_709_212_455_678_000], $0) }
        add(ParquetColumn(name: "ts_utc", physicalType: .int64, logicalType: .timestamp(adjustedToUTC: true, unit: .micros)),
            .int64(stamps), stamps.map { $0.map { _ in "2024-02-29T13:14:15.678000+00:00" } })
        let local: [Int64?] = (0..<rows).map { pick([1_041_848_430_123_456], $0) }
        add(ParquetColumn(name: "ts_local", physicalType: .int64, logicalType: .timestamp(adjustedToUTC: false, unit: .micros)),
            .int64(local), local.map { $0.map { _ in "2003-01-06T10:20:30.123456" } })
        let names: [String?] = (0..<rows).map { pick(["Kléber", "日本", "", "Frédérique \($0)"], $0) }
        add(ParquetColumn(name: "name", physicalType: .byteArray, logicalType: .string), .bytes(names.map { $0.map { Array($0.utf8) } }), names)
        let blobs: [[UInt8]?] = (0..<rows).map { pick([[0, 255], [], [UInt8($0 % 256)]], $0) }
        add(ParquetColumn(name: "blob", physicalType: .byteArray), .bytes(blobs), blobs.map { $0.map { Data($0).base64EncodedString() } })
        let ids: [Int64?] = (0..<rows).map { Int64($0) }
        add(ParquetColumn(name: "required_id", physicalType: .int64, nullable: false), .int64(ids), ids.map { $0.map(String.init) })
        return (columns, values, expected)
    }

    static func temporaryFile(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("sluice-parquet-\(UUID().uuidString.prefix(8))-\(name)")
    }

    @Test("Sluice writes, Sluice reads", arguments: ParquetCompression.allCases, [false, true])
    func roundTrip(compression: ParquetCompression, dictionary: Bool) throws {
        let sample = try Self.sampleTable()
        var writer = ParquetWriter(columns: sample.columns, options: .init(compression: compression, dictionary: dictionary))
        try writer.writeRowGroup(sample.values.map { Self.slice($0, 0..<100) })
        try writer.writeRowGroup(sample.values.map { Self.slice($0, 100..<250) })
        let file = writer.finish(metadata: [("sluice.table", "sample")])

        let reader = try ParquetReader(file)
        #expect(reader.rowCount == 250)
        #expect(reader.columns == sample.columns)
        #expect(reader.metadata["sluice.table"] == "sample")
        #expect(try reader.readColumns() == sample.values)
        // Statistics: the id column's min and max, and null counts.
        let idIndex = sample.columns.firstIndex { $0.name == "required_id" }!
        #expect(reader.statistics[1][idIndex].min == Self.littleEndian(Int64(100)))
        #expect(reader.statistics[1][idIndex].max == Self.littleEndian(Int64(249)))
        #expect(reader.statistics[0][0].nullCount == 20)
    }

    @Test("pyarrow reads what Sluice writes", arguments: ParquetCompression.allCases, [false, true])
    func pyarrowReadsSluice(compression: ParquetCompression, dictionary: Bool) throws {
        let sample = try Self.sampleTable()
        var writer = ParquetWriter(columns: sample.columns, options: .init(compression: compression, dictionary: dictionary))
        try writer.writeRowGroup(sample.values)
        let url = Self.temporaryFile("sluice.parquet")
        try Data(writer.finish()).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }

        let result = try runPython([Self.script, "read", url.path])
        #expect(result.status == 0, "\(result.standardError)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        #expect(json["rows"] as? Int == 250)
        let schema = try #require(json["schema"] as? [String: String])
        #expect(schema["i32"] == "int32")
        #expect(schema["u32"] == "uint32")
        #expect(schema["u64"] == "uint64")
        #expect(schema["dec9"] == "decimal128(9, 2)")
        #expect(schema["dec30"] == "decimal128(30, 6)")
        #expect(schema["day"] == "date32[day]")
        #expect(schema["ts_utc"] == "timestamp[us, tz=UTC]")
        #expect(schema["ts_local"] == "timestamp[us]")
        #expect(schema["name"] == "string")
        #expect(schema["blob"] == "binary")
        #expect((json["nullable"] as? [String: Bool])?["required_id"] == false)
        let columns = try #require(json["columns"] as? [String: [Any]])
        for (name, expected) in sample.expected {
            let actual = try #require(columns[name]).map { $0 as? String }
            if name == "f64" {
                #expect(actual.map { $0.flatMap(Double.init) } == expected.map { $0.flatMap(Double.init) }, "column \(name)")
            } else {
                #expect(actual == expected, "column \(name)")
            }
        }
    }

    /// Land writes a zero-row object for a batch of tombstones only; both readers must accept it.
    @Test func aFileWithNoRowsReadsBackEmpty() throws {
        let sample = try Self.sampleTable()
        var writer = ParquetWriter(columns: sample.columns, options: .init())
        let bytes = writer.finish(metadata: [("sluice.rows", "0")])
        let reader = try ParquetReader(bytes)
        #expect(reader.rowCount == 0)
        #expect(reader.columns == sample.columns)
        #expect(reader.metadata["sluice.rows"] == "0")
        let url = Self.temporaryFile("empty.parquet")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let result = try runPython([Self.script, "read", url.path])
        #expect(result.status == 0, "\(result.standardError)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        #expect(json["rows"] as? Int == 0)
    }

    @Test func sluiceReadsPyarrowFiles() throws {
        let directory = Self.temporaryFile("pyarrow")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try runPython([Self.script, "write", directory.path])
        #expect(result.status == 0, "\(result.standardError)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let files = try #require(json["files"] as? [String])
        let expected = try #require(json["columns"] as? [String: [Any]])
        #expect(files.count == 12)
        for file in files {
            let reader = try ParquetReader(Array(try Data(contentsOf: URL(fileURLWithPath: file))))
            #expect(reader.rowCount == 300)
            let values = try reader.readColumns()
            for (column, data) in zip(reader.columns, values) {
                let want = try #require(expected[column.name]).map { $0 as? String }
                let got = Self.render(data, column: column)
                if column.physicalType == .float || column.physicalType == .double {
                    #expect(got.map { $0.flatMap(Double.init) } == want.map { $0.flatMap(Double.init) }, "\(file) \(column.name)")
                } else {
                    #expect(got == want, "\(file) \(column.name)")
                }
            }
        }
    }

    @Test func garbageIsACorruptFileError() {
        let error = #expect(throws: ParquetError.self) { try ParquetReader(Array("not parquet at all".utf8)) }
        #expect(error?.code == .corrupt)
    }

    // MARK: Helpers

    static func littleEndian(_ value: Int64) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }

    static func slice(_ values: ParquetColumnValues, _ range: Range<Int>) -> ParquetColumnValues {
        switch values {
        case .boolean(let v): return .boolean(Array(v[range]))
        case .int32(let v): return .int32(Array(v[range]))
        case .int64(let v): return .int64(Array(v[range]))
        case .float(let v): return .float(Array(v[range]))
        case .double(let v): return .double(Array(v[range]))
        case .bytes(let v): return .bytes(Array(v[range]))
        }
    }

    /// Text as the pyarrow script prints it, from Sluice's reader.
    static func render(_ values: ParquetColumnValues, column: ParquetColumn) -> [String?] {
        let epochDay = Date(timeIntervalSince1970: 0)
        func iso(_ micros: Int64, utc: Bool) -> String {
            let seconds = Int(floor(Double(micros) / 1_000_000))
            let date = Date(timeIntervalSince1970: TimeInterval(seconds))
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            let fraction = micros - Int64(seconds) * 1_000_000
            var text = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
            if fraction != 0 { text += String(format: ".%06lld", fraction) }
            return text + (utc ? "+00:00" : "")
        }
        switch (values, column.logicalType) {
        case (.int32(let v), .decimal(_, let scale)?): return v.map { $0.map { ParquetDecimal.text(Int128($0), scale: scale) } }
        case (.int64(let v), .decimal(_, let scale)?): return v.map { $0.map { ParquetDecimal.text(Int128($0), scale: scale) } }
        case (.bytes(let v), .decimal(_, let scale)?): return v.map { $0.map { ParquetDecimal.text(ParquetDecimal.unscaled(bytes: $0), scale: scale) } }
        case (.int32(let v), .date?):
            return v.map { $0.map { day in
                var calendar = Calendar(identifier: .gregorian)
                calendar.timeZone = TimeZone(identifier: "UTC")!
                let c = calendar.dateComponents([.year, .month, .day], from: epochDay.addingTimeInterval(TimeInterval(day) * 86400))
                return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
            } }
        case (.int64(let v), .timestamp(let utc, .micros)?): return v.map { $0.map { iso($0, utc: utc) } }
        case (.int32(let v), .integer(_, false)?): return v.map { $0.map { String(UInt32(bitPattern: $0)) } }
        case (.int64(let v), .integer(_, false)?): return v.map { $0.map { String(UInt64(bitPattern: $0)) } }
        case (.int32(let v), _): return v.map { $0.map(String.init) }
        case (.int64(let v), _): return v.map { $0.map(String.init) }
        case (.float(let v), _): return v.map { $0.map { "\($0)" } }
        case (.double(let v), _): return v.map { $0.map { "\($0)" } }
        case (.boolean(let v), _): return v.map { $0.map { $0 ? "True" : "False" } }
        case (.bytes(let v), .string?): return v.map { $0.map { String(decoding: $0, as: UTF8.self) } }
        case (.bytes(let v), _): return v.map { $0.map { Data($0).base64EncodedString() } }
        }
    }
}
