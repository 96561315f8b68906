import Crypto
import Foundation
import SluiceSupport

/// AWS Signature Version 4 (the `AWS4-HMAC-SHA256` scheme), as specified in
/// the AWS General Reference, "Signature Version 4 signing process".
///
/// The signer is pure: give it a request and a time, get headers or a URL
/// back. `service == "s3"` follows S3's variant (the path is used as sent,
/// without normalisation or a second round of percent-encoding).
public struct SigV4Signer: Sendable {
    public var credentials: AWSCredentials
    public var region: String
    public var service: String

    /// The hash S3 accepts in place of a body hash when the body is not signed.
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    /// SHA-256 of the empty string, the body hash of GET, HEAD and DELETE.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    public init(credentials: AWSCredentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// A request as the signer sees it.
    public struct Request: Sendable {
        public var method: String
        /// The path as sent on the wire (percent-encoded as the client sends it).
        public var path: String
        /// Query parameters, already decoded (`nil` value means a bare `?name`).
        public var query: [(name: String, value: String)]
        /// Headers to sign; `host` must be among them.
        public var headers: [(name: String, value: String)]
        /// Hex SHA-256 of the body, or `unsignedPayload`.
        public var payloadHash: String

        public init(method: String, path: String, query: [(name: String, value: String)] = [],
                    headers: [(name: String, value: String)], payloadHash: String) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.payloadHash = payloadHash
        }
    }

    // MARK: Steps of the algorithm (public so tests can check each one)

    /// Task 1: the canonical request.
    public func canonicalRequest(_ request: Request) -> String {
        let canonicalHeaders = Self.canonicalHeaders(request.headers)
        return [
            request.method.uppercased(),
            canonicalURI(request.path),
            Self.canonicalQueryString(request.query),
            canonicalHeaders.map { "\($0.name):\($0.value)\n" }.joined(),
            canonicalHeaders.map(\.name).joined(separator: ";"),
            request.payloadHash,
        ].joined(separator: "\n")
    }

    /// Task 2: the string to sign for a canonical request at `date`.
    public func stringToSign(canonicalRequest: String, date: Date) -> String {
        let stamp = SigV4Date(date)
        return [
            "AWS4-HMAC-SHA256",
            stamp.timestamp,
            scope(stamp),
            Self.hex(SHA256.hash(data: Data(canonicalRequest.utf8))),
        ].joined(separator: "\n")
    }

    /// Task 3: the hex signature of a string to sign.
    public func signature(stringToSign: String, date: Date) -> String {
        let stamp = SigV4Date(date)
        var key = SymmetricKey(data: Data("AWS4\(credentials.secretAccessKey.value)".utf8))
        for part in [stamp.day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
    }

    /// Task 4: the `Authorization` header value for a request whose headers
    /// already include `x-amz-date` (and the token, if any).
    public func authorization(for request: Request, date: Date) -> String {
        let canonical = canonicalRequest(request)
        let signed = Self.canonicalHeaders(request.headers).map(\.name).joined(separator: ";")
        let signature = signature(stringToSign: stringToSign(canonicalRequest: canonical, date: date), date: date)
        return "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope(SigV4Date(date))), "
            + "SignedHeaders=\(signed), Signature=\(signature)"
    }

    // MARK: Using it

    /// Signs a request: returns its headers plus `x-amz-date`,
    /// `x-amz-content-sha256` (S3), `x-amz-security-token` (if any) and `Authorization`.
    public func signedHeaders(method: String, path: String, query: [(name: String, value: String)],
                              headers: [(name: String, value: String)], payloadHash: String,
                              date: Date = Date()) -> [(name: String, value: String)] {
        var all = headers
        all.append(("x-amz-date", SigV4Date(date).timestamp))
        if service == "s3" { all.append(("x-amz-content-sha256", payloadHash)) }
        if let token = credentials.sessionToken { all.append(("x-amz-security-token", token.value)) }
        let request = Request(method: method, path: path, query: query, headers: all, payloadHash: payloadHash)
        all.append(("Authorization", authorization(for: request, date: date)))
        return all
    }

    /// A presigned URL (query-string authentication) valid for `expires`
    /// seconds, signing only the `host` header.
    public func presignedURL(method: String, scheme: String = "https", host: String, path: String,
                             query: [(name: String, value: String)] = [], expires: Int,
                             date: Date = Date()) -> String {
        let stamp = SigV4Date(date)
        var parameters = query
        parameters.append(("X-Amz-Algorithm", "AWS4-HMAC-SHA256"))
        parameters.append(("X-Amz-Credential", "\(credentials.accessKeyID)/\(scope(stamp))"))
        parameters.append(("X-Amz-Date", stamp.timestamp))
        parameters.append(("X-Amz-Expires", String(expires)))
        if let token = credentials.sessionToken { parameters.append(("X-Amz-Security-Token", token.value)) }
        parameters.append(("X-Amz-SignedHeaders", "host"))
        let request = Request(method: method, path: path, query: parameters, headers: [("host", host)],
                              payloadHash: Self.unsignedPayload)
        let signature = signature(stringToSign: stringToSign(canonicalRequest: canonicalRequest(request), date: date),
                                  date: date)
        return "\(scheme)://\(host)\(path)?\(Self.canonicalQueryString(parameters))&X-Amz-Signature=\(signature)"
    }

    // MARK: Canonical forms

    func scope(_ stamp: SigV4Date) -> String { "\(stamp.day)/\(region)/\(service)/aws4_request" }

    /// S3 signs the path exactly as sent; other services normalise it and
    /// percent-encode it once more.
    func canonicalURI(_ path: String) -> String {
        if path.isEmpty { return "/" }
        if service == "s3" { return path }
        return Self.uriEncode(Self.normalizePath(path), keepSlash: true)
    }

    /// Removes `.` and `..` segments and repeated slashes (RFC 3986 §5.2.4).
    static func normalizePath(_ path: String) -> String {
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == "." { continue }
            if segment == ".." { _ = segments.popLast(); continue }
            segments.append(segment)
        }
        let joined = "/" + segments.joined(separator: "/")
        return path.hasSuffix("/") && joined != "/" ? joined + "/" : joined
    }

    static func canonicalQueryString(_ query: [(name: String, value: String)]) -> String {
        let encoded: [(name: String, value: String)] = query.map { parameter in
            (uriEncode(parameter.name, keepSlash: false), uriEncode(parameter.value, keepSlash: false))
        }
        let sorted = encoded.sorted { left, right in
            left.name == right.name ? left.value < right.value : left.name < right.name
        }
        return sorted.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    /// Lower-cased names, sorted; values trimmed with inner runs of spaces
    /// folded to one; repeated names joined with commas.
    static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> [(name: String, value: String)] {
        var merged: [String: [String]] = [:]
        for header in headers {
            let value = header.value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            merged[header.name.lowercased(), default: []].append(value)
        }
        return merged.keys.sorted().map { ($0, merged[$0]!.joined(separator: ",")) }
    }

    /// RFC 3986 percent-encoding: unreserved characters stay, everything else
    /// becomes `%XX` of its UTF-8 bytes (upper-case hex).
    public static func uriEncode(_ text: String, keepSlash: Bool) -> String {
        var encoded = ""
        encoded.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
                 UInt8(ascii: "."), UInt8(ascii: "~"):
                encoded.append(Character(Unicode.Scalar(byte)))
            case UInt8(ascii: "/") where keepSlash:
                encoded.append("/")
            default:
                encoded += "%" + hexDigits(byte)
            }
        }
        return encoded
    }

    static func hexDigits(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }

    /// Lower-case hex of a digest or MAC.
    public static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        lowerHex(bytes)
    }

    /// Lower-case hex SHA-256 of a body, for `x-amz-content-sha256`.
    public static func payloadHash<D: DataProtocol>(_ body: D) -> String {
        hex(SHA256.hash(data: body))
    }
}

/// The two renderings of the signing time SigV4 uses, in UTC.
struct SigV4Date {
    /// `20150830T123600Z`
    let timestamp: String
    /// `20150830`
    let day: String

    init(_ date: Date) {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        day = String(format: "%04d%02d%02d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday)
        timestamp = day + String(format: "T%02d%02d%02dZ", parts.tm_hour, parts.tm_min, parts.tm_sec)
    }
}
