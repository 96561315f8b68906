/// Which facts a star update must rebuild, from the keys the staging merge
/// recorded in `sluice.pending_changes` since the last star update.
///
/// A fact is rebuilt when its own rows changed, and also when one of its
/// dimensions' source rows changed, so that a dimension row arriving after
/// its facts (another table, another lake file) fills in their keys.
/// Rebuilding a fact picks the dimension versions valid at its date, so
/// history is never rewritten.
enum StarChanges {
    /// Snapshot of the pending keys this update consumes (rows recorded meanwhile stay pending).
    static func collect(_ dialect: SQLDialect) -> [String] {
        dialect.temporaryTable("star_pending", as: "SELECT table_name, key_text FROM sluice.pending_changes")
            + dialect.temporaryTable("affected_orders", as: """
                SELECT DISTINCT order_number FROM (
                    SELECT CAST(SPLIT_PART(key_text, '|', 1) AS integer) AS order_number
                    FROM star_pending WHERE table_name IN ('orders', 'orderdetails')
                    UNION ALL
                    SELECT o.order_number FROM staging.orders AS o
                    JOIN star_pending AS p ON p.table_name = 'customers' AND p.key_text = CAST(o.customer_number AS varchar)
                    UNION ALL
                    SELECT d.order_number FROM staging.orderdetails AS d
                    JOIN star_pending AS p ON p.table_name = 'products' AND p.key_text = d.product_code
                    UNION ALL
                    SELECT d.order_number FROM staging.orderdetails AS d
                    JOIN staging.products AS r ON r.product_code = d.product_code
                    JOIN star_pending AS p ON p.table_name = 'productlines' AND p.key_text = r.product_line
                    UNION ALL
                    SELECT o.order_number FROM staging.orders AS o
                    JOIN staging.customers AS c ON c.customer_number = o.customer_number
                    JOIN star_pending AS p ON p.table_name = 'employees' AND p.key_text = CAST(c.sales_rep_employee_number AS varchar)
                    UNION ALL
                    SELECT o.order_number FROM staging.orders AS o
                    JOIN staging.customers AS c ON c.customer_number = o.customer_number
                    JOIN staging.employees AS e ON e.employee_number = c.sales_rep_employee_number
                    JOIN star_pending AS p ON p.table_name = 'offices' AND p.key_text = e.office_code
                ) AS changed
                """)
            + dialect.temporaryTable("affected_payments", as: """
                SELECT DISTINCT customer_number, check_number FROM (
                    SELECT CAST(SPLIT_PART(key_text, '|', 1) AS integer) AS customer_number,
                           CAST(SPLIT_PART(key_text, '|', 2) AS varchar(50)) AS check_number
                    FROM star_pending WHERE table_name = 'payments'
                    UNION ALL
                    SELECT y.customer_number, CAST(y.check_number AS varchar(50)) FROM staging.payments AS y
                    JOIN star_pending AS p ON p.table_name = 'customers' AND p.key_text = CAST(y.customer_number AS varchar)
                ) AS changed
                """)
    }

    /// Marks every order and payment in staging pending, so that the next update rebuilds
    /// all facts (a new or rebuilt star). PostgreSQL only: it runs here, before an update.
    static func markEverything() -> [String] {
        ["""
         INSERT INTO sluice.pending_changes (table_name, key_text)
         SELECT 'orders', order_number::text FROM staging.orders ON CONFLICT DO NOTHING
         """,
         """
         INSERT INTO sluice.pending_changes (table_name, key_text)
         SELECT 'payments', customer_number::text || '|' || check_number::text FROM staging.payments ON CONFLICT DO NOTHING
         """]
    }

    /// Removes the consumed keys, in the same transaction as the star update.
    static func consume(_ dialect: SQLDialect) -> [String] {
        ["""
         DELETE FROM sluice.pending_changes USING star_pending AS p
         WHERE pending_changes.table_name = p.table_name AND pending_changes.key_text = p.key_text
         """]
    }
}
