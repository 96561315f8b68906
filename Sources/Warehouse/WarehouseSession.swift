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
        do {
            try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
                var buffer = ByteBuffer()
                buffer.reserveCapacity(1 << 20)
                for row in rows {
                    for (index, value) in row.enumerated() {
                        if index > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
                        if let value { CopyText.append(value, to: &buffer) } else { buffer.writeString("\\N") }
                    }
                    buffer.writeInteger(UInt8(ascii: "\n"))
                    if buffer.readableBytes >= 1 << 20 {
                        try await writer.write(buffer)
                        buffer.clear()
                    }
                }
                if buffer.readableBytes > 0 { try await writer.write(buffer) }
            }
        } catch {
            throw WarehouseError.from(error, context: "COPY into \(table) failed")
        }
    }

    /// Whether a table (or view) exists, e.g. `mart.fact_order_line`.
    /// Whether `schema.name` exists (names as they are, unquoted: any characters work).
    public func exists(schema: String, name: String) async throws -> Bool {
        try await exists("\(Self.quote(schema)).\(Self.quote(name))")
    }

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

/// COPY's text format escapes.
enum CopyText {
    static func append(_ value: String, to buffer: inout ByteBuffer) {
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): buffer.writeString("\\\\")
            case 0x09: buffer.writeString("\\t")
            case 0x0A: buffer.writeString("\\n")
            case 0x0D: buffer.writeString("\\r")
            default: buffer.writeInteger(byte)
            }
        }
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
