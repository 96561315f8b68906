import AsyncHTTPClient
import Foundation
import SluiceSupport

/// EC2 instance profile credentials through IMDSv2: a session token from
/// `PUT /latest/api/token`, then the role name and the role's credentials
/// from `/latest/meta-data/iam/security-credentials/`, each sent with the
/// token. `AWS_EC2_METADATA_SERVICE_ENDPOINT` moves the endpoint (default
/// `http://169.254.169.254`), `AWS_EC2_METADATA_DISABLED=true` skips it. The
/// first request has a 1 s deadline so a machine that is not on EC2 fails fast.
public struct InstanceMetadataCredentialProvider: AWSCredentialProvider {
    public let endpoint: String
    public let isDisabled: Bool
    let http: HTTPClient

    static let credentialsPath = "/latest/meta-data/iam/security-credentials/"

    public init(environment: [String: String], httpClient: HTTPClient = .shared) {
        let configured = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 } ?? "http://169.254.169.254"
        endpoint = configured.hasSuffix("/") ? String(configured.dropLast()) : configured
        isDisabled = environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true"
        http = httpClient
    }

    public func load() async throws -> AWSCredentialLookup {
        if isDisabled { return .notConfigured("EC2 instance metadata: disabled by AWS_EC2_METADATA_DISABLED") }
        let probe = CredentialEndpoint(http: http, source: "EC2 instance metadata", timeout: .seconds(1), attempts: 1)
        let metadata = CredentialEndpoint(http: http, source: "EC2 instance metadata", timeout: .seconds(2), attempts: 2)

        let tokenResponse: CredentialEndpoint.Response
        do {
            tokenResponse = try await probe.send(.PUT, endpoint + "/latest/api/token",
                                                 headers: [("x-aws-ec2-metadata-token-ttl-seconds", "21600")])
        } catch let error as S3Error where error.code == .unreachable {
            return .notConfigured("EC2 instance metadata (IMDSv2): \(error.message)")
        }
        guard tokenResponse.status == 200, !tokenResponse.text.isEmpty else {
            if tokenResponse.status == 403 || tokenResponse.status == 404 || tokenResponse.status == 405 {
                return .notConfigured("EC2 instance metadata (IMDSv2): \(endpoint) refused a session token (HTTP \(tokenResponse.status))")
            }
            throw metadata.failure("\(endpoint) answered HTTP \(tokenResponse.status) to PUT /latest/api/token")
        }
        let token = tokenResponse.text.trimmingCharacters(in: .whitespacesAndNewlines)
        let tokenHeader = [("x-aws-ec2-metadata-token", token)]

        let roles = try await metadata.send(.GET, endpoint + Self.credentialsPath, headers: tokenHeader)
        if roles.status == 404 {
            return .notConfigured("EC2 instance metadata: no IAM role is attached to this instance")
        }
        guard roles.status == 200,
              let role = roles.text.split(whereSeparator: \.isNewline).first.map({ $0.trimmingCharacters(in: .whitespaces) }),
              !role.isEmpty else {
            throw metadata.failure("\(endpoint) answered HTTP \(roles.status) without a role name to GET \(Self.credentialsPath)")
        }

        let answer = try await metadata.send(.GET, endpoint + Self.credentialsPath + SigV4Signer.uriEncode(role, keepSlash: false),
                                             headers: tokenHeader)
        guard answer.status == 200 else {
            throw metadata.failure("\(endpoint) answered HTTP \(answer.status) for the credentials of role \(role)")
        }
        if let document = try? JSONValue.parse(Array(answer.body)), let code = document["Code"]?.stringValue, code != "Success" {
            let message = document["Message"]?.stringValue.map { ": \($0)" } ?? ""
            throw metadata.failure("the credentials of role \(role) are not available (Code \(code)\(message))")
        }
        do {
            return .found(try AWSCredentials.fromJSON(answer.body), source: "EC2 instance profile (role \(role), IMDSv2 at \(endpoint))")
        } catch let error as CredentialDocumentError {
            throw metadata.failure("the credentials of role \(role) could not be read: \(error.message)")
        }
    }
}
