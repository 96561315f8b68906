import Foundation

/// Secrets read from files (`MYSQL_PASSWORD_FILE` and the like, as Docker and Kubernetes mount
/// them), and the check that a file holding secrets is not readable by other users.
public enum SecretFile {
    /// The file's contents without the trailing line break(s) editors and `echo` add.
    static func read(_ path: String, variable: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError("\(variable)=\(path): the file cannot be read; point \(variable) at a readable file holding only the secret")
        }
        var text = String(decoding: data, as: UTF8.self)
        while let last = text.last, last.isNewline { text.removeLast() }
        return text
    }

    /// A warning when `path` holds secrets and other users may read it (mode `o+r`). Not for
    /// `/run/secrets/…`: compose and swarm mount secrets there for containers of several users,
    /// and inside the container nobody else runs.
    static func exposureWarning(_ path: String, holding what: String) -> String? {
        guard !path.hasPrefix("/run/secrets/"), let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue, mode & 0o004 != 0 else { return nil }
        return "\(path) holds \(what) and other users can read it; run chmod 600 \(path)"
    }
}
