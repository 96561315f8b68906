import Parquet
import S3

/// A lake object as `sluice lake ls` shows it.
public struct LakeObject: Sendable {
    public var key: String
    public var size: Int
    public var table: String
    public var day: String
    public var partition: Int32
    public var firstOffset: Int64
    public var lastOffset: Int64?
    public var rows: Int?
}

/// Lists lake objects with their row counts and offset ranges, read from
/// Parquet footers (two small range reads per object, never the rows).
public struct LakeListing: Sendable {
    let s3: S3Client
    let bucket: String
    let layout: LakeLayout

    public init(s3: S3Client, bucket: String, layout: LakeLayout) {
        self.s3 = s3
        self.bucket = bucket
        self.layout = layout
    }

    /// A Parquet object's footer (schema, row count, key-value metadata), read with two range GETs.
    public static func footer(s3: S3Client, bucket: String, key: String, size: Int) async throws -> ParquetReader {
        let tail = try await s3.getObject(bucket: bucket, key: key, range: (size - 8)...(size - 1))
        let length = try ParquetReader.footerLength(lastEightBytes: tail)
        return try ParquetReader(footerTail: try await s3.getObject(bucket: bucket, key: key, range: (size - 8 - length)...(size - 1)))
    }

    public func list(table: String?) async throws -> [LakeObject] {
        var objects: [LakeObject] = []
        for info in try await s3.listAllObjects(bucket: bucket, prefix: layout.prefix(table: table)) {
            guard let parts = LakeLayout.parse(info.key) else { continue }
            var object = LakeObject(key: info.key, size: info.size, table: parts.table, day: parts.day,
                                    partition: parts.partition, firstOffset: parts.firstOffset)
            if info.key.hasSuffix(".parquet"), info.size >= 12 {
                let reader = try await Self.footer(s3: s3, bucket: bucket, key: info.key, size: info.size)
                object.rows = reader.rowCount
                object.lastOffset = reader.metadata["sluice.last_offset"].flatMap { Int64($0) }
            } else if info.key.hasSuffix(".jsonl.gz") {
                let lines = try Gzip.decompress(try await s3.getObject(bucket: bucket, key: info.key))
                object.rows = lines.filter { $0 == 0x0A }.count
            }
            objects.append(object)
        }
        return objects
    }
}
