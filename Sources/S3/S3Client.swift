import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// A client for the S3 API (AWS S3 and compatible stores), signing every
/// request with SigV4 and retrying transient failures.
public struct S3Client: Sendable {
    public let configuration: Configuration
    let http: HTTPClient
    let logger: Logger

    /// Uses the process-wide shared HTTP client unless one is given.
    public init(configuration: Configuration, httpClient: HTTPClient = .shared,
                logger: Logger = Logger(label: "sluice.s3")) {
        self.configuration = configuration
        // With AWS_CA_BUNDLE, a client that trusts it (`SluiceConfig` has checked the file; should it
        // have become unreadable since, the system's CAs apply and the handshake fails, it never skips checks).
        self.http = httpClient === HTTPClient.shared ? (try? S3Client.httpClient(for: configuration)) ?? httpClient : httpClient
        self.logger = logger
    }

    /// A response with its body read fully into memory.
    struct Response: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: ByteBuffer
    }

    /// Sends one signed request, retrying what is worth retrying. Each attempt
    /// is signed with the credentials current at that moment. Non-2xx answers
    /// become `S3Error`s (404s too; callers that expect them catch them).
    func send(method: HTTPMethod, bucket: String, key: String? = nil, query: [(name: String, value: String)] = [],
              headers: [(name: String, value: String)] = [], body: ByteBuffer? = nil,
              maxResponseBytes: Int = 64 << 20) async throws -> Response {
        let target = try url(bucket: bucket, key: key)
        let operation = "\(method.rawValue) s3://\(bucket)" + (key.map { "/\($0)" } ?? "")
        let payloadHash = body.map { buffer in buffer.withUnsafeReadableBytes { SigV4Signer.payloadHash($0) } }
            ?? SigV4Signer.emptyPayloadHash
        let queryString = SigV4Signer.canonicalQueryString(query)

        var attempt = 0
        while true {
            attempt += 1
            let credentials = try await configuration.credentialSource.credentials()
            let signer = SigV4Signer(credentials: credentials, region: configuration.region, service: "s3")
            let signed = signer.signedHeaders(method: method.rawValue, path: target.path, query: query,
                                              headers: [("host", target.host)] + headers, payloadHash: payloadHash)
            var request = HTTPClientRequest(url: target.base + target.path + (queryString.isEmpty ? "" : "?" + queryString))
            request.method = method
            for header in signed where header.name != "host" { request.headers.add(name: header.name, value: header.value) }
            if let body {
                request.body = .bytes(body)
            } else if method == .PUT || method == .POST {
                request.headers.add(name: "content-length", value: "0")
            }

            let failure: S3Error
            let retryable: Bool
            do {
                let response = try await http.execute(request, timeout: .init(configuration.requestTimeout))
                let data = try await response.body.collect(upTo: maxResponseBytes)
                let status = Int(response.status.code)
                if (200..<300).contains(status) {
                    return Response(status: status, headers: response.headers, body: data)
                }
                failure = S3Client.error(status: status, body: data, operation: operation, isBucketRequest: key == nil)
                retryable = status >= 500 || status == 429 || (failure.isExpiredToken && attempt == 1)
                if failure.isExpiredToken { await configuration.credentialSource.invalidate() }
            } catch is CancellationError {
                throw CancellationError()
            } catch let error where S3Client.isCertificateFailure(error) {
                // Retrying cannot make a certificate trusted.
                throw S3Client.certificateError(error, base: target.base, operation: operation, caBundle: configuration.caBundle)
            } catch {
                failure = S3Error(code: .unreachable, operation: operation,
                                  message: "no answer from \(target.base): \(S3Client.describe(error))")
                retryable = true
            }
            if !retryable || attempt >= configuration.retry.maxAttempts { throw failure }
            let wait = configuration.retry.backoff(beforeRetry: attempt)
            logger.warning("\(failure.summary); retry \(attempt) of \(configuration.retry.maxAttempts - 1) in \(wait.milliseconds) ms")
            try await Task.sleep(for: wait)
        }
    }

    /// Splits the URL of a bucket or object into the base (`scheme://host`),
    /// the host header and the encoded path.
    func url(bucket: String, key: String?) throws -> (base: String, host: String, path: String) {
        let endpoint = configuration.endpoint ?? "https://s3.\(configuration.region).amazonaws.com"
        guard let components = URLComponents(string: endpoint), let scheme = components.scheme,
              let hostName = components.host else {
            throw S3Error(code: .requestRejected, operation: "connect", message: "S3 endpoint \(endpoint) is not a URL")
        }
        let port = components.port.map { ":\($0)" } ?? ""
        let encodedKey = key.map { "/" + SigV4Signer.uriEncode($0, keepSlash: true) } ?? ""
        switch configuration.effectiveAddressing {
        case .path:
            let host = hostName + port
            return ("\(scheme)://\(host)", host, "/\(SigV4Signer.uriEncode(bucket, keepSlash: false))\(encodedKey)")
        case .virtualHost:
            let host = "\(bucket).\(hostName)\(port)"
            return ("\(scheme)://\(host)", host, encodedKey.isEmpty ? "/" : encodedKey)
        }
    }

    /// Turns an error response into an `S3Error`, reading S3's XML error body when there is one.
    static func error(status: Int, body: ByteBuffer, operation: String, isBucketRequest: Bool) -> S3Error {
        let xml = XMLElementTree.parse(Data(body.readableBytesView))
        let s3Code = xml?.text("Code")
        let message = xml?.text("Message") ?? HTTPResponseStatus(statusCode: status).reasonPhrase
        let code: S3Error.Code
        switch (status, s3Code) {
        case (403, _), (401, _): code = .accessDenied
        case (404, "NoSuchBucket"?): code = .noSuchBucket
        case (404, "NoSuchKey"?): code = .noSuchKey
        case (404, _): code = isBucketRequest ? .noSuchBucket : .noSuchKey
        case (500..., _): code = .serverError
        default: code = .requestRejected
        }
        return S3Error(code: code, status: status, s3Code: s3Code, operation: operation, message: message)
    }

    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
        if text.contains("deadlineExceeded") || text.contains("timeout") { return "timed out" }
        return text
    }
}
