import Foundation
@testable import Pipeline
import Testing

/// Model files: `models/classicmodels.yaml` (the bundled example, whose SQL is also checked against
/// the Redshift fixture by `RedshiftLoadScriptTests` and run by every star test), and validation:
/// each problem is one line naming the file and the line.
@Suite struct StarModelFileTests {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("models/classicmodels.yaml").path

    static var text: String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    /// The problems of `text` with `replacing` replaced (each must occur).
    static func problems(_ changes: [(String, String)]) throws -> [String] {
        var edited = text
        for (old, new) in changes {
            try #require(edited.contains(old), "\(old) is not in the model")
            edited = edited.replacingOccurrences(of: old, with: new)
        }
        do {
            _ = try SluiceModel.parse(edited, path: "m.yaml")
            return []
        } catch let error as ModelError {
            return error.problems
        }
    }

    /// The line of the first occurrence of `text` in the model.
    static func line(of needle: String) -> Int {
        (text.components(separatedBy: "\n").firstIndex { $0.contains(needle) } ?? -1) + 1
    }

    @Test func theClassicmodelsModelDeclaresItsStar() throws {
        let model = try SluiceModel.load(path: Self.path)
        let star = model.star
        #expect(star.dimensions.map(\.table) == ["dim_office", "dim_employee", "dim_customer", "dim_product"])
        #expect(star.facts.map(\.table) == ["fact_order_line", "fact_payment"])
        #expect(star.units.map(\.name) == ["affected_orders", "affected_payments"])
        #expect(star.sourceTables == ["customers", "employees", "offices", "orderdetails", "orders", "payments", "productlines", "products"])
        #expect(model.mirror(of: "customers")! == ("dim_customer", "is_current"))
        #expect(model.mirror(of: "orderdetails")! == ("fact_order_line", "true"))
        #expect(model.mirror(of: "orders") == nil)
        #expect(model.checks(of: "orderdetails").map(\.name) == ["sales (quantity × price)"])
        #expect(model.file.report?.sections.count == 3)
        #expect(model.generateShifts["orders"]?["customerNumber"] == "customers.customerNumber")
    }

    @Test func placeholdersExpand() {
        #expect(ModelFact.expand("{date_key o.order_date}, {valid_on c o.order_date}")
                == "CAST(TO_CHAR(o.order_date, 'YYYYMMDD') AS integer), o.order_date >= c.valid_from AND o.order_date < c.valid_to")
    }

    @Test func anUnknownColumnTypeIsOneClearLine() throws {
        #expect(throws: ConfigError.self) { try StarModelFile.kind("varchar") }
        #expect(try StarModelFile.kind("numeric(21, 2)") == .numeric(21, 2))
        let problems = try Self.problems([("{name: territory, type: varchar(10)}", "{name: territory, type: varchar}")])
        #expect(problems == ["m.yaml:\(Self.line(of: "name: territory")): dimension dim_office: unknown column type varchar: use smallint, integer, bigint, boolean, date, timestamp, text, double precision, varchar(N) or numeric(P,S)"])
    }

    @Test func aTypoInAKeyIsNamedWithItsLine() throws {
        let problems = try Self.problems([("    sort_key: [payment_date_key]", "    sortkey: [payment_date_key]")])
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("m.yaml:\(Self.line(of: "sort_key: [payment_date_key]")): unknown key sortkey in facts[]") == true)
    }

    @Test func aMissingFieldIsNamedWithItsLine() throws {
        let problems = try Self.problems([("    rebuild_unit: affected_payments\n", "")])
        #expect(problems.count == 1)
        #expect(problems.first?.contains("missing rebuild_unit") == true)
        #expect(problems.first?.hasPrefix("m.yaml:") == true)
    }

    @Test func aFactDependingOnASourceWithoutAChangeMappingIsRefused() throws {
        // The payments unit no longer maps customer changes, though fact_payment joins dim_customer.
        let mapping = "      - |-\n        SELECT y.customer_number, CAST(y.check_number AS varchar(50)) FROM staging.payments AS y\n"
            + "        JOIN star_pending AS p ON p.table_name = 'customers' AND p.key_text = CAST(y.customer_number AS varchar)\n"
        let problems = try Self.problems([(mapping, "")])
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("m.yaml:\(Self.line(of: "name: affected_payments") + 3): rebuild unit affected_payments has no change for customers, which fact fact_payment depends on") == true)
    }

    @Test func undeclaredTablesAndUnknownReferencesAreRefused() throws {
        let problems = try Self.problems([
            ("      FROM staging.offices\n", "      FROM staging.offices JOIN staging.regions USING (territory)\n"),
            ("LEFT JOIN mart.dim_office AS f", "LEFT JOIN mart.dim_offices AS f"),
            ("    rebuild_unit: affected_payments", "    rebuild_unit: affected_checks"),
        ])
        #expect(problems.contains { $0.hasSuffix("dimension dim_office reads staging.regions, which is not among its sources") })
        #expect(problems.contains { $0.hasSuffix("fact fact_order_line reads mart.dim_offices, which the model does not declare") })
        #expect(problems.contains { $0.contains("m.yaml:\(Self.line(of: "rebuild_unit: affected_payments")): fact fact_payment: rebuild unit affected_checks is not among rebuild_units") })
    }

    @Test func aCycleBetweenModelsIsRefused() throws {
        // dim_office now reads dim_employee, which reads dim_office.
        let problems = try Self.problems([
            ("      FROM staging.offices\n", "      FROM staging.offices WHERE office_code IN (SELECT office_code FROM mart.dim_employee)\n"),
            ("      FROM staging.employees\n", "      FROM staging.employees WHERE office_code IN (SELECT office_code FROM mart.dim_office)\n"),
        ])
        #expect(problems == ["m.yaml:\(Self.line(of: "- name: dim_office")): a cycle: dim_office → dim_employee → dim_office (each reads the next from mart; no order can build them)"])
    }

    @Test func modelsAreBuiltAfterTheModelsTheyRead() throws {
        // A dimension reading a later one from mart is built after it.
        var text = Self.text
        text = text.replacingOccurrences(of: "      FROM staging.offices\n",
                                         with: "      FROM staging.offices WHERE office_code IN (SELECT office_code FROM mart.dim_employee)\n")
        let star = try SluiceModel.parse(text, path: "m.yaml").star
        #expect(star.dimensions.map(\.table) == ["dim_employee", "dim_office", "dim_customer", "dim_product"])
    }

    @Test func invalidYAMLNamesItsLine() throws {
        let problems = try Self.problems([("  - name: fact_payment\n", "  - name: fact_payment\n   bad: [\n")])
        #expect(problems.count == 1)
        #expect(problems.first?.contains("not valid YAML") == true)
    }

    @Test func staticRowsJoinTheDimensionQuery() throws {
        let text = Self.text.replacingOccurrences(of: "    sources: [customers]\n", with: """
                sources: [customers]
                static_rows:
                  - {customer_number: -1, customer_name: "(unknown)", credit_limit: null}

            """)
        let model = try SluiceModel.parse(text, path: "m.yaml")
        let customer = try #require(model.star.dimensions.first { $0.table == "dim_customer" })
        #expect(customer.query.contains("UNION ALL\nSELECT CAST('-1' AS integer), CAST('(unknown)' AS varchar(50)), CAST(NULL AS varchar(50))"))
        #expect(model.mirror(of: "customers")?.filter == "is_current AND customer_number NOT IN ('-1')")
        let wrong = try Self.problems([("    sources: [customers]\n", "    sources: [customers]\n    static_rows:\n      - {customer_name: x}\n")])
        #expect(wrong.first?.hasSuffix("dimension dim_customer: a static row needs its natural key customer_number") == true)
    }
}
