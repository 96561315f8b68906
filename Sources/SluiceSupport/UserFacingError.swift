/// An error a person reads: every library error in Sluice conforms, so the CLI
/// can print one line that names what went wrong and what to do about it.
public protocol UserFacingError: Error, CustomStringConvertible {
    /// One line, no secrets: what failed and, where known, what to do.
    var summary: String { get }
}

extension UserFacingError {
    public var description: String { summary }
}

/// The one-line text for any error: `summary` when the error knows how to
/// explain itself, otherwise its description on a single line.
public func oneLine(_ error: any Error) -> String {
    let text = (error as? any UserFacingError)?.summary ?? String(describing: error)
    return text.split(whereSeparator: \.isNewline).joined(separator: " ")
}
