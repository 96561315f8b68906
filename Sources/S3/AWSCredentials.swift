import SluiceSupport

/// An access key pair for SigV4 signing. The secret and the session token
/// print masked.
public struct AWSCredentials: Sendable {
    public var accessKeyID: String
    public var secretAccessKey: Secret
    /// For temporary credentials (`AWS_SESSION_TOKEN`), else `nil`.
    public var sessionToken: Secret?

    public init(accessKeyID: String, secretAccessKey: Secret, sessionToken: Secret? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }
}
