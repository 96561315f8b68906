import Foundation
import Parquet
@testable import Pipeline
import Testing

/// `sluice load --dialect redshift --dry-run`: the generated SQL, compared with checked-in expected files.
@Suite struct RedshiftLoadScriptTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/redshift")

    /// Two tables as land writes them; `payments` changes schema (a new column) between its files,
    /// and its second version starts at a floor (it was snapshotted again there).
    static var files: [RedshiftLoadScript.File] {
        let metadata = LakeFileSchema.metadataColumns
        let orderdetails = [
            ParquetColumn(name: "orderNumber", physicalType: .int32, logicalType: .integer(bitWidth: 32, signed: true)),
            ParquetColumn(name: "productCode", physicalType: .byteArray, logicalType: .string),
            ParquetColumn(name: "quantityOrdered", physicalType: .int32, logicalType: .integer(bitWidth: 32, signed: true)),
            ParquetDecimal.column(name: "priceEach", precision: 10, scale: 2),
            ParquetColumn(name: "orderLineNumber", physicalType: .int32, logicalType: .integer(bitWidth: 16, signed: true)),
        ] + metadata
        let payments = [
            ParquetColumn(name: "customerNumber", physicalType: .int32, logicalType: .integer(bitWidth: 32, signed: true)),
            ParquetColumn(name: "checkNumber", physicalType: .byteArray, logicalType: .string),
            ParquetColumn(name: "paymentDate", physicalType: .int32, logicalType: .date),
            ParquetDecimal.column(name: "amount", precision: 10, scale: 2),
        ]
        let paymentsV2 = payments + [ParquetColumn(name: "memo", physicalType: .byteArray, logicalType: .string)]
        func file(_ table: String, _ partition: Int, _ offset: Int, rows: Int, key: [String], columns: [ParquetColumn],
                  floor: SourceOrder? = nil) -> RedshiftLoadScript.File {
            let padded = String(repeating: "0", count: 20 - String(offset).count) + String(offset)
            return RedshiftLoadScript.File(
                key: "raw/\(table)/dt=2026-11-25/shop.\(table)+\(partition)+\(padded).parquet", etag: "etag-\(table)-\(partition)-\(offset)",
                size: 4096 + rows, rows: rows, table: table, keyColumns: key, columns: columns, floor: floor)
        }
        return [
            file("orderdetails", 0, 0, rows: 700, key: ["orderNumber", "productCode"], columns: orderdetails),
            file("orderdetails", 1, 0, rows: 800, key: ["orderNumber", "productCode"], columns: orderdetails),
            file("payments", 0, 0, rows: 273, key: ["customerNumber", "checkNumber"], columns: payments + metadata),
            file("payments", 0, 273, rows: 2, key: ["customerNumber", "checkNumber"], columns: paymentsV2 + metadata,
                 floor: SourceOrder(sequence: 2, position: 1_500)),
        ]
    }

    static func render() -> (manifests: [RedshiftLoadScript.Manifest], sql: String) {
        RedshiftLoadScript(bucket: "shop-lake", manifestPrefix: "raw/_manifests/20261125T000000Z",
                           iamRole: "arn:aws:iam::123456789012:role/sluice-copy",
                           star: try! SluiceModel.load(path: StarModelFileTests.path).star).render(files)
    }

    /// Compares with the checked-in file; on a mismatch, writes the actual text next to /tmp for review.
    static func expectMatches(_ actual: String, file name: String) throws {
        let url = fixtures.appendingPathComponent(name)
        let expected = try? String(contentsOf: url, encoding: .utf8)
        if actual != expected {
            let out = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("actual-\(name)")
            try actual.write(to: out, atomically: true, encoding: .utf8)
            Issue.record("\(name) differs from the expected file; actual written to \(out.path) (diff it, and copy it over if the change is intended)")
        }
    }

    @Test func scriptMatchesTheExpectedSQL() throws {
        try Self.expectMatches(Self.render().sql, file: "load.sql")
    }

    @Test func manifestsMatchTheExpectedFiles() throws {
        let manifests = Self.render().manifests
        #expect(manifests.map(\.url) == [
            "s3://shop-lake/raw/_manifests/20261125T000000Z/orderdetails.manifest",
            "s3://shop-lake/raw/_manifests/20261125T000000Z/payments.manifest",
            "s3://shop-lake/raw/_manifests/20261125T000000Z/payments-2.manifest",
        ])
        for manifest in manifests {
            try Self.expectMatches(manifest.json + "\n", file: URL(string: manifest.url)!.lastPathComponent)
        }
    }

    /// The features the issue names, so that a regenerated expected file cannot silently lose them.
    @Test func scriptHasRedshiftFeatures() {
        let sql = Self.render().sql
        for feature in ["DISTSTYLE ALL", "DISTSTYLE KEY DISTKEY (order_number)", "SORTKEY (order_date_key)",
                        "FORMAT AS PARQUET\nMANIFEST", "IAM_ROLE 'arn:aws:iam::123456789012:role/sluice-copy'",
                        "MERGE INTO staging.\"orderdetails\"", "CREATE TABLE IF NOT EXISTS mart.fact_payment",
                        "BIGINT IDENTITY(1, 1)", "ROW_NUMBER() OVER (PARTITION BY \"order_number\", \"product_code\""] {
            #expect(sql.contains(feature), "missing: \(feature)")
        }
        // PostgreSQL-only syntax must not leak into the Redshift script (the role's ARN has "::" of its own).
        let statements = sql.replacingOccurrences(of: "arn:aws:iam::", with: "")
        for postgresOnly in ["ON CONFLICT", "DISTINCT ON", "GENERATED BY DEFAULT", "infinity", "now()", "ON COMMIT DROP", "::"] {
            #expect(!statements.contains(postgresOnly), "PostgreSQL syntax in the Redshift script: \(postgresOnly)")
        }
    }
}
