import Foundation
import S3
import SluiceSupport
import Testing

/// AWS's published Signature Version 4 test vectors (the 2015 test suite and
/// the S3 documentation's worked examples), checked step by step.
@Suite struct SigV4TestSuiteTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/sigv4")
    static let suiteDate = Date(timeIntervalSince1970: 1_440_938_160)   // 20150830T123600Z
    static let s3DocsDate = Date(timeIntervalSince1970: 1_369_353_600)  // 20130524T000000Z

    static let suiteSigner = SigV4Signer(
        credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE",
                                    secretAccessKey: Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")),
        region: "us-east-1", service: "service")
    static let s3Signer = SigV4Signer(
        credentials: AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE",
                                    secretAccessKey: Secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")),
        region: "us-east-1", service: "s3")

    static func file(_ testCase: String, _ name: String) throws -> String {
        try String(contentsOf: fixtures.appendingPathComponent(testCase).appendingPathComponent(name), encoding: .utf8)
    }

    /// Parses a raw HTTP request of the suite into the signer's input.
    static func request(_ testCase: String, encodePathForS3: Bool = false) throws -> SigV4Signer.Request {
        let text = try file(testCase, "request.txt")
        let parts = text.components(separatedBy: "\n\n")
        var lines = parts[0].components(separatedBy: "\n")
        let requestLine = lines.removeFirst()
        let method = String(requestLine.prefix { $0 != " " })
        let target = String(requestLine.dropFirst(method.count + 1).dropLast(" HTTP/1.1".count))
        let pathAndQuery = target.split(separator: "?", maxSplits: 1).map(String.init)
        var path = pathAndQuery[0]
        if encodePathForS3 { path = SigV4Signer.uriEncode(path, keepSlash: true) }
        let query: [(name: String, value: String)] = pathAndQuery.count > 1
            ? pathAndQuery[1].split(separator: "&").map { pair in
                let nameValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                return (nameValue[0].removingPercentEncoding ?? nameValue[0],
                        nameValue.count > 1 ? (nameValue[1].removingPercentEncoding ?? nameValue[1]) : "")
            }
            : []
        let headers: [(name: String, value: String)] = lines.map { line in
            let colon = line.firstIndex(of: ":")!
            return (String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
        }
        let body = parts.count > 1 ? parts.dropFirst().joined(separator: "\n\n") : ""
        let declaredHash = headers.first { $0.name.lowercased() == "x-amz-content-sha256" }?.value
        return SigV4Signer.Request(method: method, path: path, query: query, headers: headers,
                                   payloadHash: declaredHash ?? SigV4Signer.payloadHash(Array(body.utf8)))
    }

    @Test("test-suite case", arguments: [
        "get-vanilla", "get-vanilla-query-order-key-case", "get-header-value-trim", "post-vanilla",
        "get-utf8", "get-space", "get-slash-dot-slash", "post-header-key-sort",
    ])
    func suiteCase(_ name: String) throws {
        let signer = Self.suiteSigner
        let request = try Self.request(name)
        let canonical = signer.canonicalRequest(request)
        #expect(canonical == (try Self.file(name, "canonical-request.txt")))
        let stringToSign = signer.stringToSign(canonicalRequest: canonical, date: Self.suiteDate)
        #expect(stringToSign == (try Self.file(name, "string-to-sign.txt")))
        #expect(signer.authorization(for: request, date: Self.suiteDate) == (try Self.file(name, "authorization.txt")))
    }

    /// This published case signs `content-length` in its canonical request but
    /// not in its string to sign, so only the canonical request is comparable.
    @Test func formURLEncodedCanonicalRequest() throws {
        let request = try Self.request("post-x-www-form-urlencoded")
        #expect(Self.suiteSigner.canonicalRequest(request)
                == (try Self.file("post-x-www-form-urlencoded", "canonical-request.txt")))
    }

    @Test("S3 documentation example", arguments: ["s3-get-object-range", "s3-put-object"])
    func s3Example(_ name: String) throws {
        let signer = Self.s3Signer
        let request = try Self.request(name, encodePathForS3: true)
        let canonical = signer.canonicalRequest(request)
        #expect(canonical == (try Self.file(name, "canonical-request.txt")))
        let stringToSign = signer.stringToSign(canonicalRequest: canonical, date: Self.s3DocsDate)
        #expect(stringToSign == (try Self.file(name, "string-to-sign.txt")))
        let expected = try Self.file(name, "signature.txt")
        #expect(signer.signature(stringToSign: stringToSign, date: Self.s3DocsDate) == expected)
        #expect(signer.authorization(for: request, date: Self.s3DocsDate).hasSuffix("Signature=\(expected)"))
    }

    @Test func s3PresignedURL() throws {
        let url = Self.s3Signer.presignedURL(method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/test.txt",
                                             expires: 86_400, date: Self.s3DocsDate)
        #expect(url == (try Self.file("s3-presigned-url", "presigned-url.txt")))
    }

    @Test func signedHeadersCarryDateHashAndAuthorization() {
        let headers = Self.s3Signer.signedHeaders(method: "GET", path: "/bucket/key", query: [],
                                                  headers: [("host", "example.com")],
                                                  payloadHash: SigV4Signer.emptyPayloadHash, date: Self.s3DocsDate)
        let names = headers.map(\.name)
        #expect(names == ["host", "x-amz-date", "x-amz-content-sha256", "Authorization"])
        #expect(headers[1].value == "20130524T000000Z")
        #expect(headers[3].value.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date"))
    }

    @Test func uriEncodingFollowsRFC3986() {
        #expect(SigV4Signer.uriEncode("a b/c~d_e.f-g", keepSlash: true) == "a%20b/c~d_e.f-g")
        #expect(SigV4Signer.uriEncode("a/b+c=d&é", keepSlash: false) == "a%2Fb%2Bc%3Dd%26%C3%A9")
    }
}
