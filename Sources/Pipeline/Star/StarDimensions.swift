/// The four SCD2 dimensions of the classicmodels star, fed from staging.
extension SlowlyChangingDimension {
    static let customer = SlowlyChangingDimension(
        table: "dim_customer", surrogateKey: "customer_key",
        naturalKey: StarColumn("customer_number", .integer, notNull: true),
        attributes: [
            StarColumn("customer_name", .varchar(50)), StarColumn("contact_last_name", .varchar(50)),
            StarColumn("contact_first_name", .varchar(50)), StarColumn("phone", .varchar(50)),
            StarColumn("address_line1", .varchar(50)), StarColumn("address_line2", .varchar(50)),
            StarColumn("city", .varchar(50)), StarColumn("state", .varchar(50)), StarColumn("postal_code", .varchar(15)),
            StarColumn("country", .varchar(50)), StarColumn("sales_rep_employee_number", .integer),
            StarColumn("credit_limit", .numeric(10, 2)),
        ],
        sources: ["customers"],
        query: """
            SELECT customer_number, customer_name, contact_last_name, contact_first_name, phone, address_line1,
                   address_line2, city, state, postal_code, country, sales_rep_employee_number, credit_limit, _src_ms
            FROM staging.customers
            """)

    /// Products with their product line's text description (a change to the line's text is a new version).
    static let product = SlowlyChangingDimension(
        table: "dim_product", surrogateKey: "product_key",
        naturalKey: StarColumn("product_code", .varchar(15), notNull: true),
        attributes: [
            StarColumn("product_name", .varchar(70)), StarColumn("product_line", .varchar(50)),
            StarColumn("product_line_description", .varchar(4000)), StarColumn("product_scale", .varchar(10)),
            StarColumn("product_vendor", .varchar(50)), StarColumn("product_description", .text),
            StarColumn("buy_price", .numeric(10, 2)), StarColumn("msrp", .numeric(10, 2)),
        ],
        sources: ["products", "productlines"],
        query: """
            SELECT p.product_code, p.product_name, p.product_line, l.text_description AS product_line_description,
                   p.product_scale, p.product_vendor, p.product_description, p.buy_price, p.msrp,
                   GREATEST(p._src_ms, l._src_ms) AS _src_ms
            FROM staging.products AS p
            LEFT JOIN staging.productlines AS l ON l.product_line = p.product_line
            """)

    static let employee = SlowlyChangingDimension(
        table: "dim_employee", surrogateKey: "employee_key",
        naturalKey: StarColumn("employee_number", .integer, notNull: true),
        attributes: [
            StarColumn("last_name", .varchar(50)), StarColumn("first_name", .varchar(50)), StarColumn("extension", .varchar(10)),
            StarColumn("email", .varchar(100)), StarColumn("office_code", .varchar(10)), StarColumn("reports_to", .integer),
            StarColumn("job_title", .varchar(50)),
        ],
        sources: ["employees"],
        query: """
            SELECT employee_number, last_name, first_name, extension, email, office_code, reports_to, job_title, _src_ms
            FROM staging.employees
            """)

    static let office = SlowlyChangingDimension(
        table: "dim_office", surrogateKey: "office_key",
        naturalKey: StarColumn("office_code", .varchar(10), notNull: true),
        attributes: [
            StarColumn("city", .varchar(50)), StarColumn("phone", .varchar(50)), StarColumn("address_line1", .varchar(50)),
            StarColumn("address_line2", .varchar(50)), StarColumn("state", .varchar(50)), StarColumn("country", .varchar(50)),
            StarColumn("postal_code", .varchar(15)), StarColumn("territory", .varchar(10)),
        ],
        sources: ["offices"],
        query: """
            SELECT office_code, city, phone, address_line1, address_line2, state, country, postal_code, territory, _src_ms
            FROM staging.offices
            """)
}
