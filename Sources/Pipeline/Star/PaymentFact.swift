/// `mart.fact_payment`: one payment, with the customer version valid on the payment date.
struct PaymentFact: StarModel {
    let table = "fact_payment"
    let sources = ["payments", "customers"]

    func create(_ dialect: SQLDialect) -> String {
        createTable(dialect, columns: [
            "customer_number integer NOT NULL", StarColumn("check_number", .varchar(50), notNull: true).definition(dialect),
            "customer_key bigint", "payment_date_key integer NOT NULL", "amount numeric(10,2) NOT NULL",
            "PRIMARY KEY (customer_number, check_number)",
        ], distribution: .key("customer_number"), sortKey: ["payment_date_key"])
    }

    func update(_ dialect: SQLDialect) -> [String] {
        [
        """
        DELETE FROM mart.fact_payment USING affected_payments AS a
        WHERE fact_payment.customer_number = a.customer_number AND fact_payment.check_number = a.check_number
        """,
        """
        INSERT INTO mart.fact_payment (customer_number, check_number, customer_key, payment_date_key, amount)
        SELECT y.customer_number, y.check_number, c.customer_key, \(dateKey("y.payment_date")), y.amount
        FROM staging.payments AS y
        JOIN affected_payments AS a ON a.customer_number = y.customer_number AND a.check_number = y.check_number
        LEFT JOIN mart.dim_customer AS c ON c.customer_number = y.customer_number
            AND \(SlowlyChangingDimension.customer.validOn("c", date: "y.payment_date"))
        """,
        ]
    }
}
