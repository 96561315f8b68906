import Foundation

/// Where land puts objects: Hive-style folders that Spark, Athena and
/// Redshift Spectrum read as a `dt` partition column.
///
/// `<root>/<table>/dt=<YYYY-MM-DD>/<topic>+<partition>+<first offset, 20 digits>.<parquet|jsonl.gz>`
public struct LakeLayout: Sendable {
    public var root: String

    public init(root: String = "raw") { self.root = root.trimmingCharacters(in: CharacterSet(charactersIn: "/")) }

    public func key(table: String, day: String, topic: String, partition: Int32, firstOffset: Int64,
                    format: LandOptions.Format) -> String {
        let offset = String(firstOffset)
        let padded = String(repeating: "0", count: max(0, 20 - offset.count)) + offset
        let suffix = format == .parquet ? "parquet" : "jsonl.gz"
        return "\(root)/\(table)/dt=\(day)/\(topic)+\(partition)+\(padded).\(suffix)"
    }

    /// Where land keeps a table's schema version as JSON, next to JSON Lines
    /// objects (which, unlike Parquet, carry no types): `<root>/<table>/_schema/v<N>.json`.
    public func schemaKey(table: String, version: Int) -> String {
        "\(root)/\(table)/_schema/v\(version).json"
    }

    /// The prefix of a table's objects (or of the whole lake).
    public func prefix(table: String?) -> String {
        table.map { "\(root)/\($0)/" } ?? "\(root)/"
    }

    /// Parses a key back into its parts; `nil` for keys that are not lake objects.
    public static func parse(_ key: String) -> (table: String, day: String, topic: String, partition: Int32, firstOffset: Int64)? {
        let parts = key.split(separator: "/")
        guard parts.count >= 4, parts[parts.count - 2].hasPrefix("dt=") else { return nil }
        let name = parts[parts.count - 1]
        let stem = name.hasSuffix(".parquet") ? name.dropLast(8) : name.hasSuffix(".jsonl.gz") ? name.dropLast(9) : nil
        guard let stem else { return nil }
        let fields = stem.split(separator: "+")
        guard fields.count == 3, let partition = Int32(fields[1]), let offset = Int64(fields[2]) else { return nil }
        return (String(parts[parts.count - 3]), String(parts[parts.count - 2].dropFirst(3)), String(fields[0]), partition, offset)
    }
}
