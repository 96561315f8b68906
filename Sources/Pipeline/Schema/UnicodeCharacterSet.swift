/// The MySQL character sets that are Unicode encodings: Sluice decodes them itself,
/// as the standard says, whenever the bytes are well formed. MySQL's `utf16` and
/// `utf32` are big-endian; `ucs2` is big-endian BMP-only units (no surrogate pairs).
/// Anything else (a lone surrogate, which ucs2 and utf32 columns can hold) is left to
/// the server, so it reads exactly as the snapshot does.
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

    /// The text of well-formed `bytes`; `nil` for anything else.
    func decode(_ bytes: [UInt8]) -> String? {
        switch self {
        case .utf8mb4, .utf8mb3:
            // Decoding repairs ill-formed UTF-8: it is well formed when the text is the same bytes.
            let text = String(decoding: bytes, as: UTF8.self)
            guard text.utf8.elementsEqual(bytes) else { return nil }
            return self == .utf8mb3 && bytes.contains(where: { $0 >= 0xF0 }) ? nil : text
        case .utf16, .utf16le:
            guard bytes.count % 2 == 0 else { return nil }
            let units = Self.units(bytes, width: 2, bigEndian: self == .utf16).map { UInt16($0) }
            var scalars = String.UnicodeScalarView(), iterator = units.makeIterator(), codec = UTF16()
            while true {
                switch codec.decode(&iterator) {
                case .scalarValue(let scalar): scalars.append(scalar)
                case .emptyInput: return String(scalars)
                case .error: return nil
                }
            }
        case .ucs2, .utf32:
            guard bytes.count % unitBytes == 0 else { return nil }
            var scalars = String.UnicodeScalarView()
            for unit in Self.units(bytes, width: unitBytes, bigEndian: true) {
                guard let scalar = Unicode.Scalar(unit) else { return nil }
                scalars.append(scalar)
            }
            return String(scalars)
        }
    }

    /// `bytes` as code units of `width` bytes.
    private static func units(_ bytes: [UInt8], width: Int, bigEndian: Bool) -> [UInt32] {
        stride(from: 0, to: bytes.count, by: width).map { start in
            let unit = bytes[start..<start + width]
            return (bigEndian ? Array(unit) : unit.reversed()).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        }
    }
}
