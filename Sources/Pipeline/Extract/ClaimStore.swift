import Dispatch
import Foundation
import Kafka
import S3
import SluiceSupport

/// Where extract puts events too large for a Kafka message (see `ClaimCheck`): the lake bucket,
/// opened on first use, so a database without such rows needs no S3 settings for extract.
/// Used on extract's own thread only; uploads run on the async S3 client and are waited for.
final class ClaimStore {
    /// Events longer than this go to the bucket: `message.max.bytes` less room for the key and
    /// headers when the Kafka settings give one, else `ClaimCheck.defaultThreshold`.
    let threshold: Int
    private let config: SluiceConfig
    private var opened: Result<(client: S3Client, bucket: String), any Error>?

    init(config: SluiceConfig, kafka: KafkaConfiguration) {
        self.config = config
        if let limit = kafka.properties["message.max.bytes"].flatMap(Int.init) {
            threshold = max(1_024, limit - 65_536)
        } else {
            threshold = ClaimCheck.defaultThreshold
        }
    }

    /// Stores `value` under its claim check's key; throws `TableStop` when the bucket cannot be
    /// reached or written, naming what to set.
    func store(_ value: [UInt8], as claim: ClaimCheck, table: String) throws {
        let remedy = "Give extract the lake's S3 settings (S3_BUCKET, S3_ENDPOINT, AWS credentials), or raise message.max.bytes on the brokers and in KAFKA_PROPERTIES, then run sluice extract --resnapshot \(table)"
        let (client, bucket): (S3Client, String)
        do { (client, bucket) = try open() } catch {
            throw TableStop(reason: "a change of \(value.count) bytes is larger than a Kafka message (\(threshold) bytes) and must be stored in the lake bucket, which extract cannot open (\(oneLine(error)))",
                            remedy: remedy)
        }
        let key = claim.objectKey
        let result = Self.wait { try await client.putObject(bucket: bucket, key: key, body: value, contentType: "application/json") }
        if case .failure(let error) = result {
            throw TableStop(reason: "a change of \(value.count) bytes is larger than a Kafka message (\(threshold) bytes) and could not be stored as s3://\(bucket)/\(key) (\(oneLine(error)))",
                            remedy: remedy)
        }
    }

    private func open() throws -> (client: S3Client, bucket: String) {
        if opened == nil {
            opened = Result { (S3Client(configuration: try config.s3()), try config.bucket()) }
        }
        return try opened!.get()
    }

    /// Runs `body` on the concurrency pool and blocks this (non-pool) thread until it ends.
    private static func wait<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) -> Result<T, any Error> {
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox<T>()
        Task {
            do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
            done.signal()
        }
        done.wait()
        return box.result!
    }
}

/// Carries one result from a task to the thread waiting on the semaphore; the semaphore orders
/// the write before the read, which is why the unguarded `var` is safe.
private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}
