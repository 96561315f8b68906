/// The MySQL character sets that are Unicode encodings: Sluice decodes them itself,
/// as the standard says, whenever the bytes are well formed. MySQL's `utf16` and
/// `utf32` are big-endian; `ucs2` is big-endian BMP-only units (no surrogate pairs).
enum UnicodeCharacterSet: Sendable, Hashable {
    case utf8mb3, utf8mb4, ucs2, utf16, utf16le, utf32

    /// `nil` for any other character set. `utf8` is `utf8mb3`'s older name.
    init?(_ name: String) {
        switch name.lowercased() {
        case "utf8", "utf8mb3": self = .utf8mb3
        case "utf8mb4": self = .utf8mb4
        case "ucs2": self = .ucs2
        case "utf16": self = .utf16
        case "utf16le": self = .utf16le
        case "utf32": self = .utf32
        default: return nil
        }
    }

    /// The fewest bytes a character takes (MySQL's `mbminlen`). `information_schema`
    /// gives a TEXT column's length in characters of this size: a ucs2 TEXT, 65,535
    /// bytes, is 32,767 long.
    var unitBytes: Int {
        switch self {
        case .utf8mb3, .utf8mb4: return 1
        case .ucs2, .utf16, .utf16le: return 2
        case .utf32: return 4
        }
    }
}
