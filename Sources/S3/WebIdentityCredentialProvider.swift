import AsyncHTTPClient
import Foundation
import SluiceSupport

/// `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`: exchanges the token (an
/// OIDC JWT, e.g. a Kubernetes service-account token on EKS) for role
/// credentials with STS `AssumeRoleWithWebIdentity`, a request that is not
/// signed. The token file is read again on every fetch, since Kubernetes
/// rotates it.
public struct WebIdentityCredentialProvider: AWSCredentialProvider {
    public let tokenFile: String?
    public let roleARN: String?
    public let sessionName: String?
    /// `AWS_ENDPOINT_URL_STS`, else `https://sts.<region>.amazonaws.com`.
    public let endpoint: String
    let http: HTTPClient

    public init(environment: [String: String], region: String, httpClient: HTTPClient = .shared) {
        tokenFile = environment["AWS_WEB_IDENTITY_TOKEN_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        roleARN = environment["AWS_ROLE_ARN"].flatMap { $0.isEmpty ? nil : $0 }
        sessionName = environment["AWS_ROLE_SESSION_NAME"].flatMap { $0.isEmpty ? nil : $0 }
        endpoint = environment["AWS_ENDPOINT_URL_STS"].flatMap { $0.isEmpty ? nil : $0 } ?? "https://sts.\(region).amazonaws.com"
        http = httpClient
    }

    public func load() async throws -> AWSCredentialLookup {
        switch (tokenFile, roleARN) {
        case (nil, nil):
            return .notConfigured("web identity: AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN not set")
        case (_?, nil):
            throw endpointClient.failure("AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not; set both")
        case (nil, _?):
            throw endpointClient.failure("AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not; set both")
        case (let tokenFile?, let roleARN?):
            let credentials = try await assumeRole(tokenFile: tokenFile, roleARN: roleARN)
            return .found(credentials, source: "web identity (role \(roleARN))")
        }
    }

    var endpointClient: CredentialEndpoint { CredentialEndpoint(http: http, source: "web identity (STS)") }

    func assumeRole(tokenFile: String, roleARN: String) async throws -> AWSCredentials {
        let sts = endpointClient
        guard let data = FileManager.default.contents(atPath: tokenFile) else {
            throw sts.failure("cannot read the token file \(tokenFile) (AWS_WEB_IDENTITY_TOKEN_FILE)")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw sts.failure("the token file \(tokenFile) is empty") }

        let form: [(String, String)] = [
            ("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15"), ("RoleArn", roleARN),
            ("RoleSessionName", sessionName ?? "sluice-\(Int(Date().timeIntervalSince1970))"),
            ("WebIdentityToken", token),
        ]
        let body = form.map { "\($0.0)=\(SigV4Signer.uriEncode($0.1, keepSlash: false))" }.joined(separator: "&")
        let url = endpoint.hasSuffix("/") ? endpoint : endpoint + "/"
        let response = try await sts.send(.POST, url, headers: [
            ("content-type", "application/x-www-form-urlencoded; charset=utf-8"), ("accept", "application/xml"),
        ], body: body)

        let xml = XMLElementTree.parse(response.body)
        guard (200..<300).contains(response.status) else {
            let error = xml?.child("Error")
            let code = error?.text("Code").map { " \($0)" } ?? ""
            let message = error?.text("Message") ?? CredentialEndpoint.firstLine(response.text)
            throw S3Error(code: .credentialSource, status: response.status, s3Code: error?.text("Code"),
                          operation: "AssumeRoleWithWebIdentity for \(roleARN)",
                          message: "STS at \(CredentialEndpoint.origin(of: url)) answered HTTP \(response.status)\(code): \(message)")
        }
        guard let credentials = xml?.child("AssumeRoleWithWebIdentityResult")?.child("Credentials"),
              let accessKey = credentials.text("AccessKeyId"), !accessKey.isEmpty,
              let secret = credentials.text("SecretAccessKey"), !secret.isEmpty else {
            throw sts.failure("STS answered without AssumeRoleWithWebIdentityResult/Credentials")
        }
        let sessionToken = credentials.text("SessionToken") ?? ""
        var expiration: Date?
        if let text = credentials.text("Expiration") {
            guard let date = parseAWSTimestamp(text) else { throw sts.failure("STS sent an Expiration that is not a time: \(text)") }
            expiration = date
        }
        return AWSCredentials(accessKeyID: accessKey, secretAccessKey: Secret(secret),
                              sessionToken: sessionToken.isEmpty ? nil : Secret(sessionToken), expiration: expiration)
    }
}
