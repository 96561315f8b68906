/// A reason to stop one table (not the extract), thrown from where it is found to where the
/// table's snapshot or stream is driven, which calls `Extractor.stopTable` with it.
struct TableStop: Error {
    let reason: String
    let remedy: String

    /// A primary key column holding a MySQL date that has no calendar day (see `FieldValue.isCalendarDate`).
    static func zeroDateInKey(_ column: String, table: String) -> TableStop {
        TableStop(reason: "its primary key column \(column) holds a zero date (or one with a zero year, month or day), which arrives as NULL and cannot stand in a key",
                  remedy: "Give the row a real date in MySQL (or change the key), then run sluice extract --resnapshot \(table)")
    }
}
