/// MySQL's GTIDs, `source-uuid:transaction-number` (MariaDB's are `domain-server-sequence`).
public enum MySQLGTID {
    /// `(uuid, number)` of a MySQL GTID, or of the last transaction of a one-interval GTID set
    /// (`uuid:1-100` → 100); `nil` for anything else.
    public static func parse(_ gtid: String) -> (uuid: String, number: UInt64)? {
        let parts = gtid.split(separator: ":")
        guard parts.count == 2, parts[0].count == 36, let last = parts[1].split(separator: "-").last,
              let number = UInt64(last) else { return nil }
        return (String(parts[0]).lowercased(), number)
    }

    /// Whether `next` goes back from `previous` on the same source server (the log was reset, or
    /// belongs to another server); `nil` unless both are MySQL GTIDs. Different sources say nothing.
    public static func goesBack(from previous: String, to next: String) -> Bool? {
        guard let old = parse(previous), let new = parse(next) else { return nil }
        return old.uuid == new.uuid && new.number <= old.number
    }
}
