import SluiceSupport

extension S3Client {
    /// Where the object store is and how to talk to it.
    public struct Configuration: Sendable {
        /// How bucket names go into URLs.
        public enum Addressing: Sendable {
            /// `https://endpoint/bucket/key`: MinIO, SeaweedFS and most S3-compatible stores.
            case path
            /// `https://bucket.endpoint/key`: AWS's default.
            case virtualHost
        }

        /// Base URL such as `http://127.0.0.1:8333`. `nil` means AWS
        /// (`https://s3.<region>.amazonaws.com`). Default `nil`.
        public var endpoint: String?
        /// Signing region. Default `us-east-1`.
        public var region: String = "us-east-1"
        /// Where request-signing credentials come from: fixed keys or a provider chain.
        public var credentialSource: AWSCredentialSource
        /// The fixed keys. Setting it makes them the source; with a chain as
        /// the source it reads as empty keys (use `credentialSource`).
        public var credentials: AWSCredentials {
            get {
                if case .fixed(let credentials, _) = credentialSource { return credentials }
                return AWSCredentials(accessKeyID: "", secretAccessKey: Secret(""))
            }
            set {
                if case .fixed(_, let description) = credentialSource {
                    credentialSource = .fixed(newValue, description: description)
                } else {
                    credentialSource = .fixed(newValue, description: "static keys")
                }
            }
        }
        /// Default: `.path` with a custom endpoint, `.virtualHost` on AWS.
        public var addressing: Addressing?
        /// Objects larger than this are uploaded in parts. Default 16 MiB.
        public var multipartThreshold: Int = 16 << 20
        /// Size of each part of a multipart upload (S3's minimum is 5 MiB). Default 8 MiB.
        public var partSize: Int = 8 << 20
        /// PEM file of CAs to trust for an https endpoint instead of the system's (`AWS_CA_BUNDLE`). Default `nil`.
        public var caBundle: String?
        /// Retries on 5xx, 429, timeouts and connection errors.
        public var retry = RetryPolicy()
        /// Upper bound for one attempt of an HTTP exchange, connecting included
        /// (while the endpoint refuses connections, the HTTP client keeps
        /// reconnecting until then). Default 60 s.
        public var requestTimeout: Duration = .seconds(60)

        /// Signs with fixed keys.
        public init(endpoint: String? = nil, region: String = "us-east-1", credentials: AWSCredentials) {
            self.init(endpoint: endpoint, region: region, credentialSource: .fixed(credentials, description: "static keys"))
        }

        /// Signs with whatever the source gives at the time of each request.
        public init(endpoint: String? = nil, region: String = "us-east-1", credentialSource: AWSCredentialSource) {
            self.endpoint = endpoint
            self.region = region
            self.credentialSource = credentialSource
        }

        var effectiveAddressing: Addressing { addressing ?? (endpoint == nil ? .virtualHost : .path) }
    }

    /// Exponential backoff with full jitter.
    public struct RetryPolicy: Sendable {
        /// Attempts in all, the first included. Default 8.
        public var maxAttempts: Int = 8
        /// Backoff before the first retry. Default 200 ms; doubles each time.
        public var initialBackoff: Duration = .milliseconds(200)
        /// Longest single wait. Default 15 s (the default policy waits up to about a minute in all).
        public var maxBackoff: Duration = .seconds(15)

        public init(maxAttempts: Int = 8, initialBackoff: Duration = .milliseconds(200),
                    maxBackoff: Duration = .seconds(15)) {
            self.maxAttempts = maxAttempts
            self.initialBackoff = initialBackoff
            self.maxBackoff = maxBackoff
        }

        /// The wait before retry number `attempt` (1-based), jittered.
        func backoff(beforeRetry attempt: Int) -> Duration {
            let exponent = min(attempt - 1, 20)
            let ceiling = min(initialBackoff * (1 << exponent), maxBackoff)
            return ceiling * Double.random(in: 0.5...1.0)
        }
    }
}
