import Foundation
import SluiceSupport

/// `AWS_PROFILE` (default `default`) from the shared files: the profile's
/// `aws_access_key_id`/`aws_secret_access_key`/`aws_session_token`, or its
/// `credential_process`. A profile named in `AWS_PROFILE` that does not
/// exist or holds no credentials is an error; a missing `default` profile
/// just lets the chain go on.
public struct ProfileCredentialProvider: AWSCredentialProvider {
    public let profileName: String
    /// Whether the profile was named (`AWS_PROFILE`), rather than the default.
    public let isExplicit: Bool
    let environment: [String: String]

    public init(environment: [String: String]) {
        let named = (environment["AWS_PROFILE"] ?? environment["AWS_DEFAULT_PROFILE"]).flatMap { $0.isEmpty ? nil : $0 }
        profileName = named ?? "default"
        isExplicit = named != nil
        self.environment = environment
    }

    public func load() async throws -> AWSCredentialLookup {
        let files = AWSProfileFiles(environment: environment)
        let description = "profile \(profileName)"
        guard let profile = files.profile(profileName) else {
            let message = "\(description): not found in \(files.credentialsPath) or \(files.configPath)"
            if isExplicit { throw failure(message + " (AWS_PROFILE)") }
            return .notConfigured(message + " (set AWS_PROFILE)")
        }
        let accessKey = profile["aws_access_key_id"].flatMap { $0.isEmpty ? nil : $0 }
        let secret = profile["aws_secret_access_key"].flatMap { $0.isEmpty ? nil : $0 }
        if let accessKey, let secret {
            let token = profile["aws_session_token"].flatMap { $0.isEmpty ? nil : Secret($0) }
            let credentials = AWSCredentials(accessKeyID: accessKey, secretAccessKey: Secret(secret), sessionToken: token)
            return .found(credentials, source: "\(description) (keys in \(files.file(of: "aws_access_key_id", profile: profileName)))")
        }
        if accessKey != nil || secret != nil {
            throw failure("\(description) has only one of aws_access_key_id and aws_secret_access_key")
        }
        if let command = profile["credential_process"], !command.isEmpty {
            let process = CredentialProcess(commandLine: command, profileDescription: description,
                                            searchPath: environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin")
            return .found(try await process.run(), source: "\(description) (credential_process)")
        }
        let message = "\(description) has no aws_access_key_id/aws_secret_access_key or credential_process"
            + " (role_arn and sso_* profiles are not supported)"
        if isExplicit { throw failure(message) }
        return .notConfigured(message)
    }

    func failure(_ message: String) -> S3Error {
        S3Error(code: .credentialSource, operation: "get credentials from profile \(profileName)", message: message)
    }
}
