import Crypto
import Kafka
import SluiceSupport

/// A change event too large for one Kafka message (a broker's `message.max.bytes` is 1 MB by
/// default, and an UPDATE carries two images): extract stores the event in the lake bucket and
/// sends this reference in its place, with the same key and the `sluice-claim` header; land reads
/// the stored event back and checks its length and SHA-256 before landing it.
///
/// Objects live under `_claims/<topic>/<sha256>`, outside every lake root, named by their content,
/// so a retried upload rewrites the same bytes.
public struct ClaimCheck: Equatable, Sendable {
    /// The header that marks a message as a claim check.
    public static let header = "sluice-claim"
    /// Events up to this many bytes travel in the message itself.
    public static let defaultThreshold = 900_000

    /// Message keys up to this many bytes are sent as they are; a longer one (a keyless table's
    /// whole row) is sent as `{"sha256":"…"}` of it, which is as deterministic, so identical rows
    /// still share a partition.
    public static let maxKeyBytes = 4_096

    /// `key`, or its digest when it is longer than `maxKeyBytes`.
    public static func messageKey(_ key: [UInt8]?) -> [UInt8]? {
        guard let key, key.count > maxKeyBytes else { return key }
        return JSONValue.object([("sha256", .string(lowerHex(SHA256.hash(data: key))))]).serialized
    }

    public var objectKey: String
    public var bytes: Int
    public var sha256: String

    /// The reference for `value`, sent to `topic`.
    public init(value: [UInt8], topic: String) {
        sha256 = lowerHex(SHA256.hash(data: value))
        bytes = value.count
        objectKey = "_claims/\(topic)/\(sha256)"
    }

    /// Whether `message` is a claim check (rather than an event).
    public static func marks(_ message: KafkaMessage) -> Bool {
        message.headers.contains { $0.name == Self.header }
    }

    /// The reference a claim check's value holds, or `nil` when it holds none Sluice can read.
    public init?(messageValue value: [UInt8]) {
        guard let json = try? JSONValue.parse(value), let key = json["object"]?.stringValue,
              let bytes = json["bytes"]?.intValue, let sha256 = json["sha256"]?.stringValue else { return nil }
        objectKey = key
        self.bytes = Int(bytes)
        self.sha256 = sha256
    }

    /// The message value that stands for the stored event.
    public var messageValue: [UInt8] {
        JSONValue.object([("object", .string(objectKey)), ("bytes", .number(String(bytes))), ("sha256", .string(sha256))]).serialized
    }

    /// The message headers that mark it.
    public var messageHeaders: [(name: String, value: [UInt8])] { [(Self.header, Array("1".utf8))] }

    /// Whether `body` is the event this claim check stands for.
    public func holds(_ body: [UInt8]) -> Bool {
        body.count == bytes && lowerHex(SHA256.hash(data: body)) == sha256
    }
}
