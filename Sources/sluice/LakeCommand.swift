import ArgumentParser
import Pipeline
import S3

/// `sluice lake …`: the S3 data lake.
struct LakeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lake",
        abstract: "Work with the S3 data lake.",
        subcommands: [CreateBucket.self])

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
