import Foundation
import NIOCore

extension S3Client {
    /// Uploads `body` as a multipart upload with parts of `partSize` bytes;
    /// aborts the upload if any part fails, so no orphaned parts remain.
    func putObjectInParts(bucket: String, key: String, body: [UInt8], contentType: String) async throws -> String {
        let upload = try await createMultipartUpload(bucket: bucket, key: key, contentType: contentType)
        do {
            var parts: [(number: Int, etag: String)] = []
            var number = 1
            for start in stride(from: 0, to: body.count, by: configuration.partSize) {
                let end = min(start + configuration.partSize, body.count)
                let etag = try await uploadPart(bucket: bucket, key: key, uploadID: upload, number: number,
                                                bytes: body[start..<end])
                parts.append((number, etag))
                number += 1
            }
            return try await completeMultipartUpload(bucket: bucket, key: key, uploadID: upload, parts: parts)
        } catch {
            try? await abortMultipartUpload(bucket: bucket, key: key, uploadID: upload)
            throw error
        }
    }

    /// Starts a multipart upload and returns its id.
    public func createMultipartUpload(bucket: String, key: String, contentType: String = "application/octet-stream")
        async throws -> String {
        let response = try await send(method: .POST, bucket: bucket, key: key, query: [("uploads", "")],
                                      headers: [("content-type", contentType)])
        guard let id = XMLElementTree.parse(Data(response.body.readableBytesView))?.text("UploadId") else {
            throw S3Error(code: .badResponse, status: response.status, operation: "POST s3://\(bucket)/\(key)?uploads",
                          message: "no UploadId in the answer")
        }
        return id
    }

    /// Uploads part `number` (1-based) and returns its entity tag.
    public func uploadPart(bucket: String, key: String, uploadID: String, number: Int, bytes: ArraySlice<UInt8>)
        async throws -> String {
        let response = try await send(method: .PUT, bucket: bucket, key: key,
                                      query: [("partNumber", String(number)), ("uploadId", uploadID)],
                                      body: ByteBuffer(bytes: bytes))
        return S3Client.etag(response.headers)
    }

    /// Joins the parts into the object; returns the object's entity tag.
    public func completeMultipartUpload(bucket: String, key: String, uploadID: String,
                                        parts: [(number: Int, etag: String)]) async throws -> String {
        let partsXML = parts.map { "<Part><PartNumber>\($0.number)</PartNumber><ETag>\"\(xmlEscape($0.etag))\"</ETag></Part>" }
        let body = "<CompleteMultipartUpload>\(partsXML.joined())</CompleteMultipartUpload>"
        let response = try await send(method: .POST, bucket: bucket, key: key, query: [("uploadId", uploadID)],
                                      headers: [("content-type", "application/xml")], body: ByteBuffer(string: body))
        // S3 may answer 200 with an error document when completion fails late.
        let xml = XMLElementTree.parse(Data(response.body.readableBytesView))
        if let xml, xml.name == "Error" {
            throw S3Error(code: .serverError, status: response.status, s3Code: xml.text("Code"),
                          operation: "POST s3://\(bucket)/\(key)?uploadId", message: xml.text("Message") ?? "completion failed")
        }
        return (xml?.text("ETag") ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }

    /// Abandons a multipart upload and frees its parts.
    public func abortMultipartUpload(bucket: String, key: String, uploadID: String) async throws {
        _ = try await send(method: .DELETE, bucket: bucket, key: key, query: [("uploadId", uploadID)])
    }
}
