/// A value that must never be printed: `description` masks it, so passing a
/// `Secret` to a log line or an error message cannot leak it.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The real value, for the one place that needs it (a login, a signature).
    public let value: String

    public init(_ value: String) { self.value = value }

    public var description: String { Secret.mask(value) }
    public var debugDescription: String { description }

    /// `****` followed by nothing: the length of a secret is a secret too.
    /// An empty value shows as `(empty)` so a missing password is visible.
    public static func mask(_ value: String) -> String {
        value.isEmpty ? "(empty)" : "****"
    }
}
