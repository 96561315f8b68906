import Foundation
import Kafka
import SluiceSupport
import SluiceTestSupport
import Testing

/// What land relies on across a rebalance: a member's `beforeRevoke` hook runs while its
/// partitions are still its own, and no new owner is given them until it returns (so land's
/// uploads in flight finish before another member cuts the same objects again).
@Suite struct KafkaRevokeTests {
    /// A value shared between the polling threads and the test, behind a lock.
    final class Shared<Value: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var value: Value
        init(_ value: Value) { self.value = value }
        var current: Value {
            get { lock.withLock { value } }
            set { lock.withLock { value = newValue } }
        }
    }

    @Test func aNewOwnerStartsOnlyAfterTheRevokeHookReturns() async throws {
        let configuration = try TestStack.config().kafka()
        let topic = "test-revoke-\(UUID().uuidString.prefix(8))"
        let producer = try KafkaProducer(configuration: configuration)
        for index in 0..<100 { try producer.send(topic: topic, key: Array("k\(index)".utf8), value: Array("v".utf8)) }
        try producer.flush(timeout: .seconds(30))
        let group = "test-revoke-\(UUID().uuidString.prefix(8))"

        let first = try KafkaConsumer(configuration: configuration, groupID: group)
        let hookReturned = Shared<Date?>(nil)
        let revokedInHook = Shared<Set<TopicPartition>>([])
        first.beforeRevoke { partitions in
            // The first revoke (the second member joining) gives up everything; later ones, as
            // the group settles, may give up part of it again.
            guard !partitions.isEmpty, hookReturned.current == nil else { return }
            // Stands for uploads still running: the rebalance must wait for them.
            Thread.sleep(forTimeInterval: 2)
            revokedInHook.current = partitions
            hookReturned.current = Date()
        }
        try first.subscribe(topics: [topic])
        let deadline = Date().addingTimeInterval(60)
        while first.ownedPartitions.isEmpty && Date() < deadline { _ = try first.poll(maxMessages: 100, timeout: .milliseconds(100)) }
        #expect(!first.ownedPartitions.isEmpty)
        let owned = first.ownedPartitions

        let polling = Shared(true)
        let firstPolls = Task.detached {
            while polling.current { _ = try await runBlocking { try first.poll(maxMessages: 100, timeout: .milliseconds(100)) } }
        }
        let second = try KafkaConsumer(configuration: configuration, groupID: group)
        try second.subscribe(topics: [topic])
        var secondAssigned: Date?
        while secondAssigned == nil && Date() < deadline {
            _ = try await runBlocking { try second.poll(maxMessages: 100, timeout: .milliseconds(100)) }
            if !second.ownedPartitions.isEmpty { secondAssigned = Date() }
        }
        polling.current = false
        try await firstPolls.value
        #expect(revokedInHook.current == owned, "the first revoke's hook is given every partition the member owned")
        let returned = try #require(hookReturned.current, "the revoke ran the hook")
        let assigned = try #require(secondAssigned, "the second member got partitions")
        #expect(assigned >= returned, "the new owner got partitions \(returned.timeIntervalSince(assigned)) s before the hook returned")
        second.close()
        first.close()
    }
}
