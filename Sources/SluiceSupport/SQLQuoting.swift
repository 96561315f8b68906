/// Quoting for generated SQL, one rule per dialect, applied to Unicode
/// scalars: a quote character followed by a combining mark is one `Character`
/// in Swift but still a quote to the server, so it must be doubled like any other.
public enum SQLQuoting {
    /// `text` between `quote`s, every `quote` inside doubled (PostgreSQL/Redshift identifiers and
    /// literals, MySQL backtick identifiers).
    public static func doubled(_ text: String, in quote: Unicode.Scalar) -> String {
        var result = String.UnicodeScalarView()
        result.append(quote)
        for scalar in text.unicodeScalars {
            result.append(scalar)
            if scalar == quote { result.append(scalar) }
        }
        result.append(quote)
        return String(result)
    }

    /// The inside of a MySQL string literal: `'` doubled, backslash and NUL escaped (MySQL
    /// reads backslash escapes in literals unless NO_BACKSLASH_ESCAPES is set).
    public static func mysqlLiteralBody(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "'": result.append(contentsOf: "''".unicodeScalars)
            case "\\": result.append(contentsOf: "\\\\".unicodeScalars)
            case "\0": result.append(contentsOf: "\\0".unicodeScalars)
            default: result.append(scalar)
            }
        }
        return String(result)
    }
}
