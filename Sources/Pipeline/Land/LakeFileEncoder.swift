import Parquet

/// Encodes a batch as a lake object.
enum LakeFileEncoder {
    /// Rows per Parquet row group: bounds the writer's working memory within a batch.
    static let rowGroupRows = 65_536

    static func encode(_ batch: PartitionBatch, schema: TableSchema, format: LandOptions.Format,
                       compression: ParquetCompression) throws -> [UInt8] {
        switch format {
        case .parquet: return try parquet(batch, schema: schema, compression: compression)
        case .jsonl: return try Gzip.compress(jsonLines(batch, schema: schema))
        }
    }

    static func parquet(_ batch: PartitionBatch, schema: TableSchema, compression: ParquetCompression) throws -> [UInt8] {
        let fileSchema = LakeFileSchema(table: schema)
        var writer = ParquetWriter(columns: fileSchema.columns, options: .init(compression: compression))
        for start in stride(from: 0, to: batch.rows.count, by: rowGroupRows) {
            let range = start..<min(start + rowGroupRows, batch.rows.count)
            try writer.writeRowGroup(fileSchema.values(rows: batch.rows[range], columns: batch.columns, range: range))
        }
        return writer.finish(metadata: metadata(batch, schema: schema))
    }

    /// One JSON object per row: the table's columns exactly as in the event (nulls for a truncate),
    /// then the metadata columns.
    static func jsonLines(_ batch: PartitionBatch, schema: TableSchema) -> [UInt8] {
        var output: [UInt8] = []
        for (index, row) in batch.rows.enumerated() {
            output.append(UInt8(ascii: "{"))
            let image = index < batch.images.count ? batch.images[index] : []
            if image.count > 2 {
                output += image[1..<(image.count - 1)]
            } else {
                var nulls = JSONWriter(capacity: 64)
                nulls.beginObject()
                for column in schema.columns { nulls.key(column.name); nulls.null() }
                nulls.endObject()
                output += nulls.bytes.dropFirst().dropLast()
            }
            var writer = JSONWriter(capacity: 256)
            writer.beginObject()
            writer.key("_op"); writer.string(row.operation)
            writer.key("_source_ts_ms"); writer.number(row.sourceTimestampMilliseconds)
            writer.key("_source_pos"); writer.string(row.sourcePosition)
            writer.key("_source_row"); writer.number(row.sourceRow)
            writer.key("_source_gtid"); if let gtid = row.sourceGTID { writer.string(gtid) } else { writer.null() }
            writer.key("_snapshot"); writer.bool(row.snapshot)
            writer.key("_schema_version"); writer.number(row.schemaVersion)
            writer.key("_kafka_partition"); writer.number(row.partition)
            writer.key("_kafka_offset"); writer.number(row.offset)
            writer.key("_source_seq"); writer.number(row.sourceSequence)
            writer.endObject()
            if output.last != UInt8(ascii: "{") { output.append(UInt8(ascii: ",")) }
            output += writer.bytes.dropFirst()
            output.append(0x0A)
        }
        return output
    }

    /// Footer metadata that `sluice lake ls` and the load stage read without scanning rows.
    static func metadata(_ batch: PartitionBatch, schema: TableSchema) -> [(key: String, value: String)] {
        var entries: [(key: String, value: String)] = [
            ("sluice.table", schema.table),
            ("sluice.schema_version", String(schema.version)),
            ("sluice.key", schema.key.joined(separator: ",")),
            ("sluice.has_primary_key", String(schema.hasPrimaryKey)),
            ("sluice.topic", batch.partition.topic),
            ("sluice.partition", String(batch.partition.partition)),
            ("sluice.first_offset", String(batch.firstOffset)),
            ("sluice.last_offset", String(batch.nextOffset - 1)),
            ("sluice.rows", String(batch.rows.count)),
        ]
        // Rows of the table before the floor are superseded (a snapshot, truncate or drop began there).
        if let floor = schema.floorOrder {
            entries += [("sluice.floor_seq", String(floor.sequence)), ("sluice.floor_pos", String(floor.position))]
        }
        if schema.dropped { entries.append(("sluice.dropped", "true")) }
        return entries
    }
}
