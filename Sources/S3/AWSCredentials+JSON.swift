import Foundation
import SluiceSupport

extension AWSCredentials {
    /// Reads the JSON credential document shared by the ECS and EC2 metadata
    /// endpoints and `credential_process`: `AccessKeyId`, `SecretAccessKey`,
    /// `Token` or `SessionToken`, `Expiration` (ISO 8601). An empty token
    /// counts as none. Error texts never quote the document (it holds the secret).
    static func fromJSON(_ data: Data) throws -> AWSCredentials {
        guard let document = try? JSONValue.parse(Array(data)), document.objectMembers != nil else {
            throw CredentialDocumentError("the answer is not a JSON object")
        }
        guard let accessKey = document["AccessKeyId"]?.stringValue, !accessKey.isEmpty else {
            throw CredentialDocumentError("the answer has no AccessKeyId")
        }
        guard let secret = document["SecretAccessKey"]?.stringValue, !secret.isEmpty else {
            throw CredentialDocumentError("the answer has no SecretAccessKey")
        }
        let token = document["Token"]?.stringValue ?? document["SessionToken"]?.stringValue
        var expiration: Date?
        if let text = document["Expiration"]?.stringValue {
            guard let date = parseAWSTimestamp(text) else {
                throw CredentialDocumentError("the Expiration \(text) is not an ISO 8601 time")
            }
            expiration = date
        }
        return AWSCredentials(accessKeyID: accessKey, secretAccessKey: Secret(secret),
                              sessionToken: token.flatMap { $0.isEmpty ? nil : Secret($0) }, expiration: expiration)
    }
}

/// Why a credential document could not be read (never containing the document).
struct CredentialDocumentError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// An ISO 8601 time as AWS writes them: `2024-05-01T12:00:00Z`, with or
/// without fractional seconds, `Z` or a `+hh:mm` offset.
func parseAWSTimestamp(_ text: String) -> Date? {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    if let date = formatter.date(from: text) { return date }
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.date(from: text)
}
