/// Sluice's logical column types: what a MySQL column means, independent of
/// how it is encoded in an event, a Parquet file or a warehouse table.
public enum ColumnType: Sendable, Hashable {
    /// Integers by width in bits (8, 16, 24, 32, 64) and sign.
    case integer(bits: Int, signed: Bool)
    /// Exact decimal; events carry it as a string with exactly `scale` digits after the point.
    case decimal(precision: Int, scale: Int)
    case float
    case double
    /// `BIT(width)`, carried as an unsigned integer.
    case bit(width: Int)
    /// `YYYY-MM-DD`.
    case date
    /// Wall-clock time without zone, `YYYY-MM-DDTHH:MM:SS[.ffffff]`.
    case datetime(precision: Int)
    /// An instant, in UTC: `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`.
    case timestamp(precision: Int)
    /// A duration or time of day, `[-]HH:MM:SS[.ffffff]`.
    case time(precision: Int)
    case year
    /// Text, converted from the column's character set to UTF-8.
    case string(maxLength: Int?)
    case enumeration(values: [String])
    case set(values: [String])
    /// Bytes, carried as base64 in events.
    case binary(maxLength: Int?)
    case json

    /// A short name for messages: the schema's `type` with its parameters, e.g. `uint32` or `decimal(10,2)`.
    public var name: String {
        switch self {
        case .integer(let bits, let signed): return signed ? "int\(bits)" : "uint\(bits)"
        case .decimal(let precision, let scale): return "decimal(\(precision),\(scale))"
        case .bit(let width): return "bit(\(width))"
        case .datetime(let precision), .timestamp(let precision), .time(let precision): return "\(kind)(\(precision))"
        default: return kind
        }
    }
}
