import SluiceSupport

/// Every failure the S3 client reports, with a stable `code` and a one-line `summary`.
public struct S3Error: UserFacingError, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let name: String
        public var description: String { name }

        /// 403: unknown access key, wrong secret (signature mismatch) or no permission.
        public static let accessDenied = Code(name: "accessDenied")
        /// 404 on a bucket.
        public static let noSuchBucket = Code(name: "noSuchBucket")
        /// 404 on an object.
        public static let noSuchKey = Code(name: "noSuchKey")
        /// No answer from the endpoint (refused, reset, timed out), after retries.
        public static let unreachable = Code(name: "unreachable")
        /// 5xx from the server, after retries.
        public static let serverError = Code(name: "serverError")
        /// The response could not be understood.
        public static let badResponse = Code(name: "badResponse")
        /// Any other 4xx.
        public static let requestRejected = Code(name: "requestRejected")
        /// No credential source is set up (static keys, web identity, profile, ECS, EC2).
        public static let noCredentials = Code(name: "noCredentials")
        /// A credential source is set up but could not give credentials.
        public static let credentialSource = Code(name: "credentialSource")
        /// A setting cannot be used as given (e.g. an unreadable AWS_CA_BUNDLE).
        public static let badConfiguration = Code(name: "badConfiguration")
    }

    public var code: Code
    /// HTTP status, 0 when no response arrived.
    public var status: Int
    /// S3's error code from the XML body (`SignatureDoesNotMatch`, `NoSuchBucket`…), if any.
    public var s3Code: String?
    /// What was being done, e.g. `PUT s3://lake/raw/x.parquet`.
    public var operation: String
    public var message: String

    public init(code: Code, status: Int = 0, s3Code: String? = nil, operation: String, message: String) {
        self.code = code
        self.status = status
        self.s3Code = s3Code
        self.operation = operation
        self.message = message
    }

    public var summary: String {
        var line = "S3: \(operation) failed"
        if status != 0 { line += " (HTTP \(status)\(s3Code.map { " \($0)" } ?? ""))" }
        line += ": \(message)"
        if let hint { line += "; \(hint)" }
        return line
    }

    /// The server says the session token has expired: new credentials may help.
    var isExpiredToken: Bool { s3Code == "ExpiredToken" || s3Code == "TokenRefreshRequired" }

    /// What to do, for the failures a user can fix.
    var hint: String? {
        switch (code, s3Code) {
        case (.accessDenied, "SignatureDoesNotMatch"?): return "the secret key is wrong: check AWS_SECRET_ACCESS_KEY"
        case (.accessDenied, "InvalidAccessKeyId"?): return "the access key is unknown: check AWS_ACCESS_KEY_ID"
        case (.accessDenied, _): return "check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and the key's permissions"
        case (.noSuchBucket, _): return "create the bucket or check S3_BUCKET"
        case (.unreachable, _): return "check S3_ENDPOINT and that the server is running (scripts/stack up)"
        case (.noCredentials, _):
            return "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN"
        default: return nil
        }
    }
}
