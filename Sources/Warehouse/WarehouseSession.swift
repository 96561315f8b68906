import Foundation
import Logging
import NIOCore
import PostgresNIO
import SluiceSupport

/// A warehouse connection with the few operations Sluice needs: run
/// statements, read results as text, bulk-load with `COPY … FROM STDIN`, and
/// transactions.
public struct WarehouseSession: Sendable {
    public let connection: PostgresConnection
    let logger: Logger

    public init(connection: PostgresConnection, logger: Logger = Logger(label: "sluice.warehouse")) {
        self.connection = connection
        self.logger = logger
    }

    /// Runs one statement (no parameters; identifiers and literals are quoted by the caller).
    public func execute(_ sql: String) async throws {
        do {
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).get()
        } catch {
            throw WarehouseError.from(error, context: "statement failed (\(sql.prefix(120).replacingOccurrences(of: "\n", with: " "))…)")
        }
    }

    /// Runs a query and returns its column names and rows, every value as
    /// exact text (`nil` is NULL). Numbers keep all their digits.
    public func rows(_ sql: String) async throws -> (columns: [String], rows: [[String?]]) {
        let wrapped = "SELECT row_to_json(q)::text FROM (\(sql)) AS q"
        var columns: [String] = []
        var rows: [[String?]] = []
        do {
            let result = try await connection.query(PostgresQuery(unsafeSQL: wrapped), logger: logger)
            for try await (text) in result.decode(String.self) {
                let members = try JSONMembers.parse(text)
                if columns.isEmpty { columns = members.map(\.0) }
                rows.append(members.map(\.1))
            }
        } catch let error as WarehouseError {
            throw error
        } catch {
            throw WarehouseError.from(error, context: "query failed")
        }
        return (columns, rows)
    }

    /// The first column of the first row.
    public func scalar(_ sql: String) async throws -> String? {
        try await rows(sql).rows.first?.first ?? nil
    }

    /// Streams rows into a table with `COPY … FROM STDIN` (text format).
    /// `rows` are already rendered values; `nil` is NULL.
    public func copy(into table: String, columns: [String], rows: [[String?]]) async throws {
        try await copy(into: table, columns: columns, rowCount: rows.count) { index, buffer in
            for value in rows[index] {
                if let value { buffer.appendText(value.utf8) } else { buffer.appendNull() }
            }
            buffer.endRow()
        }
    }

    /// Streams rows into a table with `COPY … FROM STDIN` (text format), rendered straight into the
    /// wire buffer by `render`, which appends row `index` (its fields, then `endRow()`).
    public func copy(into table: String, columns: [String], rowCount: Int,
                     render: @escaping @Sendable (Int, inout CopyRowBuffer) -> Void) async throws {
        do {
            try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
                var rows = CopyRowBuffer()
                for index in 0..<rowCount {
                    render(index, &rows)
                    if rows.buffer.readableBytes >= 1 << 20 {
                        try await writer.write(rows.buffer)
                        rows.buffer.clear()
                    }
                }
                if rows.buffer.readableBytes > 0 { try await writer.write(rows.buffer) }
            }
        } catch {
            throw WarehouseError.from(error, context: "COPY into \(table) failed")
        }
    }

    /// Whether `schema.name` exists (names as they are, unquoted: any characters work).
    public func exists(schema: String, name: String) async throws -> Bool {
        try await exists("\(Self.quote(schema)).\(Self.quote(name))")
    }

    /// Whether a table (or view) exists, e.g. `mart.fact_order_line`.
    public func exists(_ relation: String) async throws -> Bool {
        try await scalar("SELECT to_regclass(\(Self.literal(relation))) IS NOT NULL") == "true"
    }

    /// Runs `body` in a transaction: committed if it returns, rolled back if it throws.
    public func transaction<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await execute("BEGIN")
        do {
            let result = try await body()
            try await execute("COMMIT")
            return result
        } catch {
            try? await execute("ROLLBACK")
            throw error
        }
    }

    /// Quotes an identifier.
    public static func quote(_ name: String) -> String { SQLQuoting.doubled(name, in: "\"") }

    /// Quotes a string literal.
    public static func literal(_ text: String) -> String { SQLQuoting.doubled(text, in: "'") }
}

/// Rows in COPY's text format, written field by field: no string per value.
public struct CopyRowBuffer {
    var buffer: ByteBuffer
    private var fields = 0

    init() {
        buffer = ByteBuffer()
        buffer.reserveCapacity(1 << 20)
    }

    private mutating func separate() {
        if fields > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
        fields += 1
    }

    public mutating func appendNull() { separate(); buffer.writeStaticString("\\N") }

    /// An integer in decimal.
    public mutating func appendInteger<I: BinaryInteger>(_ value: I) {
        separate()
        if value < 0 { buffer.writeInteger(UInt8(ascii: "-")) }
        writeMagnitude(UInt64(value.magnitude), width: 1)
    }

    /// Digits of `value`, at least `width` of them, through a stack buffer.
    private mutating func writeMagnitude(_ value: UInt64, width: Int) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { digits in
            var count = 0
            var rest = value
            repeat {
                digits[count] = UInt8(ascii: "0") + UInt8(rest % 10)
                count += 1
                rest /= 10
            } while rest > 0
            while count < width { digits[count] = UInt8(ascii: "0"); count += 1 }
            for index in stride(from: count - 1, through: 0, by: -1) { buffer.writeInteger(digits[index]) }
        }
    }

    /// An exact decimal: `unscaled` × 10^-`scale` (`-1250`, 2 → `-12.50`).
    public mutating func appendDecimal(unscaled: Int128, scale: Int) {
        separate()
        var digits: [UInt8] = []
        var magnitude = unscaled.magnitude
        repeat {
            digits.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        while digits.count <= scale { digits.append(UInt8(ascii: "0")) }
        if unscaled < 0 { buffer.writeInteger(UInt8(ascii: "-")) }
        for index in stride(from: digits.count - 1, through: 0, by: -1) {
            if index == scale - 1 { buffer.writeInteger(UInt8(ascii: ".")) }
            buffer.writeInteger(digits[index])
        }
    }

    /// A date, given as days since 1970-01-01: `YYYY-MM-DD`.
    public mutating func appendDate(days: Int64) {
        separate()
        writeDate(days)
    }

    /// A timestamp, given as `value` units of 1/`perSecond` s since 1970: `YYYY-MM-DD HH:MM:SS[.f…]`,
    /// with `+00` when `utc`.
    public mutating func appendTimestamp(_ value: Int64, perSecond: Int64, utc: Bool) {
        separate()
        let seconds = value >= 0 ? value / perSecond : (value - perSecond + 1) / perSecond
        let fraction = value - seconds * perSecond
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let clock = seconds - days * 86_400
        writeDate(days)
        buffer.writeInteger(UInt8(ascii: " "))
        writeDigits(clock / 3600, width: 2)
        buffer.writeInteger(UInt8(ascii: ":"))
        writeDigits(clock / 60 % 60, width: 2)
        buffer.writeInteger(UInt8(ascii: ":"))
        writeDigits(clock % 60, width: 2)
        if fraction != 0 {
            buffer.writeInteger(UInt8(ascii: "."))
            writeDigits(fraction, width: perSecond == 1_000 ? 3 : perSecond == 1_000_000 ? 6 : 9)
        }
        if utc { buffer.writeStaticString("+00") }
    }

    /// Days since 1970 as `YYYY-MM-DD` (proleptic Gregorian, after H. Hinnant's civil_from_days).
    private mutating func writeDate(_ days: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        writeDigits(year, width: 4)
        buffer.writeInteger(UInt8(ascii: "-"))
        writeDigits(month, width: 2)
        buffer.writeInteger(UInt8(ascii: "-"))
        writeDigits(day, width: 2)
    }

    /// A non-negative number in at least `width` digits.
    private mutating func writeDigits(_ value: Int64, width: Int) { writeMagnitude(UInt64(max(value, 0)), width: width) }

    /// Text already in COPY's form (numbers, dates: nothing to escape).
    public mutating func appendPlain(_ text: String) { separate(); buffer.writeString(text) }

    /// UTF-8 text, escaped for COPY.
    public mutating func appendText<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        separate()
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
            case 0x09: buffer.writeStaticString("\\t")
            case 0x0A: buffer.writeStaticString("\\n")
            case 0x0D: buffer.writeStaticString("\\r")
            default: buffer.writeInteger(byte)
            }
        }
    }

    /// Bytes as a `bytea` in hex (`\\x0a1b…`, the backslash itself escaped for COPY).
    public mutating func appendHex(_ bytes: [UInt8]) {
        separate()
        buffer.writeStaticString("\\\\x")
        let digits: StaticString = "0123456789abcdef"
        let hex = digits.utf8Start
        for byte in bytes {
            buffer.writeInteger(hex[Int(byte >> 4)])
            buffer.writeInteger(hex[Int(byte & 0x0F)])
        }
    }

    public mutating func endRow() {
        buffer.writeInteger(UInt8(ascii: "\n"))
        fields = 0
    }
}

/// Reads the members of one flat JSON object (as `row_to_json` makes them) as text.
enum JSONMembers {
    static func parse(_ text: String) throws -> [(String, String?)] {
        guard let members = try JSONValue.parse(text).objectMembers else {
            throw WarehouseError(code: .queryFailed, message: "unexpected row text from the server")
        }
        return members.map { name, value in
            switch value {
            case .null: return (name, nil)
            case .string(let text), .number(let text): return (name, text)
            case .bool(let flag): return (name, flag ? "true" : "false")
            case .array, .object: return (name, String(decoding: value.serialized, as: UTF8.self))
            }
        }
    }
}
