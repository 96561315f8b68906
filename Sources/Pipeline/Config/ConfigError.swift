import SluiceSupport

/// A configuration value is missing or malformed.
public struct ConfigError: UserFacingError, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var summary: String { "config: \(message)" }
}
