/// The topic names of one extract: `<prefix>.<table>` for data,
/// `<prefix>._schemas`, `<prefix>._offsets` and `<prefix>._dead_letters` for Sluice's own.
///
/// Kafka topic names allow only ASCII letters, digits, `.`, `_` and `-`, while
/// MySQL names may hold spaces and any Unicode: every other byte of the UTF-8
/// name is written `-hh` (hex), and `-` itself `--`, so two names never share a
/// topic (`order lines` → `order-20lines`, `café` → `caf-c3-a9`). In a table's name
/// `.` is written `-2e` too (Kafka takes `a.b` and `a_b` for one topic in its metrics
/// and refuses the second), and so is a leading `_` (`-5f`): `_schemas` → `-5fschemas`,
/// so no table reaches Sluice's own topics, whose names all start with `_`.
public struct ExtractTopics: Sendable, Hashable {
    /// The prefix as given (the connector name in events).
    public var prefix: String
    /// The prefix as it appears in topic names.
    public var topicPrefix: String { Self.topicName(prefix) }

    public init(prefix: String) { self.prefix = prefix }

    public func table(_ name: String) -> String { "\(topicPrefix).\(Self.topicName(name, table: true))" }
    public var schemas: String { "\(topicPrefix)._schemas" }
    public var offsets: String { "\(topicPrefix)._offsets" }
    /// Requests to a running extract (`sluice snapshot`), one partition, read in order.
    public var signals: String { "\(topicPrefix)._signals" }
    /// Messages land could not read as change events, with headers saying why and where from.
    public var deadLetters: String { "\(topicPrefix)._dead_letters" }
    /// The key under which extract's checkpoint is stored in `offsets`.
    public static let checkpointKey = Array("extract".utf8)

    /// A name in the characters topic names allow (see the type's description); a `table` name
    /// also has its `.` and a leading `_` written in hex.
    public static func topicName(_ name: String, table: Bool = false) -> String {
        var result = ""
        for (index, byte) in name.utf8.enumerated() {
            switch byte {
            case UInt8(ascii: ".") where table, UInt8(ascii: "_") where table && index == 0:
                result += "-" + String(byte, radix: 16)
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "_"), UInt8(ascii: "."):
                result.append(Character(Unicode.Scalar(byte)))
            case UInt8(ascii: "-"):
                result += "--"
            default:
                let hex = String(byte, radix: 16)
                result += "-" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return result
    }
}
