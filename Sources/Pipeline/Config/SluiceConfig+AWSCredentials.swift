import S3
import SluiceSupport

/// Where S3 credentials and the signing region come from.
extension SluiceConfig {
    /// Static keys when `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` are set
    /// (flag, environment, `.env` or stack file), else the AWS SDKs' chain over
    /// the environment (web identity, profile, ECS, EC2 instance metadata).
    func awsCredentialSource(region: String) throws -> AWSCredentialSource {
        let key = self[.awsAccessKeyID].flatMap { $0.isEmpty ? nil : $0 }
        let secret = self[.awsSecretAccessKey].flatMap { $0.isEmpty ? nil : $0 }
        switch (key, secret) {
        case (let key?, let secret?):
            let credentials = AWSCredentials(accessKeyID: key, secretAccessKey: Secret(secret),
                                             sessionToken: self[.awsSessionToken].flatMap { $0.isEmpty ? nil : Secret($0) })
            return .fixed(credentials, description: "static (AWS_ACCESS_KEY_ID from \(originText(.awsAccessKeyID)))")
        case (_?, nil):
            _ = try required(.awsSecretAccessKey)
        case (nil, _?):
            _ = try required(.awsAccessKeyID)
        case (nil, nil):
            break
        }
        return .chain(.standard(environment: awsEnvironment, region: region))
    }

    /// `AWS_REGION` when it is set; otherwise the profile's `region` from the
    /// AWS config file, if it has one; otherwise the default.
    func s3Region() throws -> String {
        if resolved[Setting.awsRegion.key]?.origin == .defaultValue {
            let name = awsEnvironment["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? "default"
            if let region = AWSProfileFiles(environment: awsEnvironment).profile(name)?["region"], !region.isEmpty {
                return region
            }
        }
        return try required(.awsRegion)
    }

    /// Where a setting came from, in words that fit after "from".
    private func originText(_ setting: Setting) -> String {
        switch resolved[setting.key]?.origin {
        case .flag(let flag)?: return "flag \(flag)"
        case .environment?: return "environment"
        case .dotEnv(let path, _)?: return ".env \(path)"
        case .stackFile(let path)?: return "stack file \(path)"
        case let origin?: return origin.description
        case nil: return "?"
        }
    }
}
