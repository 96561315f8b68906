import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// What HEAD (or a PUT) says about an object.
public struct S3ObjectInfo: Sendable, Hashable {
    public var key: String
    public var size: Int
    /// The entity tag without quotes.
    public var etag: String
    public var lastModified: String?
}

extension S3Client {
    /// Stores an object, in parts when it is larger than `multipartThreshold`.
    /// Returns the stored object's entity tag.
    @discardableResult
    public func putObject(bucket: String, key: String, body: [UInt8], contentType: String = "application/octet-stream")
        async throws -> String {
        if body.count > configuration.multipartThreshold {
            return try await putObjectInParts(bucket: bucket, key: key, body: body, contentType: contentType)
        }
        let response = try await send(method: .PUT, bucket: bucket, key: key,
                                      headers: [("content-type", contentType)], body: ByteBuffer(bytes: body))
        return S3Client.etag(response.headers)
    }

    /// Reads a whole object (up to `maxBytes`), or a byte range of it.
    public func getObject(bucket: String, key: String, range: ClosedRange<Int>? = nil,
                          maxBytes: Int = 1 << 30) async throws -> [UInt8] {
        var headers: [(name: String, value: String)] = []
        if let range { headers.append(("range", "bytes=\(range.lowerBound)-\(range.upperBound)")) }
        let response = try await send(method: .GET, bucket: bucket, key: key, headers: headers, maxResponseBytes: maxBytes)
        return Array(response.body.readableBytesView)
    }

    /// Size and entity tag of an object; throws `.noSuchKey` if it is absent.
    public func headObject(bucket: String, key: String) async throws -> S3ObjectInfo {
        let response = try await send(method: .HEAD, bucket: bucket, key: key)
        return S3ObjectInfo(key: key, size: Int(response.headers.first(name: "content-length") ?? "") ?? 0,
                            etag: S3Client.etag(response.headers),
                            lastModified: response.headers.first(name: "last-modified"))
    }

    /// Deletes an object. Deleting an absent key succeeds, as in S3.
    public func deleteObject(bucket: String, key: String) async throws {
        _ = try await send(method: .DELETE, bucket: bucket, key: key)
    }

    /// Whether the bucket exists and these credentials may use it.
    /// Throws `.noSuchBucket` or `.accessDenied` with the reason.
    public func headBucket(_ bucket: String) async throws {
        do {
            _ = try await send(method: .HEAD, bucket: bucket)
        } catch var error as S3Error where error.status == 404 {
            error.code = .noSuchBucket
            error.message = "bucket \(bucket) does not exist"
            throw error
        } catch var error as S3Error where error.status == 403 && error.s3Code == nil {
            // HEAD responses carry no body, so the reason is not known; a GET tells it.
            do {
                _ = try await listObjects(bucket: bucket, maxKeys: 1)
            } catch let detailed as S3Error {
                throw detailed
            }
            error.message = "access denied"
            throw error
        }
    }

    /// Creates a bucket (in the configured region); an existing bucket that
    /// these credentials own is not an error.
    public func createBucket(_ bucket: String) async throws {
        var body: ByteBuffer?
        if configuration.region != "us-east-1" {
            body = ByteBuffer(string: "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                + "<LocationConstraint>\(xmlEscape(configuration.region))</LocationConstraint></CreateBucketConfiguration>")
        }
        do {
            _ = try await send(method: .PUT, bucket: bucket, body: body)
        } catch let error as S3Error where error.s3Code == "BucketAlreadyOwnedByYou" || error.s3Code == "BucketAlreadyExists" {
            try await headBucket(bucket)
        }
    }

    /// Deletes an empty bucket.
    public func deleteBucket(_ bucket: String) async throws {
        _ = try await send(method: .DELETE, bucket: bucket)
    }

    static func etag(_ headers: HTTPHeaders) -> String {
        (headers.first(name: "etag") ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }
}
