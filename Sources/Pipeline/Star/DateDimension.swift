/// The date dimension: one row per calendar date a rebuilt fact uses (the model file's
/// `dates` queries), keyed by `YYYYMMDD`. Day of week is ISO (1 = Monday … 7 = Sunday).
struct DateDimension: StarModel {
    let table: String
    let sources: [String]
    /// Queries over staging and the rebuild units, each giving dates (`d`, the first names it) a rebuilt fact uses.
    let dates: [String]

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
            INSERT INTO mart.\(table) (date_key, "date", year, quarter, month, month_name, day, day_of_week, day_name, iso_week, is_weekend)
            SELECT \(dateKey("d")), d,
                   CAST(EXTRACT(year FROM d) AS smallint), CAST(EXTRACT(quarter FROM d) AS smallint),
                   CAST(EXTRACT(month FROM d) AS smallint), TRIM(TO_CHAR(d, 'Month')),
                   CAST(EXTRACT(day FROM d) AS smallint),
                   CAST(CASE WHEN \(weekday) = 0 THEN 7 ELSE \(weekday) END AS smallint), TRIM(TO_CHAR(d, 'Day')),
                   CAST(EXTRACT(week FROM d) AS smallint), \(weekday) IN (0, 6)
            FROM (
                SELECT DISTINCT d FROM (
                    \(dates.map { indented($0, by: 8) }.joined(separator: "\n        UNION ALL\n        "))
                ) AS used
                WHERE d IS NOT NULL
            ) AS dates
            WHERE NOT EXISTS (SELECT 1 FROM mart.\(table) AS x WHERE x.date_key = \(dateKey("dates.d")))
            """]
    }
}

/// `sql` with every line after the first indented by `spaces`: a snippet placed inside a statement.
func indented(_ sql: String, by spaces: Int) -> String {
    sql.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        .map { $0.offset == 0 ? String($0.element) : String(repeating: " ", count: spaces) + $0.element }
        .joined(separator: "\n")
}
