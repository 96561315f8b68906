import Kafka
import SluiceSupport

/// Failures of the land stage that are about the data, not a server.
public struct LandError: UserFacingError, Sendable {
    public var message: String
    public var summary: String { "land: \(message)" }

    static func malformed(_ message: KafkaMessage, _ reason: String) -> LandError {
        LandError(message: "malformed message in \(message.topic)[\(message.partition)] at offset \(message.offset): \(reason); nothing was written for it and its offset is not committed")
    }

    /// The offsets land must read next are gone from the broker (retention removed them first).
    static func retention(_ error: KafkaError) -> LandError {
        LandError(message: "data was removed by Kafka retention before land read it (\(error.message)); the lake would have a hole, so land stops and commits nothing past it. Take a new snapshot with sluice extract --reset, and keep land running alongside extract (sluice run) so it keeps up")
    }

    static func gap(_ partition: TopicPartition, expected: Int64, found: Int64) -> LandError {
        LandError(message: "offsets \(expected)…\(found - 1) of \(partition) are missing (removed by retention before they were landed?); the lake would have a hole, so land stops. Re-extract with sluice extract --reset")
    }
}
