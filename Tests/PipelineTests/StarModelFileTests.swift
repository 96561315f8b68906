import Foundation
@testable import Pipeline
import Testing

/// `models/classicmodels.yaml`, the bundled star model (work in progress, issue 17). The SQL it
/// makes is checked against the Redshift fixture (`RedshiftLoadScriptTests`) and run by every
/// star test.
@Suite struct StarModelFileTests {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("models/classicmodels.yaml").path

    @Test func theClassicmodelsModelDeclaresItsStar() throws {
        let star = try StarModelFile.load(path: Self.path).definition()
        #expect(star.dimensions.map(\.table) == ["dim_office", "dim_employee", "dim_customer", "dim_product"])
        #expect(star.facts.map(\.table) == ["fact_order_line", "fact_payment"])
        #expect(star.units.map(\.name) == ["affected_orders", "affected_payments"])
        #expect(star.sourceTables == ["customers", "employees", "offices", "orderdetails", "orders", "payments", "productlines", "products"])
    }

    @Test func placeholdersExpand() {
        #expect(ModelFact.expand("{date_key o.order_date}, {valid_on c o.order_date}")
                == "CAST(TO_CHAR(o.order_date, 'YYYYMMDD') AS integer), o.order_date >= c.valid_from AND o.order_date < c.valid_to")
    }

    @Test func anUnknownColumnTypeIsOneClearLine() throws {
        #expect(throws: ConfigError.self) { try StarModelFile.kind("varchar") }
        #expect(try StarModelFile.kind("numeric(21, 2)") == .numeric(21, 2))
    }
}
