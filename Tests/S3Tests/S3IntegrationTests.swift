import Foundation
import Pipeline
import S3
import SluiceSupport
import SluiceTestSupport
import Testing

/// The S3 client against the stack's SeaweedFS, which only accepts SigV4-signed requests.
@Suite(.serialized) struct S3IntegrationTests {
    let client: S3Client
    let bucket: String
    let prefix = "test-s3/\(UUID().uuidString)/"

    init() throws {
        let config = try TestStack.config()
        client = S3Client(configuration: try config.s3())
        bucket = try config.bucket()
    }

    @Test func putGetHeadDelete() async throws {
        let key = prefix + "dir/hello world+ü.txt"
        let body = Array("Grüße from Sluice\n".utf8)
        let etag = try await client.putObject(bucket: bucket, key: key, body: body, contentType: "text/plain")
        #expect(!etag.isEmpty)

        #expect(try await client.getObject(bucket: bucket, key: key) == body)
        #expect(try await client.getObject(bucket: bucket, key: key, range: 0...4) == Array(body[0...4]))

        let info = try await client.headObject(bucket: bucket, key: key)
        #expect(info.size == body.count)
        #expect(info.etag == etag)

        try await client.deleteObject(bucket: bucket, key: key)
        let error = await #expect(throws: S3Error.self) { try await client.headObject(bucket: bucket, key: key) }
        #expect(error?.code == .noSuchKey)
    }

    @Test func listWithPrefixAndContinuation() async throws {
        let listPrefix = prefix + "list/"
        let keys = (0..<7).map { listPrefix + String(format: "item-%02d", $0) }
        for key in keys { try await client.putObject(bucket: bucket, key: key, body: Array(key.utf8)) }
        try await client.putObject(bucket: bucket, key: prefix + "other", body: [1])

        let first = try await client.listObjects(bucket: bucket, prefix: listPrefix, maxKeys: 3)
        #expect(first.objects.map(\.key) == Array(keys[0..<3]))
        let token = try #require(first.continuationToken)
        let second = try await client.listObjects(bucket: bucket, prefix: listPrefix, maxKeys: 3, continuationToken: token)
        #expect(second.objects.map(\.key) == Array(keys[3..<6]))

        let all = try await client.listAllObjects(bucket: bucket, prefix: listPrefix)
        #expect(all.map(\.key) == keys)
        #expect(all.allSatisfy { $0.size == $0.key.utf8.count })

        for key in keys + [prefix + "other"] { try await client.deleteObject(bucket: bucket, key: key) }
        #expect(try await client.listAllObjects(bucket: bucket, prefix: prefix).isEmpty)
    }

    @Test func multipartUploadOf20MiB() async throws {
        let key = prefix + "big.bin"
        var body = [UInt8](repeating: 0, count: 20 << 20)
        body.withUnsafeMutableBytes { raw in
            for index in stride(from: 0, to: raw.count, by: 8) {
                raw.storeBytes(of: UInt64.random(in: .min ... .max), toByteOffset: index, as: UInt64.self)
            }
        }
        var settings = client.configuration
        settings.multipartThreshold = 8 << 20
        settings.partSize = 5 << 20
        let multipart = S3Client(configuration: settings)
        let etag = try await multipart.putObject(bucket: bucket, key: key, body: body)
        #expect(etag.hasSuffix("-4"), "a 4-part upload has an ETag ending in -4, got \(etag)")

        let info = try await client.headObject(bucket: bucket, key: key)
        #expect(info.size == body.count)
        let back = try await client.getObject(bucket: bucket, key: key)
        #expect(back.count == body.count)
        #expect(back == body)
        try await client.deleteObject(bucket: bucket, key: key)
    }

    @Test func wrongSecretIsRejectedWithTheCause() async throws {
        var settings = client.configuration
        settings.credentials.secretAccessKey = Secret("not-the-secret")
        let wrong = S3Client(configuration: settings)
        let error = await #expect(throws: S3Error.self) {
            try await wrong.putObject(bucket: bucket, key: prefix + "denied", body: [1, 2, 3])
        }
        #expect(error?.code == .accessDenied)
        #expect(error?.status == 403)
        #expect(error?.s3Code == "SignatureDoesNotMatch")
        #expect(error?.summary.contains("AWS_SECRET_ACCESS_KEY") == true)
        #expect(error?.summary.contains("not-the-secret") == false)
        // Nothing was stored.
        await #expect(throws: S3Error.self) { try await client.headObject(bucket: bucket, key: prefix + "denied") }
    }

    @Test func missingBucketIsNamed() async throws {
        let error = await #expect(throws: S3Error.self) { try await client.headBucket("no-such-bucket-\(UUID().uuidString.prefix(8).lowercased())") }
        #expect(error?.code == .noSuchBucket)
    }
}
