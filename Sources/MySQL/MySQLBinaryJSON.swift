/// MySQL's binary JSON (the storage format of `JSON` columns, binlog type 245),
/// turned into the JSON text MySQL itself prints for the value, so a CDC event
/// carries the same text as a snapshot `SELECT` of the column.
///
/// The format is the one documented in MySQL's `sql-common/json_binary.h`: a
/// type byte, then the value. Objects and arrays come in a small form (2-byte
/// counts, sizes and offsets) and a large form (4-byte ones); offsets count from
/// the first byte after the container's type byte. Literals and 16-bit integers
/// (and 32-bit integers in large containers) sit inline in their value entry.
/// Object keys are stored sorted by length, then bytes, and are printed in that
/// order. Strings carry a variable-length length (7 bits a byte, low bits first);
/// opaque values carry a MySQL field type, a variable-length length and the raw
/// bytes (see `MySQLBinaryJSON+Opaque.swift`).
///
/// The text follows `wrapper_to_string` in MySQL's `sql-common/json_dom.cc`
/// (what `Field_json::val_str` returns): `", "` between members and elements,
/// `": "` after keys, strings escaped by `double_quote` (`\"`, `\\`, `\b`,
/// `\f`, `\n`, `\r`, `\t`, other bytes below 0x20 as `\u00xx` in lower-case hex,
/// everything else, UTF-8 included, as is), integers in decimal, doubles as
/// `my_gcvt` prints them (`MySQLBinaryJSON+Double.swift`).
///
/// Like MySQL's `json_binary::parse_binary`, an empty value (which MySQL writes
/// for a JSON column set to `''` under IGNORE or a non-strict SQL mode) reads as
/// JSON `null`, and bytes after the top-level value are ignored. Anything that
/// does not parse (a short buffer, an offset outside its container, an unknown
/// type byte, a string that is not UTF-8, nesting deeper than MySQL allows)
/// throws `BinlogRowDecoder.corrupt`.
public enum MySQLBinaryJSON {
    /// The JSON text of a binary JSON document.
    public static func text(_ bytes: some Collection<UInt8>) throws -> String {
        let document = Array(bytes)
        guard let type = document.first else { return "null" }
        var printer = Printer(document: document)
        try printer.value(type: type, at: 1, end: document.count, depth: 0)
        return String(decoding: printer.output, as: UTF8.self)
    }

    /// MySQL refuses documents nested deeper than 100 (`JSON_DOCUMENT_MAX_DEPTH`);
    /// anything far past that is damage, and would only exhaust the stack.
    static let maximumDepth = 150

    static func corrupt(_ reason: String) -> MySQLError {
        BinlogRowDecoder.corrupt("binary JSON: \(reason)")
    }

    /// Walks the document and appends its text to `output`.
    struct Printer {
        let document: [UInt8]
        var output: [UInt8] = []

        init(document: [UInt8]) {
            self.document = document
            output.reserveCapacity(document.count * 2)
        }

        /// Prints the value of binary type `type` stored at `offset`, which must end by `end`.
        mutating func value(type: UInt8, at offset: Int, end: Int, depth: Int) throws {
            switch type {
            case 0x00, 0x01: try container(at: offset, end: end, large: type == 0x01, isObject: true, depth: depth)
            case 0x02, 0x03: try container(at: offset, end: end, large: type == 0x03, isObject: false, depth: depth)
            case 0x04:
                switch try integer(at: offset, width: 1, end: end) {
                case 0: append("null")
                case 1: append("true")
                case 2: append("false")
                case let other: throw MySQLBinaryJSON.corrupt("literal \(other) is none of null, true, false")
                }
            case 0x05: append(String(Int16(truncatingIfNeeded: try integer(at: offset, width: 2, end: end))))
            case 0x06: append(String(UInt16(truncatingIfNeeded: try integer(at: offset, width: 2, end: end))))
            case 0x07: append(String(Int32(truncatingIfNeeded: try integer(at: offset, width: 4, end: end))))
            case 0x08: append(String(UInt32(truncatingIfNeeded: try integer(at: offset, width: 4, end: end))))
            case 0x09: append(String(Int64(bitPattern: try integer(at: offset, width: 8, end: end))))
            case 0x0A: append(String(try integer(at: offset, width: 8, end: end)))
            case 0x0B: append(try MySQLBinaryJSON.doubleText(Double(bitPattern: try integer(at: offset, width: 8, end: end))))
            case 0x0C:
                let (length, width) = try variableLength(at: offset, end: end)
                try quoted(try slice(at: offset + width, count: length, end: end))
            case 0x0F: try opaque(at: offset, end: end)
            default:
                throw MySQLBinaryJSON.corrupt("unknown value type 0x\(String(type, radix: 16)) at byte \(offset - 1)")
            }
        }

        /// An object or array: element count, size in bytes, key entries (objects),
        /// value entries, then keys and values at offsets from `start`.
        private mutating func container(at start: Int, end: Int, large: Bool, isObject: Bool, depth: Int) throws {
            guard depth < MySQLBinaryJSON.maximumDepth else {
                throw MySQLBinaryJSON.corrupt("nested deeper than \(MySQLBinaryJSON.maximumDepth) levels")
            }
            let width = large ? 4 : 2
            let count = Int(try integer(at: start, width: width, end: end))
            let size = Int(try integer(at: start + width, width: width, end: end))
            guard size <= end - start else {
                throw MySQLBinaryJSON.corrupt("a container of \(size) bytes at byte \(start) runs past its end (\(end - start) bytes left)")
            }
            let keyEntrySize = width + 2, valueEntrySize = 1 + width
            let keyEntries = start + 2 * width
            let valueEntries = keyEntries + (isObject ? count * keyEntrySize : 0)
            let headerSize = valueEntries + count * valueEntrySize - start
            guard headerSize <= size else {
                throw MySQLBinaryJSON.corrupt("a container at byte \(start) claims \(count) entries but has \(size) bytes")
            }
            let containerEnd = start + size
            append(isObject ? "{" : "[")
            for index in 0..<count {
                if index > 0 { append(", ") }
                if isObject {
                    let entry = keyEntries + index * keyEntrySize
                    let keyOffset = Int(try integer(at: entry, width: width, end: containerEnd))
                    let keyLength = Int(try integer(at: entry + width, width: 2, end: containerEnd))
                    guard keyOffset >= headerSize, keyOffset + keyLength <= size else {
                        throw MySQLBinaryJSON.corrupt("key \(index) of the object at byte \(start) lies outside it (offset \(keyOffset), \(keyLength) bytes)")
                    }
                    try quoted(document[start + keyOffset..<start + keyOffset + keyLength])
                    append(": ")
                }
                let entry = valueEntries + index * valueEntrySize
                let type = document[entry]
                if Self.isInlined(type, large: large) {
                    try value(type: type, at: entry + 1, end: entry + valueEntrySize, depth: depth + 1)
                } else {
                    let valueOffset = Int(try integer(at: entry + 1, width: width, end: containerEnd))
                    guard valueOffset >= headerSize, valueOffset < size else {
                        throw MySQLBinaryJSON.corrupt("value \(index) of the container at byte \(start) lies outside it (offset \(valueOffset) of \(size))")
                    }
                    try value(type: type, at: start + valueOffset, end: containerEnd, depth: depth + 1)
                }
            }
            append(isObject ? "}" : "]")
        }

        /// Literals and 16-bit integers always sit in the value entry; 32-bit ones only in large containers.
        static func isInlined(_ type: UInt8, large: Bool) -> Bool {
            switch type {
            case 0x04, 0x05, 0x06: return true
            case 0x07, 0x08: return large
            default: return false
            }
        }

        /// A little-endian unsigned integer of `width` bytes that must end by `end`.
        func integer(at offset: Int, width: Int, end: Int) throws -> UInt64 {
            guard offset >= 0, offset + width <= min(end, document.count) else {
                throw MySQLBinaryJSON.corrupt("\(width) bytes needed at byte \(offset), the value ends at \(min(end, document.count))")
            }
            return document[offset..<offset + width].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        }

        /// `count` bytes at `offset` that must end by `end`.
        func slice(at offset: Int, count: Int, end: Int) throws -> ArraySlice<UInt8> {
            guard offset >= 0, count >= 0, offset + count <= min(end, document.count) else {
                throw MySQLBinaryJSON.corrupt("\(count) bytes needed at byte \(offset), the value ends at \(min(end, document.count))")
            }
            return document[offset..<offset + count]
        }

        /// A length of 1–5 bytes, 7 bits each, low bits first, the high bit set on all but the last;
        /// returns the length and how many bytes it took. At most 32 bits, as in `read_variable_length`.
        func variableLength(at offset: Int, end: Int) throws -> (length: Int, width: Int) {
            var length: UInt64 = 0
            for index in 0..<5 {
                let byte = try integer(at: offset + index, width: 1, end: end)
                length |= (byte & 0x7F) << UInt64(7 * index)
                if byte & 0x80 == 0 {
                    guard length <= UInt64(UInt32.max) else { break }
                    return (Int(length), index + 1)
                }
            }
            throw MySQLBinaryJSON.corrupt("invalid variable-length length at byte \(offset)")
        }

        /// A string as `double_quote` prints it; it must be UTF-8 (utf8mb4 is all MySQL stores).
        mutating func quoted(_ bytes: ArraySlice<UInt8>) throws {
            guard String(decoding: bytes, as: UTF8.self).utf8.elementsEqual(bytes) else {
                throw MySQLBinaryJSON.corrupt("a string or key is not valid UTF-8")
            }
            output.append(UInt8(ascii: "\""))
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): output += [UInt8(ascii: "\\"), byte]
                case 0x08: append("\\b")
                case 0x09: append("\\t")
                case 0x0A: append("\\n")
                case 0x0C: append("\\f")
                case 0x0D: append("\\r")
                case 0x00..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    append("\\u00")
                    output += [hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
                default: output.append(byte)
                }
            }
            output.append(UInt8(ascii: "\""))
        }

        mutating func append(_ text: String) {
            output += text.utf8
        }
    }
}
