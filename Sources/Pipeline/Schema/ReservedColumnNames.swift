/// Column names Sluice gives its own columns downstream: the lake files' metadata columns and
/// staging's source-order columns. A source column of one of these names would meet Sluice's
/// column of that name, so such a table stops at extract, saying which column to rename; every
/// other name (`_id`, `_n`, `n`, …) is carried as it is.
public enum ReservedColumnNames {
    /// The lake's metadata columns (`LakeFileSchema.metadataColumns`, in order).
    public static let lake = ["_op", "_source_ts_ms", "_source_pos", "_source_row", "_source_gtid", "_snapshot",
                              "_schema_version", "_kafka_partition", "_kafka_offset", "_source_seq"]
    /// Staging's source-order columns (`StagingTable.metadataColumns`, in order).
    public static let staging = ["_src_file", "_src_seq", "_src_pos", "_src_row", "_src_ms"]

    /// Every reserved name.
    public static let all = Set(lake + staging)

    /// Whether a lake column is one of Sluice's metadata columns (not one of the table's).
    public static func isLakeMetadata(_ name: String) -> Bool { lakeSet.contains(name) }
    private static let lakeSet = Set(lake)
}
