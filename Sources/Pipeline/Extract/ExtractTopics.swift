/// The topic names of one extract: `<prefix>.<table>` for data,
/// `<prefix>._schemas` and `<prefix>._offsets` for Sluice's own state.
public struct ExtractTopics: Sendable, Hashable {
    public var prefix: String

    public init(prefix: String) { self.prefix = prefix }

    public func table(_ name: String) -> String { "\(prefix).\(name)" }
    public var schemas: String { "\(prefix)._schemas" }
    public var offsets: String { "\(prefix)._offsets" }
    /// The key under which extract's checkpoint is stored in `offsets`.
    public static let checkpointKey = Array("extract".utf8)
}
