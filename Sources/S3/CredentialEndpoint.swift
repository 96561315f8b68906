import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// HTTP for the credential services (STS, the ECS and EC2 metadata
/// endpoints): small requests with short deadlines, a couple of retries on
/// connection errors and 5xx, and failures as `S3Error`s naming the source.
struct CredentialEndpoint: Sendable {
    let http: HTTPClient
    /// Names the source in errors, e.g. `web identity`.
    let source: String
    /// Deadline of one attempt, connecting included.
    var timeout: Duration = .seconds(5)
    var attempts: Int = 3

    struct Response: Sendable {
        var status: Int
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Sends a request; any HTTP status comes back, only "no answer" throws.
    func send(_ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: String? = nil) async throws -> Response {
        var attempt = 0
        while true {
            attempt += 1
            var request = HTTPClientRequest(url: url)
            request.method = method
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if let body {
                request.body = .bytes(ByteBuffer(string: body))
            } else if method == .PUT || method == .POST {
                request.headers.add(name: "content-length", value: "0")
            }
            do {
                let response = try await http.execute(request, timeout: .init(timeout))
                let data = try await response.body.collect(upTo: 1 << 20)
                let status = Int(response.status.code)
                if status >= 500, attempt < attempts {
                    try await Task.sleep(for: .milliseconds(200 * attempt))
                    continue
                }
                return Response(status: status, body: Data(data.readableBytesView))
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                if attempt < attempts {
                    try await Task.sleep(for: .milliseconds(200 * attempt))
                    continue
                }
                throw S3Error(code: .unreachable, operation: "get credentials from \(source)",
                              message: "no answer from \(Self.origin(of: url)): \(S3Client.describe(error))")
            }
        }
    }

    /// `scheme://host:port` of a URL, for messages (the path may carry an id).
    static func origin(of url: String) -> String {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host else { return url }
        return "\(scheme)://\(host)\(components.port.map { ":\($0)" } ?? "")"
    }

    /// An error for an answer that is not what the source should send.
    func failure(_ message: String) -> S3Error {
        S3Error(code: .credentialSource, operation: "get credentials from \(source)", message: message)
    }

    /// The first line of a body, shortened, for error messages about non-2xx answers.
    static func firstLine(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return line.count > 200 ? String(line.prefix(200)) + "…" : line
    }
}
