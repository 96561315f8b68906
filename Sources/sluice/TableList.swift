import Foundation

/// Parses a `--tables a,b,c` value: names split at commas, spaces trimmed.
func tableList(_ option: String?) -> [String]? {
    option?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
}
