/// A test-only encoder of MySQL's binary JSON, written from the format in MySQL's
/// `sql-common/json_binary.h` and the choices `json_binary::serialize` makes:
/// the smallest integer type that holds a value, object keys sorted by length
/// then bytes, literals and 16-bit integers inlined in value entries (32-bit ones
/// too in large containers), and the small container form unless an offset or
/// size needs more than 16 bits, in which case the outermost container that a
/// small parent cannot hold switches to the large form.
enum BinaryJSONEncoder {
    /// A JSON value to encode.
    indirect enum Value: Sendable {
        case object([(String, Value)])
        case array([Value])
        case null, bool(Bool)
        case int(Int64), uint(UInt64), double(Double)
        case string(String)
        /// A MySQL field type and the value's bytes (DECIMAL, dates and times, anything else).
        case opaque(UInt8, [UInt8])
    }

    /// The document: a type byte, then the value.
    static func encode(_ value: Value) -> [UInt8] {
        let (type, body) = serialize(value, smallParent: false)!
        return [type] + body
    }

    /// The type byte and bytes of a value, or nil when a container does not fit the small
    /// form and its parent is small too (the parent must then grow, as in MySQL).
    private static func serialize(_ value: Value, smallParent: Bool) -> (type: UInt8, bytes: [UInt8])? {
        switch value {
        case .object, .array:
            let isObject: Bool = { if case .object = value { return true } else { return false } }()
            if let small = container(value, large: false) { return (isObject ? 0x00 : 0x02, small) }
            if smallParent { return nil }
            return (isObject ? 0x01 : 0x03, container(value, large: true)!)
        case .null: return (0x04, [0])
        case .bool(let flag): return (0x04, [flag ? 1 : 2])
        case .int(let number):
            if let small = Int16(exactly: number) { return (0x05, little(UInt64(UInt16(bitPattern: small)), 2)) }
            if let medium = Int32(exactly: number) { return (0x07, little(UInt64(UInt32(bitPattern: medium)), 4)) }
            return (0x09, little(UInt64(bitPattern: number), 8))
        case .uint(let number):
            if number <= UInt16.max { return (0x06, little(number, 2)) }
            if number <= UInt32.max { return (0x08, little(number, 4)) }
            return (0x0A, little(number, 8))
        case .double(let number): return (0x0B, little(number.bitPattern, 8))
        case .string(let text): return (0x0C, variableLength(text.utf8.count) + Array(text.utf8))
        case .opaque(let type, let bytes): return (0x0F, [type] + variableLength(bytes.count) + bytes)
        }
    }

    /// An object or array in the small or large form; nil if the small form cannot hold it.
    private static func container(_ value: Value, large: Bool) -> [UInt8]? {
        let members: [(key: [UInt8], value: Value)]
        switch value {
        case .object(let pairs):
            members = pairs.map { (key: Array($0.0.utf8), value: $0.1) }
                .sorted { $0.key.count != $1.key.count ? $0.key.count < $1.key.count : $0.key.lexicographicallyPrecedes($1.key) }
        case .array(let elements): members = elements.map { (key: [], value: $0) }
        default: return nil
        }
        let width = large ? 4 : 2
        let limit = large ? Int(UInt32.max) : Int(UInt16.max)
        let isObject = { if case .object = value { return true } else { return false } }()
        let keyEntries = isObject ? members.count * (width + 2) : 0
        let header = 2 * width + keyEntries + members.count * (1 + width)
        var keys: [UInt8] = [], keyEntryBytes: [UInt8] = []
        for member in members where isObject {
            keyEntryBytes += little(UInt64(header + keys.count), width) + little(UInt64(member.key.count), 2)
            keys += member.key
        }
        var entries: [UInt8] = [], values: [UInt8] = []
        for member in members {
            let offset = header + keys.count + values.count
            if let inline = inlined(member.value, large: large) {
                entries += [inline.type] + little(inline.bits, width)
                continue
            }
            guard offset <= limit, let child = serialize(member.value, smallParent: !large) else { return nil }
            entries += [child.type] + little(UInt64(offset), width)
            values += child.bytes
        }
        let size = header + keys.count + values.count
        guard size <= limit else { return nil }
        return little(UInt64(members.count), width) + little(UInt64(size), width) + keyEntryBytes + entries + keys + values
    }

    /// The type and inline bits of a value that fits in its entry.
    private static func inlined(_ value: Value, large: Bool) -> (type: UInt8, bits: UInt64)? {
        switch value {
        case .null: return (0x04, 0)
        case .bool(let flag): return (0x04, flag ? 1 : 2)
        case .int(let number):
            if let small = Int16(exactly: number) { return (0x05, UInt64(UInt16(bitPattern: small))) }
            if large, let medium = Int32(exactly: number) { return (0x07, UInt64(UInt32(bitPattern: medium))) }
            return nil
        case .uint(let number):
            if number <= UInt16.max { return (0x06, number) }
            if large, number <= UInt32.max { return (0x08, number) }
            return nil
        default: return nil
        }
    }

    static func little(_ value: UInt64, _ width: Int) -> [UInt8] {
        (0..<width).map { UInt8(truncatingIfNeeded: value >> UInt64(8 * $0)) }
    }

    /// 7 bits a byte, low bits first, the high bit on every byte but the last.
    static func variableLength(_ length: Int) -> [UInt8] {
        var rest = length, bytes: [UInt8] = []
        repeat {
            bytes.append(UInt8(rest & 0x7F) | (rest > 0x7F ? 0x80 : 0))
            rest >>= 7
        } while rest > 0
        return bytes
    }

    // MARK: Opaque payloads

    /// A JSON DECIMAL payload: precision, scale, then MySQL's binary DECIMAL of `text`.
    static func decimal(_ text: String, precision: Int, scale: Int) -> [UInt8] {
        let negative = text.hasPrefix("-")
        let unsigned = negative ? String(text.dropFirst()) : text
        let parts = unsigned.split(separator: ".", omittingEmptySubsequences: false)
        let integerDigits = precision - scale
        let integer = String(repeating: "0", count: integerDigits - parts[0].count) + parts[0]
        let fraction = (parts.count > 1 ? String(parts[1]) : "") + String(repeating: "0", count: scale - (parts.count > 1 ? parts[1].count : 0))
        let groupBytes = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4]
        var bytes: [UInt8] = []
        func append(_ digits: Substring) {
            let value = UInt64(digits)!
            bytes += (0..<groupBytes[digits.count]).reversed().map { UInt8(truncatingIfNeeded: value >> UInt64(8 * $0)) }
        }
        let leading = integerDigits % 9
        if leading > 0 { append(Substring(integer).prefix(leading)) }
        for start in stride(from: leading, to: integerDigits, by: 9) {
            append(Substring(integer).dropFirst(start).prefix(9))
        }
        for start in stride(from: 0, to: scale, by: 9) {
            append(Substring(fraction).dropFirst(start).prefix(9))
        }
        bytes[0] ^= 0x80
        if negative { bytes = bytes.map { ~$0 } }
        return [UInt8(precision), UInt8(scale)] + bytes
    }

    /// A packed DATETIME/TIMESTAMP/DATE payload (`TIME_to_longlong_datetime_packed`), 8 bytes little-endian.
    static func datetime(_ year: Int64, _ month: Int64, _ day: Int64, _ hour: Int64 = 0, _ minute: Int64 = 0,
                         _ second: Int64 = 0, microseconds: Int64 = 0) -> [UInt8] {
        let date = ((year * 13 + month) << 5) | day
        let clock = (hour << 12) | (minute << 6) | second
        return little(UInt64(bitPattern: ((date << 17 | clock) << 24) + microseconds), 8)
    }

    /// A packed TIME payload (`TIME_to_longlong_time_packed`), negated for negative times.
    static func time(negative: Bool = false, _ hour: Int64, _ minute: Int64, _ second: Int64, microseconds: Int64 = 0) -> [UInt8] {
        let packed = ((hour << 12 | minute << 6 | second) << 24) + microseconds
        return little(UInt64(bitPattern: negative ? -packed : packed), 8)
    }
}
