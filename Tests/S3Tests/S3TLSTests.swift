import Foundation
import Pipeline
import S3
import SluiceSupport
import SluiceTestSupport
import Testing

/// S3 over HTTPS: the stack's SeaweedFS serves its S3 API with a certificate for `localhost`
/// from the stack's own CA on `SLUICE_S3_TLS_ENDPOINT`.
@Suite struct S3TLSTests {
    static func config(endpoint: String, bundle: String?) throws -> SluiceConfig {
        var flags = ["S3_ENDPOINT": endpoint]
        if let bundle { flags["AWS_CA_BUNDLE"] = bundle }
        return try TestStack.config(flags: flags)
    }

    @Test func httpsWithTheCABundleStoresAndReads() async throws {
        let values = try TestStack.stackValues()
        let endpoint = try #require(values["SLUICE_S3_TLS_ENDPOINT"])
        let config = try Self.config(endpoint: endpoint, bundle: values["SLUICE_TLS_CA"])
        let client = S3Client(configuration: try config.s3())
        let key = "test-tls/\(UUID().uuidString)"
        let body = Array("over TLS\n".utf8)
        _ = try await client.putObject(bucket: try config.bucket(), key: key, body: body, contentType: "text/plain")
        #expect(try await client.getObject(bucket: try config.bucket(), key: key) == body)
        try await client.deleteObject(bucket: try config.bucket(), key: key)
    }

    @Test func untrustedCertificateFailsAtOnceNamingTheSetting() async throws {
        let values = try TestStack.stackValues()
        let endpoint = try #require(values["SLUICE_S3_TLS_ENDPOINT"])
        for bundle in [nil, values["SLUICE_TLS_OTHER_CA"]] {
            let config = try Self.config(endpoint: endpoint, bundle: bundle)
            let client = S3Client(configuration: try config.s3())
            let started = Date()
            let error = await #expect(throws: S3Error.self) { try await client.headBucket(try config.bucket()) }
            #expect(error?.summary.contains("AWS_CA_BUNDLE") == true, "\(error?.summary ?? "")")
            #expect(error?.summary.contains(endpoint) == true)
            // The HTTP client gives up on the handshake after its 10 s connect timeout; Sluice adds no retries (8 would take minutes).
            #expect(Date().timeIntervalSince(started) < 30, "no retries for a certificate")
        }
    }

    @Test func hostNameNotInTheCertificateIsRefused() async throws {
        let values = try TestStack.stackValues()
        let endpoint = try #require(values["SLUICE_S3_TLS_ENDPOINT"]).replacingOccurrences(of: "localhost", with: "127.0.0.1")
        let config = try Self.config(endpoint: endpoint, bundle: values["SLUICE_TLS_CA"])
        let error = await #expect(throws: S3Error.self) { try await S3Client(configuration: try config.s3()).headBucket(try config.bucket()) }
        #expect(error?.summary.contains("does not name 127.0.0.1") == true, "\(error?.summary ?? "")")
    }

    @Test func badBundleAndPlainHTTPElsewhereAreSaid() throws {
        let notPEM = FileManager.default.temporaryDirectory.appendingPathComponent("not-a-bundle-\(UUID().uuidString).pem")
        try "hello".write(to: notPEM, atomically: true, encoding: .utf8)
        let config = try Self.config(endpoint: "https://localhost:1", bundle: notPEM.path)
        let error = #expect(throws: S3Error.self) { _ = try config.s3() }
        #expect(error?.summary.contains(notPEM.path) == true)

        let remote = try TestStack.config(flags: ["S3_ENDPOINT": "http://minio.internal:9000"])
        #expect(remote.warnings.contains { $0.contains("http://minio.internal:9000") && $0.contains("unencrypted") })
        #expect(try TestStack.config().warnings.allSatisfy { !$0.contains("unencrypted") })
    }
}
