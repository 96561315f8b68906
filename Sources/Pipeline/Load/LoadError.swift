/// A load failure a person can act on, as one line.
public struct LoadError: UserFacingError, Sendable {
    public var message: String
    public var summary: String { "load: \(message)" }
}
