import Foundation

/// The reconciliation `sluice verify` prints: one row per check of a table,
/// with the value in each place that holds the table, and whether they agree.
public struct VerifyReport: Sendable {
    public struct Check: Sendable {
        public var table: String
        /// `rows`, `sum(<column>)`, `key hash`, or a star check such as `fact_order_line sales`.
        public var check: String
        public var mysql: String?
        public var lake: String?
        public var staging: String?
        public var mart: String?

        /// Every value present equals the MySQL one (numerically, so `12.50` equals `12.5`).
        public var passed: Bool {
            guard let mysql else { return false }
            return [lake, staging, mart].compactMap { $0 }.allSatisfy { VerifyReport.same($0, mysql) }
        }
    }

    public var checks: [Check] = []
    public var passed: Bool { checks.allSatisfy(\.passed) }

    static func same(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        guard let x = Decimal(string: a), let y = Decimal(string: b) else { return false }
        return x == y
    }

    /// `--json`: an object with `passed` and the checks.
    public var json: JSONValue {
        .object([
            ("passed", .bool(passed)),
            ("checks", .array(checks.map { check in
                .object([
                    ("table", .string(check.table)), ("check", .string(check.check)),
                    ("mysql", check.mysql.map(JSONValue.string) ?? .null), ("lake", check.lake.map(JSONValue.string) ?? .null),
                    ("staging", check.staging.map(JSONValue.string) ?? .null), ("mart", check.mart.map(JSONValue.string) ?? .null),
                    ("passed", .bool(check.passed)),
                ])
            })),
        ])
    }
}
