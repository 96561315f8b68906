/// Decodes the row images of WRITE/UPDATE/DELETE_ROWS events from their raw
/// bytes, using the column types and metadata of the TABLE_MAP event (the
/// MySQL/MariaDB row-based replication format).
///
/// Sluice decodes rows itself because Connector/C 3.3's
/// `mariadb_rpl_extract_rows` fails on CHAR, BINARY, ENUM and SET columns and
/// on tables without type metadata, and mis-decodes some negative DECIMALs
/// and fractional negative TIMEs (see the README's notes on CDC).
struct BinlogRowDecoder {
    let columns: [BinlogTableMap.Column]

    /// A decoder for the columns a TABLE_MAP event describes.
    init(map: BinlogTableMap) {
        columns = map.columns
    }

    /// Decodes the rows of an event: each row has a null bitmap over the
    /// present columns, then the values of the present, non-null ones. For
    /// updates, rows alternate before-image (`present`) and after-image
    /// (`presentAfter`). Absent columns decode as `nil`.
    func decodeRows(_ data: UnsafeRawBufferPointer, present: [Bool], presentAfter: [Bool]?) throws -> [[BinlogValue?]] {
        var reader = ByteReader(data)
        var rows: [[BinlogValue?]] = []
        var after = false
        while !reader.isAtEnd {
            let mask = (after ? presentAfter : nil) ?? present
            rows.append(try decodeRow(&reader, present: mask))
            if presentAfter != nil { after.toggle() }
        }
        return rows
    }

    private func decodeRow(_ reader: inout ByteReader, present: [Bool]) throws -> [BinlogValue?] {
        let presentCount = present.filter { $0 }.count
        let nulls = try reader.bytes((presentCount + 7) / 8)
        var values: [BinlogValue?] = Array(repeating: nil, count: columns.count)
        var presentIndex = 0
        for (index, column) in columns.enumerated() where index < present.count && present[index] {
            defer { presentIndex += 1 }
            if nulls[presentIndex / 8] & (1 << (presentIndex % 8)) != 0 {
                values[index] = .null
                continue
            }
            values[index] = try decodeValue(column, &reader)
        }
        return values
    }

    private func decodeValue(_ column: BinlogTableMap.Column, _ reader: inout ByteReader) throws -> BinlogValue {
        switch column.type {
        case 1: return .unsigned(try reader.littleEndian(1))                 // TINY
        case 2: return .unsigned(try reader.littleEndian(2))                 // SHORT
        case 9: return .unsigned(try reader.littleEndian(3))                 // INT24
        case 3: return .unsigned(try reader.littleEndian(4))                 // LONG
        case 8: return .unsigned(try reader.littleEndian(8))                 // LONGLONG
        case 13:                                                             // YEAR
            let year = try reader.littleEndian(1)
            return .unsigned(year == 0 ? 0 : year + 1900)
        case 4: return .float(Float(bitPattern: UInt32(try reader.littleEndian(4))))
        case 5: return .double(Double(bitPattern: try reader.littleEndian(8)))
        case 246: return .bytes(Array(try decodeDecimal(&reader, precision: Int(column.meta >> 8), scale: Int(column.meta & 0xFF)).utf8))
        case 16:                                                             // BIT: bits % 8 (high), whole bytes (low)
            let length = Int(column.meta & 0xFF) + ((column.meta >> 8) > 0 ? 1 : 0)
            return .bytes(try reader.bytes(length))
        case 10, 14:                                                         // DATE, NEWDATE
            let packed = try reader.littleEndian(3)
            return .time(BinlogTime(year: UInt32(packed >> 9), month: UInt32((packed >> 5) & 15), day: UInt32(packed & 31),
                                    hour: 0, minute: 0, second: 0, microseconds: 0, negative: false))
        case 18: return .time(try decodeDatetime2(&reader, precision: Int(column.meta)))
        case 12:                                                             // DATETIME (old format): YYYYMMDDhhmmss
            let packed = try reader.littleEndian(8)
            let date = packed / 1_000_000, time = packed % 1_000_000
            return .time(BinlogTime(year: UInt32(date / 10000), month: UInt32(date / 100 % 100), day: UInt32(date % 100),
                                    hour: UInt32(time / 10000), minute: UInt32(time / 100 % 100), second: UInt32(time % 100),
                                    microseconds: 0, negative: false))
        case 17:                                                             // TIMESTAMP2: big-endian seconds + fraction
            let seconds = try reader.bigEndian(4)
            return .timestamp(seconds: UInt32(seconds), microseconds: UInt32(try fraction(&reader, precision: Int(column.meta))))
        case 7:                                                              // TIMESTAMP (old format)
            return .timestamp(seconds: UInt32(try reader.littleEndian(4)), microseconds: 0)
        case 19: return .time(try decodeTime2(&reader, precision: Int(column.meta)))
        case 11:                                                             // TIME (old format): signed HHMMSS
            var value = Int64(try reader.littleEndian(3))
            if value & 0x800000 != 0 { value -= 0x1000000 }
            let magnitude = UInt32(abs(value))
            return .time(BinlogTime(year: 0, month: 0, day: 0, hour: magnitude / 10000, minute: magnitude / 100 % 100,
                                    second: magnitude % 100, microseconds: 0, negative: value < 0))
        case 15, 253:                                                        // VARCHAR
            let length = Int(try reader.littleEndian(column.meta < 256 ? 1 : 2))
            return .bytes(try reader.bytes(length))
        case 252, 255, 249, 250, 251:                                        // BLOB, GEOMETRY
            let length = Int(try reader.littleEndian(Int(column.meta)))
            return .bytes(try reader.bytes(length))
        case 245:                                                            // JSON: only MySQL logs this type
            // MySQL's binary JSON, as a BLOB would be; decoded to the text a SELECT gives. MariaDB's
            // JSON is LONGTEXT (logged as 252) and its type list has no 245 (only `.frm` files use it).
            let length = Int(try reader.littleEndian(Int(column.meta)))
            return .bytes(Array(try MySQLBinaryJSON.text(try reader.bytes(length)).utf8))
        case 254, 247, 248:                                                  // STRING: CHAR/BINARY, or ENUM/SET inside
            var realType = column.meta >> 8
            var length = Int(column.meta & 0xFF)
            if realType & 0x30 != 0x30 {
                // CHAR longer than 255 bytes: two length bits are folded into the type byte.
                length |= Int((realType & 0x30) ^ 0x30) << 4
                realType |= 0x30
            }
            switch realType {
            case 247: return .unsigned(try reader.littleEndian(length))      // ENUM: 1-based index
            case 248: return .unsigned(try reader.littleEndian(length))      // SET: bitmask
            default:
                let size = Int(try reader.littleEndian(length < 256 ? 1 : 2))
                return .bytes(try reader.bytes(size))
            }
        default:
            throw BinlogRowDecoder.corrupt("column type \(column.type) is not supported in row events")
        }
    }

    /// MySQL's binary DECIMAL: groups of 9 digits in 4 bytes, big-endian, sign in the top bit.
    private func decodeDecimal(_ reader: inout ByteReader, precision: Int, scale: Int) throws -> String {
        let digitsToBytes = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4]
        let integerDigits = precision - scale
        let integerGroups = integerDigits / 9, integerLeading = integerDigits % 9
        let fractionGroups = scale / 9, fractionTrailing = scale % 9
        let size = integerGroups * 4 + digitsToBytes[integerLeading] + fractionGroups * 4 + digitsToBytes[fractionTrailing]
        var bytes = try reader.bytes(size)
        guard !bytes.isEmpty else { return "0" }
        let negative = bytes[0] & 0x80 == 0
        bytes[0] ^= 0x80
        if negative { bytes = bytes.map { $0 ^ 0xFF } }
        var offset = 0
        func group(_ count: Int) -> UInt64 {
            defer { offset += count }
            return bytes[offset..<offset + count].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        }
        var integer = ""
        if integerLeading > 0 { integer += String(group(digitsToBytes[integerLeading])) }
        for _ in 0..<integerGroups {
            let text = String(group(4))
            integer += integer.isEmpty ? text : String(repeating: "0", count: 9 - text.count) + text
        }
        integer = String(integer.drop { $0 == "0" })
        if integer.isEmpty { integer = "0" }
        var fraction = ""
        for _ in 0..<fractionGroups {
            let text = String(group(4))
            fraction += String(repeating: "0", count: 9 - text.count) + text
        }
        if fractionTrailing > 0 {
            let text = String(group(digitsToBytes[fractionTrailing]))
            fraction += String(repeating: "0", count: fractionTrailing - text.count) + text
        }
        let isZero = integer == "0" && fraction.allSatisfy { $0 == "0" }
        return (negative && !isZero ? "-" : "") + integer + (scale > 0 ? "." + fraction : "")
    }

    /// DATETIME2: 40 bits big-endian (year×13+month, day, hour, minute, second) plus a fraction.
    private func decodeDatetime2(_ reader: inout ByteReader, precision: Int) throws -> BinlogTime {
        let packed = Int64(try reader.bigEndian(5)) - 0x80_0000_0000
        let microseconds = try fraction(&reader, precision: precision)
        let yearMonthDay = packed >> 17, yearMonth = yearMonthDay >> 5, clock = packed & 0x1FFFF
        return BinlogTime(year: UInt32(yearMonth / 13), month: UInt32(yearMonth % 13), day: UInt32(yearMonthDay & 31),
                          hour: UInt32(clock >> 12), minute: UInt32((clock >> 6) & 63), second: UInt32(clock & 63),
                          microseconds: UInt(microseconds), negative: false)
    }

    /// TIME2: 24 bits big-endian plus a fraction, as one signed packed value.
    private func decodeTime2(_ reader: inout ByteReader, precision: Int) throws -> BinlogTime {
        var packed: Int64
        switch precision {
        case 1, 2:
            var integer = Int64(try reader.bigEndian(3)) - 0x80_0000
            var fraction = Int64(try reader.bigEndian(1))
            if integer < 0 && fraction != 0 { integer += 1; fraction -= 0x100 }
            packed = (integer << 24) + fraction * 10_000
        case 3, 4:
            var integer = Int64(try reader.bigEndian(3)) - 0x80_0000
            var fraction = Int64(try reader.bigEndian(2))
            if integer < 0 && fraction != 0 { integer += 1; fraction -= 0x10000 }
            packed = (integer << 24) + fraction * 100
        case 5, 6:
            packed = Int64(try reader.bigEndian(6)) - 0x8000_0000_0000
        default:
            packed = (Int64(try reader.bigEndian(3)) - 0x80_0000) << 24
        }
        let negative = packed < 0
        if negative { packed = -packed }
        let clock = packed >> 24
        return BinlogTime(year: 0, month: 0, day: 0, hour: UInt32((clock >> 12) % 1024), minute: UInt32((clock >> 6) % 64),
                          second: UInt32(clock % 64), microseconds: UInt(packed % (1 << 24)), negative: negative)
    }

    /// The fractional seconds of TIMESTAMP2/DATETIME2, in microseconds.
    private func fraction(_ reader: inout ByteReader, precision: Int) throws -> UInt64 {
        switch precision {
        case 1, 2: return try reader.bigEndian(1) * 10_000
        case 3, 4: return try reader.bigEndian(2) * 100
        case 5, 6: return try reader.bigEndian(3)
        default: return 0
        }
    }

    static func corrupt(_ reason: String) -> MySQLError {
        MySQLError(code: .queryFailed, message: "cannot decode a binlog row event: \(reason)")
    }
}
