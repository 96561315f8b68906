import Foundation
import Kafka

/// Land with nothing to do does not join its consumer group: joining costs a rebalance (about
/// 3 s, the brokers' initial rebalance delay) before the first message. It first reads the
/// group's committed offsets and the partitions' ends without joining, and joins only when some
/// partition has messages past its commit.
extension Lander {
    /// Whether land should join the group and consume. Without `follow`, answers at once. In `run`
    /// (follow until the producer finishes), waits until messages appear or the producer is done.
    func waitForWork() async throws -> Bool {
        while true {
            if try await hasUnlandedMessages() { return true }
            guard options.follow else { return false }
            // Following for good: join now, and wait for messages as a member.
            guard let producerDone = options.finishWhenCaughtUp else { return true }
            if producerDone.isStopped {
                // Tables the producer created at the end (their schemas came after `prepare`).
                return try await refreshTables() ? try await hasUnlandedMessages() : false
            }
            if stop.isStopped { return false }
            try? await Task.sleep(for: .milliseconds(100))
            _ = try await refreshTables()
        }
    }

    /// Whether any partition of the landed tables has messages past the group's committed offset.
    func hasUnlandedMessages() async throws -> Bool {
        let consumer = self.consumer
        let landed = Set(tables.map(topics.table))
        return try await runBlocking {
            let metadata = try KafkaClusterMetadata.fetch(consumer: consumer)
            let pairs = metadata.topics.filter { landed.contains($0.name) }
                .flatMap { topic in topic.partitions.map { (topic: topic.name, partition: $0) } }
            guard !pairs.isEmpty else { return false }
            let ends = try consumer.endOffsets(pairs)
            let lags = zip(try consumer.committed(pairs), ends).map { (partition: $1, lag: $1.offset - max($0.offset, 0)) }
            for entry in lags { Lander.recordLag(topic: entry.partition.topic, partition: entry.partition.partition, messages: entry.lag) }
            return lags.contains { $0.lag > 0 }
        }
    }

    /// Re-reads `_schemas`; returns whether the set of tables changed (and takes the new set).
    func refreshTables() async throws -> Bool {
        guard options.tables == nil else { return false }
        let catalog = self.catalog!
        try await runBlocking { try catalog.reload() }
        let known = catalog.tables
        guard Set(known) != Set(tables) else { return false }
        logger.info("new tables to land: \(Set(known).subtracting(tables).sorted().joined(separator: ", "))")
        tables = known
        return true
    }
}
