/// A JSON value that keeps numbers as their exact text, so DECIMAL and
/// 64-bit integers survive a round trip (Foundation's parser turns them into Doubles).
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// The number exactly as written, e.g. `18446744073709551615` or `-12.50`.
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in document order.
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.number(a), .number(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)): return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let value): hasher.combine(value)
        case .number(let text), .string(let text): hasher.combine(text)
        case .array(let values): hasher.combine(values)
        case .object(let members): for (key, value) in members { hasher.combine(key); hasher.combine(value) }
        }
    }

    /// The member with this name, for objects.
    public subscript(_ key: String) -> JSONValue? {
        if case .object(let members) = self { return members.first { $0.0 == key }?.1 }
        return nil
    }

    public var stringValue: String? { if case .string(let text) = self { return text } else { return nil } }
    public var numberText: String? { if case .number(let text) = self { return text } else { return nil } }
    public var isNull: Bool { if case .null = self { return true } else { return false } }
    /// A number or numeric string as an integer.
    public var intValue: Int64? {
        switch self {
        case .number(let text), .string(let text): return Int64(text)
        default: return nil
        }
    }
    public var objectMembers: [(String, JSONValue)]? { if case .object(let members) = self { return members } else { return nil } }
    public var arrayValue: [JSONValue]? { if case .array(let values) = self { return values } else { return nil } }

    /// Serialises compactly (members in their order).
    public var serialized: [UInt8] {
        var writer = JSONWriter()
        writer.value(self)
        return writer.bytes
    }
}
