import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A parsed XML element: enough of the DOM to read S3's small responses.
struct XMLElementTree {
    var name: String
    var text: String = ""
    var children: [XMLElementTree] = []

    /// The first child with this (local) name.
    func child(_ name: String) -> XMLElementTree? { children.first { $0.name == name } }

    /// All children with this (local) name.
    func all(_ name: String) -> [XMLElementTree] { children.filter { $0.name == name } }

    /// The text of the first child with this name.
    func text(_ name: String) -> String? { child(name)?.text }

    /// Parses a document; `nil` if it is not well-formed XML.
    static func parse(_ data: Data) -> XMLElementTree? {
        let builder = Builder()
        let parser = XMLParser(data: data)
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else { return nil }
        return root
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var stack: [XMLElementTree] = []
        var root: XMLElementTree?

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
            stack.append(XMLElementTree(name: local))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if !stack.isEmpty { stack[stack.count - 1].text += string }
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                    qualifiedName: String?) {
            guard var element = stack.popLast() else { return }
            if !element.children.isEmpty { element.text = element.text.trimmingCharacters(in: .whitespacesAndNewlines) }
            if stack.isEmpty { root = element } else { stack[stack.count - 1].children.append(element) }
        }
    }
}

/// Escapes text for an XML element body.
func xmlEscape(_ text: String) -> String {
    var escaped = ""
    for character in text {
        switch character {
        case "&": escaped += "&amp;"
        case "<": escaped += "&lt;"
        case ">": escaped += "&gt;"
        case "\"": escaped += "&quot;"
        case "'": escaped += "&apos;"
        default: escaped.append(character)
        }
    }
    return escaped
}
