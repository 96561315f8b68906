/// MariaDB's INET4, INET6 and UUID columns, and the spatial types: stored and logged as binary,
/// read by clients as text (INET/UUID) or as the server's geometry bytes.
///
/// INET4, INET6 and UUID are carried as the text the server prints (`10.1.2.3`,
/// `2001:db8::ff00:42:8329`, `6ccd780c-baba-1026-9564-5b8c656024db`); the binlog's bytes are
/// turned into that text. Spatial columns are carried as binary: the server's own form, a
/// 4-byte little-endian SRID followed by the OGC well-known binary (WKB).
public enum BinaryTextType: String, Sendable {
    case inet4, inet6, uuid

    /// The fixed width in the row image.
    public var width: Int { self == .inet4 ? 4 : 16 }

    /// The column as text, as the server prints it.
    public func text(_ value: [UInt8]) -> String {
        // Fixed-width binary is logged without its trailing 0x00 bytes.
        let bytes = value + Array(repeating: 0, count: max(0, width - value.count))
        switch self {
        case .inet4:
            return bytes.prefix(4).map(String.init).joined(separator: ".")
        case .uuid:
            let hex = bytes.prefix(16).map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
            var text = ""
            for (index, character) in hex.enumerated() {
                if [8, 12, 16, 20].contains(index) { text += "-" }
                text.append(character)
            }
            return text
        case .inet6:
            return Self.inet6Text(Array(bytes.prefix(16)))
        }
    }

    /// The text MariaDB prints: groups in lower-case hex without leading zeros, the longest run
    /// of zero groups (the first of equals, a single group too) written `::`, and a dotted IPv4
    /// tail when that run is the first six groups (`::1.2.3.4`) or the first five before `ffff`
    /// (`::ffff:1.2.3.4`), as in BIND's `inet_ntop`.
    static func inet6Text(_ bytes: [UInt8]) -> String {
        let groups = (0..<8).map { UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]) }
        var best = (start: -1, length: 0), run = (start: -1, length: 0)
        for (index, group) in groups.enumerated() {
            if group == 0 {
                run = run.start < 0 ? (index, 1) : (run.start, run.length + 1)
                if run.length > best.length { best = run }
            } else {
                run = (-1, 0)
            }
        }
        let dotted = bytes[12...].map(String.init).joined(separator: ".")
        if best.start == 0 && best.length == 6 { return "::" + dotted }
        if best.start == 0 && best.length == 5 && groups[5] == 0xFFFF { return "::ffff:" + dotted }
        let hex = groups.map { String($0, radix: 16) }
        guard best.length > 0 else { return hex.joined(separator: ":") }
        let head = hex[..<best.start].joined(separator: ":"), tail = hex[(best.start + best.length)...].joined(separator: ":")
        return head + "::" + tail
    }
}

extension ColumnSchema {
    /// Spatial type names as `information_schema.COLUMNS.DATA_TYPE` gives them.
    static let geometryTypes: Set = ["geometry", "point", "linestring", "polygon", "multipoint", "multilinestring",
                                     "multipolygon", "geometrycollection", "geomcollection"]   // MySQL 8 says geomcollection

    /// INET4, INET6 or UUID (MariaDB), carried as text.
    public var binaryText: BinaryTextType? { BinaryTextType(rawValue: sourceType.lowercased()) }

    /// A spatial column, carried as the server's SRID + WKB bytes.
    public var isGeometry: Bool { Self.geometryTypes.contains(sourceType.lowercased()) }
}
