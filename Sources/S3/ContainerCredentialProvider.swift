import AsyncHTTPClient
import Foundation
import SluiceSupport

/// ECS (and EKS Pod Identity) container credentials:
/// `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (a path on `http://169.254.170.2`)
/// or `AWS_CONTAINER_CREDENTIALS_FULL_URI`, with the `Authorization` header
/// from `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (read on every fetch; it
/// wins) or `AWS_CONTAINER_AUTHORIZATION_TOKEN`. As in the SDKs, a full URI
/// over plain HTTP must point at a loopback address or a container
/// credentials host.
public struct ContainerCredentialProvider: AWSCredentialProvider {
    let environment: [String: String]
    let http: HTTPClient

    /// Hosts a plain-HTTP full URI may name besides loopback: ECS's and EKS Pod Identity's agents.
    static let containerHosts: Set<String> = ["169.254.170.2", "169.254.170.23", "fd00:ec2::23", "[fd00:ec2::23]"]

    public init(environment: [String: String], httpClient: HTTPClient = .shared) {
        self.environment = environment
        http = httpClient
    }

    public func load() async throws -> AWSCredentialLookup {
        let endpoint = CredentialEndpoint(http: http, source: "the container credentials endpoint", timeout: .seconds(2))
        let url: String
        if let relative = value("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
            url = "http://169.254.170.2" + (relative.hasPrefix("/") ? relative : "/" + relative)
        } else if let full = value("AWS_CONTAINER_CREDENTIALS_FULL_URI") {
            try Self.check(fullURI: full, endpoint: endpoint)
            url = full
        } else {
            return .notConfigured("ECS container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI not set")
        }

        var headers: [(String, String)] = [("accept", "application/json")]
        if let file = value("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw endpoint.failure("cannot read \(file) (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE)")
            }
            headers.append(("authorization", try Self.headerValue(data, endpoint: endpoint)))
        } else if let token = value("AWS_CONTAINER_AUTHORIZATION_TOKEN") {
            headers.append(("authorization", try Self.headerValue(Data(token.utf8), endpoint: endpoint)))
        }

        let response = try await endpoint.send(.GET, url, headers: headers)
        guard (200..<300).contains(response.status) else {
            throw endpoint.failure("\(CredentialEndpoint.origin(of: url)) answered HTTP \(response.status): \(Self.message(response))")
        }
        do {
            return .found(try AWSCredentials.fromJSON(response.body), source: "ECS container credentials (\(CredentialEndpoint.origin(of: url)))")
        } catch let error as CredentialDocumentError {
            throw endpoint.failure("\(CredentialEndpoint.origin(of: url)) sent no usable credentials: \(error.message)")
        }
    }

    func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }

    static func check(fullURI: String, endpoint: CredentialEndpoint) throws {
        guard let components = URLComponents(string: fullURI), let scheme = components.scheme?.lowercased(),
              let host = components.host?.lowercased() else {
            throw endpoint.failure("AWS_CONTAINER_CREDENTIALS_FULL_URI \(fullURI) is not a URL")
        }
        if scheme == "https" { return }
        guard scheme == "http" else { throw endpoint.failure("AWS_CONTAINER_CREDENTIALS_FULL_URI must be http or https") }
        let loopback = host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
        guard loopback || containerHosts.contains(host) else {
            throw endpoint.failure("AWS_CONTAINER_CREDENTIALS_FULL_URI over plain http must name a loopback address or 169.254.170.2 (got \(host)); use https")
        }
    }

    /// The token as a header value: trimmed, and without line breaks (which would split the request).
    static func headerValue(_ data: Data, endpoint: CredentialEndpoint) throws -> String {
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.contains(where: \.isNewline) else { throw endpoint.failure("the authorization token has a line break in it") }
        return token
    }

    /// The `message` of a JSON error answer, else the body's first line.
    static func message(_ response: CredentialEndpoint.Response) -> String {
        if let document = try? JSONValue.parse(Array(response.body)), let message = document["message"]?.stringValue ?? document["Message"]?.stringValue {
            return message
        }
        return CredentialEndpoint.firstLine(response.text)
    }
}
