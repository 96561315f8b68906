/// DECIMAL values in Parquet: an unscaled integer stored as INT32
/// (precision ≤ 9), INT64 (≤ 18) or a big-endian two's-complement
/// FIXED_LEN_BYTE_ARRAY (≤ 38). Conversions to and from decimal text are exact.
public enum ParquetDecimal {
    /// The physical column for a DECIMAL(precision, scale).
    public static func column(name: String, precision: Int, scale: Int, nullable: Bool = true) -> ParquetColumn {
        let logical = ParquetLogicalType.decimal(precision: precision, scale: scale)
        if precision <= 9 { return ParquetColumn(name: name, physicalType: .int32, logicalType: logical, nullable: nullable) }
        if precision <= 18 { return ParquetColumn(name: name, physicalType: .int64, logicalType: logical, nullable: nullable) }
        return ParquetColumn(name: name, physicalType: .fixedLenByteArray, logicalType: logical, nullable: nullable,
                             typeLength: byteLength(precision: precision))
    }

    /// Fewest bytes whose two's complement holds every number of `precision` digits.
    public static func byteLength(precision: Int) -> Int {
        var length = 1
        var limit = Int128(1) << 7   // 2^(8·length − 1)
        var largest = Int128(1)
        for _ in 0..<precision { largest *= 10 }
        while largest - 1 >= limit {
            length += 1
            limit <<= 8
        }
        return length
    }

    /// `"-12.5"` at scale 2 → -1250. Throws on text that is not a decimal number or has more decimals than `scale`.
    public static func unscaled(_ text: String, scale: Int) throws -> Int128 {
        var body = Substring(text)
        var negative = false
        if body.first == "-" { negative = true; body = body.dropFirst() } else if body.first == "+" { body = body.dropFirst() }
        let parts = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let integer = parts[0], fraction = parts.count > 1 ? parts[1] : ""
        guard !(integer.isEmpty && fraction.isEmpty), (integer + fraction).allSatisfy(\.isASCII),
              (integer + fraction).allSatisfy(\.isNumber), fraction.count <= scale || fraction.dropFirst(scale).allSatisfy({ $0 == "0" }) else {
            throw ParquetError.invalidInput("\(text) is not a decimal with at most \(scale) decimals")
        }
        let digits = integer + fraction.prefix(scale) + String(repeating: "0", count: max(0, scale - fraction.count))
        var value = Int128(0)
        for digit in digits {
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int128(digit.wholeNumberValue!))
            if overflow1 || overflow2 { throw ParquetError.invalidInput("\(text) is too large for DECIMAL") }
            value = sum
        }
        return negative ? -value : value
    }

    /// -1250 at scale 2 → `"-12.50"`.
    public static func text(_ unscaled: Int128, scale: Int) -> String {
        let negative = unscaled < 0
        var digits = String(negative ? (0 - unscaled).magnitude : unscaled.magnitude)
        if scale > 0 {
            if digits.count <= scale { digits = String(repeating: "0", count: scale - digits.count + 1) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -scale))
        }
        return (negative ? "-" : "") + digits
    }

    /// Big-endian two's complement in `length` bytes.
    public static func bytes(_ value: Int128, length: Int) -> [UInt8] {
        (0..<length).reversed().map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    /// Reads big-endian two's complement.
    public static func unscaled(bytes: [UInt8]) -> Int128 {
        guard let first = bytes.first else { return 0 }
        var value: Int128 = first & 0x80 != 0 ? -1 : 0
        for byte in bytes { value = (value << 8) | Int128(byte) }
        return value
    }
}
