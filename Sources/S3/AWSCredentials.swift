import Foundation
import SluiceSupport

/// An access key pair for SigV4 signing. The secret and the session token
/// print masked.
public struct AWSCredentials: Sendable {
    public var accessKeyID: String
    public var secretAccessKey: Secret
    /// For temporary credentials (`AWS_SESSION_TOKEN`), else `nil`.
    public var sessionToken: Secret?
    /// When temporary credentials stop working; `nil` for keys that do not expire.
    public var expiration: Date?

    public init(accessKeyID: String, secretAccessKey: Secret, sessionToken: Secret? = nil, expiration: Date? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }
}
