import MySQL

/// A reason to stop one table (not the extract): what went wrong and what to run. Every stop is
/// one of the cases below, thrown from where it is found (or passed directly) to
/// `Extractor.stopTable`, which writes the one line with the table and the binlog position.
struct TableStop: Error {
    let reason: String
    let remedy: String

    init(reason: String, remedy: String) {
        self.reason = reason
        self.remedy = remedy
    }

    /// A reason whose remedy is only to snapshot the table again.
    init(reason: String, table: String) {
        self.init(reason: reason, remedy: "Run sluice extract --resnapshot \(table) to snapshot it again")
    }

    /// A primary key column holding a MySQL date that has no calendar day (see `FieldValue.isCalendarDate`).
    static func zeroDateInKey(_ column: String, table: String) -> TableStop {
        TableStop(reason: "its primary key column \(column) holds a zero date (or one with a zero year, month or day), which arrives as NULL and cannot stand in a key",
                  remedy: "Give the row a real date in MySQL (or change the key), then run sluice extract --resnapshot \(table)")
    }

    /// A definition Sluice cannot carry (a type, a reserved column name): `error` says which.
    static func unmappable(_ error: MySQLError, table: String) -> TableStop {
        let hint = error.hint.map { $0.prefix(1).uppercased() + $0.dropFirst() } ?? "Change the table"
        return TableStop(reason: error.message, remedy: "\(hint), then run sluice extract --resnapshot \(table)")
    }

    /// Row events the server logged in a form Sluice refuses (MySQL's partial JSON updates).
    static func refusedRows(_ reason: String, table: String) -> TableStop {
        TableStop(reason: reason, remedy: "Change that setting on the server (binlog_row_value_options=''), then run sluice extract --resnapshot \(table)")
    }

    /// No schema version in the history covers the change's position.
    static func noSchemaVersion(topic: String, table: String) -> TableStop {
        TableStop(reason: "no schema version of it covers this position in \(topic)", table: table)
    }

    /// A TABLE_MAP that matches no known definition of the table.
    static func rowImageMismatch(_ problem: String, table: String) -> TableStop {
        TableStop(reason: "a row image matches no known definition: \(problem)", table: table)
    }

    /// A row image without some columns: the writing session logs MINIMAL or NOBLOB images.
    static func absentColumn(_ column: String, table: String) -> TableStop {
        TableStop(reason: "the row image leaves out column \(column) (the session that wrote it has binlog_row_image=MINIMAL or NOBLOB), so its value is unknown",
                  remedy: "Make every session log full images (SET GLOBAL binlog_row_image=FULL, and no SET SESSION binlog_row_image in the application), then run sluice extract --resnapshot \(table)")
    }

    /// A row statement logged as text (`binlog_format=STATEMENT` or `MIXED`): its rows are unknown.
    static func rowStatement(_ verb: String, table: String) -> TableStop {
        TableStop(reason: "a row statement (\(verb)) reached the binlog as text, not as rows (the session that ran it has binlog_format=STATEMENT or MIXED), so the rows it changed are unknown",
                  remedy: "Make every session log rows (SET GLOBAL binlog_format=ROW, and no SET SESSION binlog_format in the application), then run sluice extract --resnapshot \(table)")
    }

    /// Text in a character set the server will not convert to utf8mb4.
    static func undecodable(_ refusal: SourceTextDecoder.Undecodable, table: String) -> TableStop {
        TableStop(reason: "\(refusal)",
                  remedy: "Leave the table out with --tables, or convert its text to utf8mb4, then run sluice extract --resnapshot \(table)")
    }

    /// A keyless table's snapshot needs a read position this account may not take.
    static func needsConsistentRead(_ error: MySQLError, user: String, table: String) -> TableStop {
        TableStop(reason: "it has no primary key, so its snapshot must be one consistent read at a known binlog position, which this server gives only under a brief FLUSH TABLES WITH READ LOCK (\(error.summary))",
                  remedy: "GRANT RELOAD to \(user) or add a primary key to the table, then run sluice extract --resnapshot \(table)")
    }

    /// A snapshot that kept failing.
    static func snapshotFailing(_ error: MySQLError, times: Int, table: String) -> TableStop {
        TableStop(reason: "its snapshot failed \(times) times in a row, last: \(error.summary)", table: table)
    }
}
