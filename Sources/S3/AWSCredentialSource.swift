/// Where an `S3Client` gets the credentials it signs each request with.
public enum AWSCredentialSource: Sendable {
    /// Keys that never change; the text says where they came from (for `sluice doctor`).
    case fixed(AWSCredentials, description: String)
    /// A provider chain, which caches temporary credentials and refreshes them before they expire.
    case chain(AWSCredentialChain)

    /// The credentials to sign with now.
    public func credentials() async throws -> AWSCredentials {
        switch self {
        case .fixed(let credentials, _): return credentials
        case .chain(let chain): return try await chain.credentials()
        }
    }

    /// Where the credentials come from, never a secret (a chain fetches them first if needed).
    public func describe() async throws -> String {
        switch self {
        case .fixed(_, let description): return description
        case .chain(let chain): return try await chain.source()
        }
    }

    /// Makes the next request fetch new credentials (after the server said they expired).
    func invalidate() async {
        if case .chain(let chain) = self { await chain.invalidate() }
    }
}
