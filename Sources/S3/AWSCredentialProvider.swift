/// One place AWS credentials can come from (static keys, a web identity
/// token, a profile, the ECS or EC2 metadata endpoints).
public protocol AWSCredentialProvider: Sendable {
    /// Fetches credentials. Returns `.notConfigured` when this source does not
    /// apply here, so a chain goes on to the next one; throws an `S3Error`
    /// when it applies but fails.
    func load() async throws -> AWSCredentialLookup
}

/// What a provider found.
public enum AWSCredentialLookup: Sendable {
    /// Credentials, and where they came from in words with no secret in them,
    /// e.g. `web identity (role arn:aws:iam::123456789012:role/x)`.
    case found(AWSCredentials, source: String)
    /// This source is not set up here; the text says what was looked for,
    /// e.g. `web identity: AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN not set`.
    case notConfigured(String)
}

/// Keys given directly (configuration flags, the environment, `.env`, the stack file).
public struct StaticCredentialProvider: AWSCredentialProvider {
    public let credentials: AWSCredentials?
    public let source: String

    /// `nil` credentials make the provider report itself as not configured.
    public init(_ credentials: AWSCredentials?, source: String = "static keys") {
        self.credentials = credentials
        self.source = source
    }

    public func load() async throws -> AWSCredentialLookup {
        guard let credentials else {
            return .notConfigured("static keys: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY not set")
        }
        return .found(credentials, source: source)
    }
}
