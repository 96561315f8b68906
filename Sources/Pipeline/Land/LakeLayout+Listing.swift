import S3

extension LakeLayout {
    /// The lake's data objects (Parquet and JSON Lines) of one table, or of every table:
    /// the keys `parse` accepts, so schema sidecars and manifests are left out.
    func dataObjects(s3: S3Client, bucket: String, table: String?) async throws -> [S3ObjectInfo] {
        try await s3.listAllObjects(bucket: bucket, prefix: prefix(table: table)).filter { Self.parse($0.key) != nil }
    }
}
