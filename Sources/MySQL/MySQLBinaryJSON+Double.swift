/// Doubles inside binary JSON, printed as MySQL prints them: `wrapper_to_string`
/// (`sql-common/json_dom.cc`) calls `my_gcvt(d, MY_GCVT_ARG_DOUBLE,
/// MY_GCVT_MAX_FIELD_WIDTH)` (`strings/dtoa.cc`) and appends `.0` when the result
/// has neither a `.` nor an `e`, so a double never reads back as an integer.
///
/// With that field width (34: `DBL_DIG + 4 + max(5, MAX_DECPT_FOR_F_FORMAT)`)
/// `dtoa` returns the shortest digits that read back as the same double, and
/// `my_gcvt` picks the fixed format exactly when the decimal point position
/// `decpt` (value = 0.d₁d₂… × 10^decpt) satisfies `-14 ≤ decpt ≤ 15`, or
/// `decpt < digits` (an integer part of more than 15 digits that still has a
/// fraction); otherwise the exponent format `d.ddde[-]N`, without `+` or leading
/// zeros in the exponent. So `1.5`, `3.0`, `100.0`, `0.00001`, `1e15`, `1e300`,
/// `1.5e-7`… `1e-16`.
extension MySQLBinaryJSON {
    static func doubleText(_ value: Double) throws -> String {
        guard value.isFinite else { throw corrupt("a double is \(value), which JSON cannot hold") }
        let (digits, decimalPoint) = shortestDigits(value.magnitude)
        let count = digits.count
        var text = value.sign == .minus ? "-" : ""
        if decimalPoint >= -14 && (decimalPoint <= 15 || count > decimalPoint) {
            if decimalPoint <= 0 {
                text += "0." + String(repeating: "0", count: -decimalPoint) + digits
            } else if decimalPoint < count {
                text += String(digits.prefix(decimalPoint)) + "." + String(digits.dropFirst(decimalPoint))
            } else {
                text += digits + String(repeating: "0", count: decimalPoint - count)
            }
        } else {
            let exponent = decimalPoint - 1
            text += String(digits.prefix(1)) + (count > 1 ? "." + String(digits.dropFirst()) : "")
            text += "e" + (exponent < 0 ? "-" : "") + String(exponent.magnitude)
        }
        if !text.contains(".") && !text.contains("e") { text += ".0" }
        return text
    }

    /// The shortest decimal digits that read back as `value` (≥ 0), without leading
    /// or trailing zeros, and where the decimal point goes: `value = 0.digits × 10^decimalPoint`.
    /// Zero is `("0", 1)`, as `dtoa` returns it. Swift's `description` already gives
    /// the shortest round-trip digits; this only takes its layout apart.
    static func shortestDigits(_ value: Double) -> (digits: String, decimalPoint: Int) {
        let parts = value.description.lowercased().split(separator: "e", maxSplits: 1)
        let exponent = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        let mantissa = parts[0].split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let integer = mantissa[0], fraction = mantissa.count > 1 ? mantissa[1] : ""
        var digits = Substring(integer + fraction)
        var decimalPoint = integer.count + exponent
        while digits.first == "0" {
            digits.removeFirst()
            decimalPoint -= 1
        }
        while digits.last == "0" { digits.removeLast() }
        return digits.isEmpty ? ("0", 1) : (String(digits), decimalPoint)
    }
}
