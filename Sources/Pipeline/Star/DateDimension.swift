/// `mart.dim_date`: one row per calendar date used by an order (ordered,
/// required, shipped) or a payment, keyed by `YYYYMMDD`. Day of week is ISO
/// (1 = Monday … 7 = Sunday).
struct DateDimension: StarModel {
    let table = "dim_date"
    let sources = ["orders", "payments"]

    func create(_ dialect: SQLDialect) -> String {
        createTable(dialect, columns: [
            "date_key integer NOT NULL PRIMARY KEY", "\"date\" date NOT NULL", "year smallint NOT NULL",
            "quarter smallint NOT NULL", "month smallint NOT NULL", "month_name varchar(9) NOT NULL",
            "day smallint NOT NULL", "day_of_week smallint NOT NULL", "day_name varchar(9) NOT NULL",
            "iso_week smallint NOT NULL", "is_weekend boolean NOT NULL",
        ], distribution: .all, sortKey: ["date_key"])
    }

    func update(_ dialect: SQLDialect) -> [String] {
        let weekday = "EXTRACT(dow FROM d)"
        return ["""
            INSERT INTO mart.dim_date (date_key, "date", year, quarter, month, month_name, day, day_of_week, day_name, iso_week, is_weekend)
            SELECT \(dateKey("d")), d,
                   CAST(EXTRACT(year FROM d) AS smallint), CAST(EXTRACT(quarter FROM d) AS smallint),
                   CAST(EXTRACT(month FROM d) AS smallint), TRIM(TO_CHAR(d, 'Month')),
                   CAST(EXTRACT(day FROM d) AS smallint),
                   CAST(CASE WHEN \(weekday) = 0 THEN 7 ELSE \(weekday) END AS smallint), TRIM(TO_CHAR(d, 'Day')),
                   CAST(EXTRACT(week FROM d) AS smallint), \(weekday) IN (0, 6)
            FROM (
                SELECT DISTINCT d FROM (
                    SELECT o.order_date AS d FROM staging.orders AS o JOIN affected_orders AS a ON a.order_number = o.order_number
                    UNION ALL
                    SELECT o.required_date FROM staging.orders AS o JOIN affected_orders AS a ON a.order_number = o.order_number
                    UNION ALL
                    SELECT o.shipped_date FROM staging.orders AS o JOIN affected_orders AS a ON a.order_number = o.order_number
                    UNION ALL
                    SELECT y.payment_date FROM staging.payments AS y
                    JOIN affected_payments AS a ON a.customer_number = y.customer_number AND a.check_number = y.check_number
                ) AS used
                WHERE d IS NOT NULL
            ) AS dates
            WHERE NOT EXISTS (SELECT 1 FROM mart.dim_date AS x WHERE x.date_key = \(dateKey("dates.d")))
            """]
    }
}
