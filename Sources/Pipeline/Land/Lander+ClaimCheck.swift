import Kafka
import S3

extension Lander {
    /// The event a claim check stands for, read from the lake bucket and checked against the
    /// length and SHA-256 the message gives; `nil` after stopping the table when it cannot be.
    func claimedValue(_ message: KafkaMessage, in partition: TopicPartition) async throws -> [UInt8]? {
        let table = table(of: partition)
        guard let value = message.value, let claim = ClaimCheck(messageValue: value) else {
            try await stopTable(table, at: partition, offset: message.offset,
                                because: "the message has the \(ClaimCheck.header) header but no claim check Sluice can read")
            return nil
        }
        let stored: [UInt8]
        do {
            stored = try await s3.getObject(bucket: bucket, key: claim.objectKey, maxBytes: claim.bytes + 1)
        } catch let error as S3Error where error.code == .noSuchKey {
            try await stopTable(table, at: partition, offset: message.offset,
                                because: "its change is stored as s3://\(bucket)/\(claim.objectKey), which is gone. Take a new snapshot with sluice extract --resnapshot \(table)")
            return nil
        }
        guard claim.holds(stored) else {
            try await stopTable(table, at: partition, offset: message.offset,
                                because: "s3://\(bucket)/\(claim.objectKey) does not hold the \(claim.bytes)-byte change its claim check names. Take a new snapshot with sluice extract --resnapshot \(table)")
            return nil
        }
        return stored
    }
}
