/// `mart.fact_order_line`: one product on one order, keyed like the source
/// by order number and product code (line numbers are not unique in the
/// source). Dimension keys are the
/// versions valid at the order date; the sales rep and office come from the
/// customer's sales rep (null for a customer without one).
struct OrderLineFact: StarModel {
    let table = "fact_order_line"
    let sources = ["orders", "orderdetails", "customers", "products", "productlines", "employees", "offices"]

    func create(_ dialect: SQLDialect) -> String {
        createTable(dialect, columns: [
            "order_number integer NOT NULL", StarColumn("product_code", .varchar(15), notNull: true).definition(dialect),
            "order_line_number smallint NOT NULL", "customer_key bigint",
            "product_key bigint", "employee_key bigint", "office_key bigint", "order_date_key integer NOT NULL",
            "required_date_key integer NOT NULL", "shipped_date_key integer", StarColumn("status", .varchar(15), notNull: true).definition(dialect),
            "quantity_ordered integer NOT NULL", "price_each numeric(10,2) NOT NULL", "line_amount numeric(21,2) NOT NULL",
            "PRIMARY KEY (order_number, product_code)",
        ], distribution: .key("order_number"), sortKey: ["order_date_key"])
    }

    func update(_ dialect: SQLDialect) -> [String] {
        let dimensions = SlowlyChangingDimension.self
        let on = "o.order_date"
        return [
            "DELETE FROM mart.fact_order_line USING affected_orders AS a WHERE fact_order_line.order_number = a.order_number",
            """
            INSERT INTO mart.fact_order_line (order_number, product_code, order_line_number, customer_key, product_key, employee_key, office_key,
                order_date_key, required_date_key, shipped_date_key, status, quantity_ordered, price_each, line_amount)
            SELECT d.order_number, d.product_code, d.order_line_number, c.customer_key, p.product_key, e.employee_key, f.office_key,
                   \(dateKey("o.order_date")), \(dateKey("o.required_date")), \(dateKey("o.shipped_date")), o.status,
                   d.quantity_ordered, d.price_each, d.quantity_ordered * d.price_each
            FROM staging.orderdetails AS d
            JOIN affected_orders AS a ON a.order_number = d.order_number
            JOIN staging.orders AS o ON o.order_number = d.order_number
            LEFT JOIN mart.dim_customer AS c ON c.customer_number = o.customer_number AND \(dimensions.customer.validOn("c", date: on))
            LEFT JOIN mart.dim_product AS p ON p.product_code = d.product_code AND \(dimensions.product.validOn("p", date: on))
            LEFT JOIN mart.dim_employee AS e ON e.employee_number = c.sales_rep_employee_number AND \(dimensions.employee.validOn("e", date: on))
            LEFT JOIN mart.dim_office AS f ON f.office_code = e.office_code AND \(dimensions.office.validOn("f", date: on))
            """,
        ]
    }
}
