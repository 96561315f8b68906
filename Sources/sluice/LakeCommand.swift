import ArgumentParser
import Pipeline
import S3

/// `sluice lake …`: the S3 data lake.
struct LakeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lake",
        abstract: "Work with the S3 data lake.",
        subcommands: [List.self, CreateBucket.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ls",
            abstract: "List lake objects with row counts and offset ranges (from Parquet footers).")

        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Top folder of the lake in the bucket.") var lakeRoot = "raw"
        @Argument(help: "Only this table.") var table: String?

        func run() async throws {
            let config = try connection.load()
            let listing = LakeListing(s3: S3Client(configuration: try config.s3()), bucket: try config.bucket(),
                                      layout: LakeLayout(root: lakeRoot))
            let objects = try await listing.list(table: table)
            var output = TextTable("KEY", "ROWS", "OFFSETS", "BYTES")
            for object in objects {
                output.add(object.key, object.rows.map(String.init) ?? "?",
                           "\(object.firstOffset)…\(object.lastOffset.map(String.init) ?? "?")", String(object.size))
            }
            print(output.rendered)
            let rows = objects.compactMap(\.rows).reduce(0, +)
            print("\(objects.count) objects, \(rows) rows")
        }
    }

    struct CreateBucket: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create-bucket",
            abstract: "Create the lake bucket (S3_BUCKET) if it does not exist.")

        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            let config = try connection.load()
            let bucket = try config.bucket()
            let client = S3Client(configuration: try config.s3())
            try await client.createBucket(bucket)
            print("bucket \(bucket) is ready")
        }
    }
}
