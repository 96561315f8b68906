import Foundation
import Yams

/// A model file's text and YAML tree, for problems that name `file:line`.
struct ModelSource: Sendable {
    /// One step into the tree: a mapping key or a sequence index.
    enum Step: Sendable, CustomStringConvertible {
        case key(String)
        case index(Int)
        var description: String {
            switch self {
            case .key(let key): return key
            case .index(let index): return "[\(index)]"
            }
        }
    }

    let path: String
    /// The line of every node, by its steps (`Step` descriptions joined with `/`).
    private var lines: [String: Int] = [:]
    /// Every mapping: where it is, its path pattern (indexes written `[]`) and its keys.
    private var mappings: [(steps: [Step], pattern: String, keys: [String])] = []

    init(path: String, text: String) throws {
        self.path = path
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ModelError([Self.problem(error, path: path)])
        }
        if let root { record(root, [], pattern: "") }
    }

    private mutating func record(_ node: Node, _ steps: [Step], pattern: String) {
        if let line = node.mark?.line { lines[Self.key(steps)] = line }
        if let mapping = node.mapping {
            let keys = mapping.compactMap { $0.key.string }
            mappings.append((steps, pattern, keys))
            for (key, value) in mapping {
                guard let name = key.string else { continue }
                record(value, steps + [.key(name)], pattern: pattern.isEmpty ? name : "\(pattern).\(name)")
                // A key's line, not its value's (a list or block starts on the next line).
                if let line = key.mark?.line { lines[Self.key(steps + [.key(name)])] = line }
            }
        } else if let sequence = node.sequence {
            for (index, element) in sequence.enumerated() { record(element, steps + [.index(index)], pattern: pattern + "[]") }
        }
    }

    private static func key(_ steps: [Step]) -> String { steps.map(\.description).joined(separator: "/") }

    /// `file:line` of the node at `steps` (or of its nearest ancestor that exists).
    func location(_ steps: [Step]) -> String {
        var prefix = steps
        while !prefix.isEmpty, lines[Self.key(prefix)] == nil { prefix.removeLast() }
        return "\(path):\(lines[Self.key(prefix)] ?? 1)"
    }

    /// The steps of a decoding error's coding path.
    static func steps(_ codingPath: [any CodingKey]) -> [Step] {
        codingPath.map { key in key.intValue.map(Step.index) ?? .key(key.stringValue) }
    }

    /// Mapping keys that no field reads (typos are otherwise ignored): `allowed` names, by the
    /// path pattern of a mapping, the keys it may have.
    func unknownKeys(allowed: [String: Set<String>]) -> [String] {
        mappings.flatMap { mapping -> [String] in
            guard let known = allowed[mapping.pattern] else { return [] }
            return mapping.keys.filter { !known.contains($0) }.map { name in
                "\(location(mapping.steps + [.key(name)])): unknown key \(name) in \(mapping.pattern.isEmpty ? "the model" : mapping.pattern) (known: \(known.sorted().joined(separator: ", ")))"
            }
        }
    }

    /// A YAML syntax error as one problem line.
    static func problem(_ error: YamlError, path: String) -> String {
        "\(path):\(line(of: error) ?? 1): not valid YAML: \(reason(error))"
    }

    static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        default: return nil
        }
    }

    static func reason(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): return problem
        default: return String(describing: error).split(separator: "\n").first.map(String.init) ?? "unreadable"
        }
    }
}

/// Everything wrong with a model file, one line each (`file:line: what`).
public struct ModelError: UserFacingError, Sendable {
    public var problems: [String]
    public init(_ problems: [String]) { self.problems = problems }
    public var summary: String {
        let more = problems.count > 1 ? " (and \(problems.count - 1) more: sluice model check lists them)" : ""
        return "model: \(problems.first ?? "invalid")\(more)"
    }
}
