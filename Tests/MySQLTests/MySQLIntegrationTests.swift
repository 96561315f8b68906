import MySQL
import Pipeline
import SluiceSupport
import SluiceTestSupport
import Testing

/// Connector/C wrapper against the stack's MariaDB with classicmodels loaded.
@Suite struct MySQLIntegrationTests {
    /// Row counts published with the sample database (see data/classicmodels/SOURCE.md).
    static let expectedCounts = [
        "customers": 122, "employees": 23, "offices": 7, "orderdetails": 2996,
        "orders": 326, "payments": 273, "productlines": 7, "products": 110,
    ]

    @Test func rowCountsMatchTheSampleDatabase() async throws {
        let settings = try TestStack.config().mysql()
        let connection = try await MySQLConnection.connect(settings)
        let tables = try await connection.baseTables(in: "classicmodels")
        #expect(Set(tables).isSuperset(of: Self.expectedCounts.keys))
        for (table, expected) in Self.expectedCounts {
            let result = try await connection.query("SELECT COUNT(*) FROM classicmodels.\(MySQLConnection.quoteIdentifier(table))")
            #expect(Int(result.scalar ?? "") == expected, "\(table)")
        }
    }

    @Test func latin1TextArrivesAsUTF8AndNullAsNil() async throws {
        let connection = try await MySQLConnection.connect(try TestStack.config().mysql())
        let result = try await connection.query("""
            SELECT customerName, contactFirstName, addressLine1, addressLine2
            FROM classicmodels.customers WHERE customerNumber = 209
            """)
        let row = try #require(result.rows.first)
        #expect(row[0] == "Mini Caravy")
        #expect(row[1] == "Frédérique ")
        #expect(row[2] == "24, place Kléber")
        #expect(row[3] == nil)
    }

    @Test func binlogIsReadyForCDC() async throws {
        let connection = try await MySQLConnection.connect(try TestStack.config().mysql())
        let binlog = try await connection.binlogSettings()
        #expect(binlog.problem == nil)
        #expect(binlog.format == "ROW")
    }

    @Test func wrongPasswordIsAccessDenied() async throws {
        var settings = try TestStack.config().mysql()
        settings.password = Secret("definitely-wrong")
        let error = await #expect(throws: MySQLError.self) { try await MySQLConnection.connect(settings) }
        #expect(error?.code == .accessDenied)
        #expect(error?.summary.contains("Access denied") == true)
        #expect(error?.summary.contains("definitely-wrong") == false)
    }

    @Test func unknownTableIsNamed() async throws {
        let connection = try await MySQLConnection.connect(try TestStack.config().mysql())
        let error = await #expect(throws: MySQLError.self) { try await connection.query("SELECT * FROM classicmodels.nope") }
        #expect(error?.code == .unknownTable)
    }
}
