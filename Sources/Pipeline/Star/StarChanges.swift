/// The rebuild units of the classicmodels star: order lines are rebuilt per order, payments
/// per payment; each list says which changes affect which units.
enum StarChanges {
    static let units = [
        RebuildUnit(name: "affected_orders", columns: "order_number", markAll: ("orders", "order_number::text"), changes: [
            "SELECT CAST(SPLIT_PART(key_text, '|', 1) AS integer) AS order_number\nFROM star_pending WHERE table_name IN ('orders', 'orderdetails')",
            "SELECT o.order_number FROM staging.orders AS o\nJOIN star_pending AS p ON p.table_name = 'customers' AND p.key_text = CAST(o.customer_number AS varchar)",
            "SELECT d.order_number FROM staging.orderdetails AS d\nJOIN star_pending AS p ON p.table_name = 'products' AND p.key_text = d.product_code",
            "SELECT d.order_number FROM staging.orderdetails AS d\nJOIN staging.products AS r ON r.product_code = d.product_code\nJOIN star_pending AS p ON p.table_name = 'productlines' AND p.key_text = r.product_line",
            "SELECT o.order_number FROM staging.orders AS o\nJOIN staging.customers AS c ON c.customer_number = o.customer_number\nJOIN star_pending AS p ON p.table_name = 'employees' AND p.key_text = CAST(c.sales_rep_employee_number AS varchar)",
            "SELECT o.order_number FROM staging.orders AS o\nJOIN staging.customers AS c ON c.customer_number = o.customer_number\nJOIN staging.employees AS e ON e.employee_number = c.sales_rep_employee_number\nJOIN star_pending AS p ON p.table_name = 'offices' AND p.key_text = e.office_code",
        ]),
        RebuildUnit(name: "affected_payments", columns: "customer_number, check_number",
                    markAll: ("payments", "customer_number::text || '|' || check_number::text"), changes: [
            "SELECT CAST(SPLIT_PART(key_text, '|', 1) AS integer) AS customer_number,\n       CAST(SPLIT_PART(key_text, '|', 2) AS varchar(50)) AS check_number\nFROM star_pending WHERE table_name = 'payments'",
            "SELECT y.customer_number, CAST(y.check_number AS varchar(50)) FROM staging.payments AS y\nJOIN star_pending AS p ON p.table_name = 'customers' AND p.key_text = CAST(y.customer_number AS varchar)",
        ]),
    ]
}
