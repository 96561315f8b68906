import Foundation

/// One page of a listing.
public struct S3ListPage: Sendable {
    public var objects: [S3ObjectInfo]
    /// Pass to the next call to continue; `nil` on the last page.
    public var continuationToken: String?
}

extension S3Client {
    /// One page of `ListObjectsV2`.
    public func listObjects(bucket: String, prefix: String = "", maxKeys: Int = 1000,
                            continuationToken: String? = nil, startAfter: String? = nil) async throws -> S3ListPage {
        var query: [(name: String, value: String)] = [("list-type", "2"), ("max-keys", String(maxKeys))]
        if !prefix.isEmpty { query.append(("prefix", prefix)) }
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        if let startAfter { query.append(("start-after", startAfter)) }
        let response = try await send(method: .GET, bucket: bucket, query: query)
        guard let xml = XMLElementTree.parse(Data(response.body.readableBytesView)), xml.name == "ListBucketResult" else {
            throw S3Error(code: .badResponse, status: response.status, operation: "GET s3://\(bucket)?list-type=2",
                          message: "the listing is not a ListBucketResult document")
        }
        let objects = xml.all("Contents").map { entry in
            S3ObjectInfo(key: entry.text("Key") ?? "", size: Int(entry.text("Size") ?? "") ?? 0,
                         etag: (entry.text("ETag") ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "\"")),
                         lastModified: entry.text("LastModified"))
        }
        let truncated = xml.text("IsTruncated") == "true"
        return S3ListPage(objects: objects, continuationToken: truncated ? xml.text("NextContinuationToken") : nil)
    }

    /// Every object under a prefix, following continuation tokens, in key order.
    public func listAllObjects(bucket: String, prefix: String = "", startAfter: String? = nil) async throws -> [S3ObjectInfo] {
        var all: [S3ObjectInfo] = []
        var token: String?
        repeat {
            let page = try await listObjects(bucket: bucket, prefix: prefix, continuationToken: token,
                                             startAfter: token == nil ? startAfter : nil)
            all += page.objects
            token = page.continuationToken
        } while token != nil
        return all
    }
}
