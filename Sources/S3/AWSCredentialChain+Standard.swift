import AsyncHTTPClient

extension AWSCredentialChain {
    /// The AWS SDKs' default order: static keys, web identity
    /// (`AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`), the profile
    /// (`AWS_PROFILE`), ECS container credentials, EC2 instance metadata.
    ///
    /// - Parameters:
    ///   - staticKeys: keys from the configuration, if any, and where they came from.
    ///   - environment: where the other sources' variables are read (the
    ///     process environment in the CLI; tests pass their own).
    ///   - region: the region whose STS endpoint is used.
    public static func standard(staticKeys: AWSCredentials? = nil, staticSource: String = "static keys",
                                environment: [String: String], region: String,
                                httpClient: HTTPClient = .shared) -> AWSCredentialChain {
        AWSCredentialChain([
            StaticCredentialProvider(staticKeys, source: staticSource),
            WebIdentityCredentialProvider(environment: environment, region: region, httpClient: httpClient),
            ProfileCredentialProvider(environment: environment),
            ContainerCredentialProvider(environment: environment, httpClient: httpClient),
            InstanceMetadataCredentialProvider(environment: environment, httpClient: httpClient),
        ])
    }
}
