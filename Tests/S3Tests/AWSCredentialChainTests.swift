import Foundation
import Pipeline
import S3
import SluiceSupport
import SluiceTestSupport
import Testing

/// The AWS credential chain, each source ending in a real put/get against the
/// stack's SeaweedFS with the credentials it produced. STS, the ECS endpoint
/// and EC2's instance metadata cannot run here: `FakeCredentialEndpoints`
/// starts a local HTTP server that answers as the AWS documentation
/// specifies, handing out the stack's real SeaweedFS keys. Those fakes give
/// no session token for the round trips, because SeaweedFS rejects a request
/// carrying a session token it did not issue (InvalidAccessKeyId).
@Suite(.serialized) struct AWSCredentialChainTests {
    let config: SluiceConfig
    let accessKey: String
    let secretKey: String
    let bucket: String
    let prefix = "test-aws-credentials/\(UUID().uuidString)/"

    init() throws {
        config = try TestStack.config()
        accessKey = try #require(config[.awsAccessKeyID])
        secretKey = try #require(config[.awsSecretAccessKey])
        bucket = try config.bucket()
    }

    /// Fresh credentials for the fakes to hand out.
    var stackKeys: FakeCredentialEndpoints.State { .init(access_key: accessKey, secret_key: secretKey) }

    /// An environment with nothing set but what a test adds (no real `~/.aws`, no IMDS).
    func environment(_ extra: [String: String], home: String) -> [String: String] {
        ["HOME": home, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
         "AWS_EC2_METADATA_DISABLED": "true"].merging(extra) { _, new in new }
    }

    /// Puts, reads back and deletes an object through a client signing with the chain.
    func roundTrip(_ chain: AWSCredentialChain, _ name: String) async throws {
        let client = S3Client(configuration: S3Client.Configuration(endpoint: config[.s3Endpoint], region: try #require(config[.awsRegion]),
                                                                    credentialSource: .chain(chain)))
        let key = prefix + name
        let body = Array("through \(name)".utf8)
        try await client.putObject(bucket: bucket, key: key, body: body)
        #expect(try await client.getObject(bucket: bucket, key: key) == body)
        try await client.deleteObject(bucket: bucket, key: key)
    }

    @Test func webIdentityAssumesTheRoleAndRereadsTheTokenFile() async throws {
        let fake = try FakeCredentialEndpoints(stackKeys)
        let tokenFile = try fake.file("token", contents: "eyJ-first-token\n")
        let role = "arn:aws:iam::123456789012:role/sluice-lake-writer"
        let chain = AWSCredentialChain.standard(environment: environment([
            "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile, "AWS_ROLE_ARN": role, "AWS_ROLE_SESSION_NAME": "sluice-test",
            "AWS_ENDPOINT_URL_STS": fake.url,
        ], home: fake.directory.path), region: "us-east-1")

        try await roundTrip(chain, "web-identity-1")
        #expect(try await chain.source() == "web identity (role \(role))")
        var calls = try fake.requests()
        #expect(calls.count == 1, "one STS call for several S3 requests: \(calls.map(\.path))")
        let first = try #require(calls.first)
        #expect(first.method == "POST")
        #expect(first.headers["authorization"] == nil, "AssumeRoleWithWebIdentity is not signed")
        #expect(first.form["Action"] == "AssumeRoleWithWebIdentity")
        #expect(first.form["Version"] == "2011-06-15")
        #expect(first.form["RoleArn"] == role)
        #expect(first.form["RoleSessionName"] == "sluice-test")
        #expect(first.form["WebIdentityToken"] == "eyJ-first-token")

        // Kubernetes rotates the token: a refresh reads the file again.
        try "eyJ-second-token".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        try await chain.refresh()
        try await roundTrip(chain, "web-identity-2")
        calls = try fake.requests()
        #expect(calls.count == 2)
        #expect(calls.last?.form["WebIdentityToken"] == "eyJ-second-token")

        // STS's session token reaches the credentials (and so x-amz-security-token).
        var withToken = stackKeys
        withToken.token = "sts-session-token"
        try fake.update(withToken)
        let refreshed = try await chain.refresh()
        #expect(refreshed.sessionToken?.value == "sts-session-token")
        #expect(refreshed.accessKeyID == accessKey)
        #expect(refreshed.expiration.map { $0.timeIntervalSinceNow > 3000 } == true)
    }

    @Test func profileWithStaticKeys() async throws {
        let fake = try FakeCredentialEndpoints(stackKeys)
        let credentials = try fake.file("credentials", contents: """
            [default]
            aws_access_key_id = AKIDWRONGDEFAULT
            aws_secret_access_key = wrong-default-secret

            [dev]
            # the stack's keys
            aws_access_key_id = \(accessKey)
            aws_secret_access_key = \(secretKey)
            """)
        let configFile = try fake.file("config", contents: "[profile dev]\nregion = eu-west-3\n")
        let env = environment(["AWS_PROFILE": "dev", "AWS_SHARED_CREDENTIALS_FILE": credentials, "AWS_CONFIG_FILE": configFile],
                              home: fake.directory.path)
        let chain = AWSCredentialChain.standard(environment: env, region: "us-east-1")
        try await roundTrip(chain, "profile-keys")
        #expect(try await chain.source() == "profile dev (keys in \(credentials))")

        // The default profile is the one in the file when AWS_PROFILE is unset (its keys are not the stack's).
        var defaultEnvironment = env
        defaultEnvironment["AWS_PROFILE"] = nil
        let defaultKeys = try await AWSCredentialChain.standard(environment: defaultEnvironment, region: "us-east-1").credentials()
        #expect(defaultKeys.accessKeyID == "AKIDWRONGDEFAULT")

        // Without AWS_REGION anywhere, SluiceConfig signs for the profile's region.
        let emptyStack = try fake.file("stack.env", contents: "")
        let loaded = try SluiceConfig.load(environment: env.merging(["SLUICE_STACK_FILE": emptyStack]) { _, new in new },
                                           workingDirectory: fake.directory.path)
        #expect(try loaded.s3().region == "eu-west-3")
        #expect(try await loaded.s3().credentialSource.describe() == "profile dev (keys in \(credentials))")
    }

    @Test func profileWithCredentialProcess() async throws {
        let fake = try FakeCredentialEndpoints(stackKeys)
        let argumentsFile = fake.directory.appendingPathComponent("arguments").path
        try FileManager.default.createDirectory(at: fake.directory.appendingPathComponent("with space"), withIntermediateDirectories: true)
        let script = try fake.file("with space/credentials helper", contents: """
            #!/bin/sh
            printf '%s\\n' "$@" > '\(argumentsFile)'
            echo '{"Version": 1, "AccessKeyId": "\(accessKey)", "SecretAccessKey": "\(secretKey)", "Expiration": "2099-01-01T00:00:00Z"}'
            """, executable: true)
        let configFile = try fake.file("config", contents: """
            [profile proc]
            credential_process = "\(script)" --role 'lake writer' plain\\ escaped "double \\"quoted\\""
            """)
        let chain = AWSCredentialChain.standard(environment: environment(["AWS_PROFILE": "proc", "AWS_CONFIG_FILE": configFile],
                                                                         home: fake.directory.path), region: "us-east-1")
        try await roundTrip(chain, "credential-process")
        #expect(try await chain.source() == "profile proc (credential_process)")
        let arguments = try String(contentsOfFile: argumentsFile, encoding: .utf8)
        #expect(arguments == "--role\nlake writer\nplain escaped\ndouble \"quoted\"\n")
        #expect(try await chain.credentials().expiration == parseDate("2099-01-01T00:00:00Z"))
    }

    @Test func failingCredentialProcessIsOneLineWithoutTheSecret() async throws {
        let fake = try FakeCredentialEndpoints(stackKeys)
        let script = try fake.file("failing-helper", contents: """
            #!/bin/sh
            echo '{"Version": 1, "AccessKeyId": "AKIDLEAKED", "SecretAccessKey": "leaked-secret-value"}'
            echo 'session expired: run helper login' >&2
            echo 'second line leaked-secret-value' >&2
            exit 3
            """, executable: true)
        let configFile = try fake.file("config", contents: "[default]\ncredential_process = \(script) --profile x\n")
        let chain = AWSCredentialChain.standard(environment: environment(["AWS_CONFIG_FILE": configFile], home: fake.directory.path),
                                                region: "us-east-1")
        let error = await #expect(throws: S3Error.self) { try await chain.credentials() }
        let summary = error?.summary ?? ""
        #expect(error?.code == .credentialSource)
        #expect(summary.contains("profile default"), "\(summary)")
        #expect(summary.contains("exited with status 3: session expired: run helper login"), "\(summary)")
        #expect(!summary.contains("leaked-secret-value"))
        #expect(!summary.contains("second line"))
        #expect(!summary.contains("\n"))
    }

    @Test func ecsContainerCredentialsWithAnAuthorizationTokenFile() async throws {
        var state = stackKeys
        state.authorization = "ecs-authorization-from-file"
        let fake = try FakeCredentialEndpoints(state)
        let tokenFile = try fake.file("ecs-token", contents: "ecs-authorization-from-file\n")
        let chain = AWSCredentialChain.standard(environment: environment([
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": fake.url + "/ecs/v1/credentials",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile,
            // The file wins over the variable.
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "stale-token-from-variable",
        ], home: fake.directory.path), region: "us-east-1")
        try await roundTrip(chain, "ecs")
        #expect(try await chain.source() == "ECS container credentials (\(fake.url))")
        let calls = try fake.requests()
        #expect(calls.map(\.path) == ["/ecs/v1/credentials"])
        #expect(calls.first?.method == "GET")
        #expect(calls.first?.headers["authorization"] == "ecs-authorization-from-file")

        // A plain-http full URI must not leave the machine (the SDKs' rule).
        let remote = AWSCredentialChain.standard(environment: environment([
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://203.0.113.9/creds",
        ], home: fake.directory.path), region: "us-east-1")
        let error = await #expect(throws: S3Error.self) { try await remote.credentials() }
        #expect(error?.summary.contains("loopback") == true, "\(error?.summary ?? "")")
    }

    @Test func ec2InstanceMetadataV2() async throws {
        let fake = try FakeCredentialEndpoints(stackKeys)
        let env = environment(["AWS_EC2_METADATA_SERVICE_ENDPOINT": fake.url, "AWS_EC2_METADATA_DISABLED": "false"],
                              home: fake.directory.path)
        let chain = AWSCredentialChain.standard(environment: env, region: "us-east-1")
        try await roundTrip(chain, "imds")
        #expect(try await chain.source() == "EC2 instance profile (role sluice-role, IMDSv2 at \(fake.url))")

        let calls = try fake.requests()
        #expect(calls.map { "\($0.method) \($0.path)" } == [
            "PUT /latest/api/token",
            "GET /latest/meta-data/iam/security-credentials/",
            "GET /latest/meta-data/iam/security-credentials/sluice-role",
        ])
        #expect(calls.first?.headers["x-aws-ec2-metadata-token-ttl-seconds"] == "21600")
        #expect(calls.first?.headers["x-aws-ec2-metadata-token"] == nil)
        for call in calls.dropFirst() {
            #expect(call.headers["x-aws-ec2-metadata-token"] == "imds-session-1")
        }
    }

    @Test func expiringCredentialsAreRefreshedAndConcurrentCallersShareOneFetch() async throws {
        var state = stackKeys
        // 4 s: the first round trip (a put and a get) must end before 80 % of it, also when every suite runs at once.
        state.expires_in = 4
        let fake = try FakeCredentialEndpoints(state)
        let chain = AWSCredentialChain.standard(environment: environment([
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": fake.url + "/ecs/short-lived",
        ], home: fake.directory.path), region: "us-east-1")

        try await roundTrip(chain, "short-lived-1")
        #expect(try fake.requests().count == 1)
        #expect(await chain.fetchCount == 1)

        // Past 80 % of a 4 s lifetime (and past expiry): the next request fetches again.
        try await Task.sleep(for: .milliseconds(4_400))
        try await roundTrip(chain, "short-lived-2")
        #expect(try fake.requests().count == 2)

        // Ten concurrent requests at refresh time: one fetch between them.
        try await Task.sleep(for: .milliseconds(4_400))
        try await withThrowingTaskGroup(of: AWSCredentials.self) { group in
            for _ in 0..<10 { group.addTask { try await chain.credentials() } }
            for try await credentials in group { #expect(credentials.accessKeyID == accessKey) }
        }
        #expect(try fake.requests().count == 3)
        #expect(await chain.fetchCount == 3)
    }

    @Test func nothingConfiguredIsOneLineSayingWhatWasTriedAndWhatToSet() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-empty-home-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        // IMDS is left on but points at a closed port: it must fail fast, not hang.
        let chain = AWSCredentialChain.standard(environment: environment([
            "AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:9",
        ], home: home.path), region: "us-east-1")
        let started = ContinuousClock.now
        let error = await #expect(throws: S3Error.self) { try await chain.credentials() }
        #expect(ContinuousClock.now - started < .seconds(5))
        let summary = error?.summary ?? ""
        #expect(error?.code == .noCredentials)
        for tried in ["AWS_ACCESS_KEY_ID", "AWS_WEB_IDENTITY_TOKEN_FILE", "profile default", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                      "EC2 instance metadata", "http://127.0.0.1:9"] {
            #expect(summary.contains(tried), "\(tried) missing from: \(summary)")
        }
        #expect(summary.contains("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE"))
        #expect(!summary.contains("\n"))

        // A named profile that does not exist is an error of its own, not a fall-through.
        let named = AWSCredentialChain.standard(environment: environment(["AWS_PROFILE": "nope"], home: home.path), region: "us-east-1")
        let missing = await #expect(throws: S3Error.self) { try await named.credentials() }
        #expect(missing?.code == .credentialSource)
        #expect(missing?.summary.contains("profile nope: not found") == true, "\(missing?.summary ?? "")")
    }

    @Test func sluiceConfigUsesStaticKeysElseTheChainAndDoctorNamesTheSource() async throws {
        // The stack file's keys: static, and doctor says where they came from.
        let stackOnly = try SluiceConfig.load(environment: ["SLUICE_STACK_FILE": TestStack.stackFile], workingDirectory: TestStack.root.path)
        let fromStack = try stackOnly.s3()
        #expect(try await fromStack.credentialSource.describe() == "static (AWS_ACCESS_KEY_ID from stack file \(TestStack.stackFile))")

        // No static keys: the chain from the environment given to SluiceConfig.load.
        let fake = try FakeCredentialEndpoints(stackKeys)
        let tokenFile = try fake.file("token", contents: "eyJ-config-token")
        let role = "arn:aws:iam::123456789012:role/x"
        let loaded = try SluiceConfig.load(
            flags: ["AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""],
            environment: environment(["AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile, "AWS_ROLE_ARN": role, "AWS_ENDPOINT_URL_STS": fake.url,
                                      "SLUICE_STACK_FILE": TestStack.stackFile], home: fake.directory.path),
            workingDirectory: TestStack.root.path)
        guard case .chain = try loaded.s3().credentialSource else {
            Issue.record("expected the credential chain without static keys")
            return
        }
        let checks = await Doctor.run(loaded)
        let s3 = try #require(checks.first { $0.name == "S3" })
        #expect(s3.ok, "\(s3.detail)")
        #expect(s3.detail.contains("credentials: web identity (role \(role))"), "\(s3.detail)")
        #expect(!s3.detail.contains(secretKey))
        #expect(try fake.requests().first?.form["WebIdentityToken"] == "eyJ-config-token")
    }
}

private func parseDate(_ text: String) -> Date? {
    let formatter = ISO8601DateFormatter()
    return formatter.date(from: text)
}
