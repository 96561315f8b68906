import Foundation
import Kafka
import Pipeline

/// Reads a topic of the dev cluster from the start, as a test checks it.
public func readTopic(_ topic: String) throws -> [KafkaMessage] {
    try KafkaTopicReader(configuration: try TestStack.config().kafka()).readAll(topic: topic, timeout: .seconds(120))
}

/// Polls `condition` every 200 ms until it holds or `seconds` pass; returns whether it held.
public func eventually(within seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    repeat {
        if try condition() { return true }
        usleep(200_000)
    } while Date() < deadline
    return try condition()
}

/// Polls an async `condition` every 300 ms until it holds or `seconds` pass; returns whether it held.
public func eventually(within seconds: Double, _ condition: () async -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    repeat {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(300))
    } while Date() < deadline
    return await condition()
}

extension KafkaMessage {
    /// The value parsed as a change event (nil for a tombstone).
    public var json: JSONValue? { value.flatMap { try? JSONValue.parse($0) } }
    public var keyText: String { String(decoding: key ?? [], as: UTF8.self) }
}

/// Follows a topic from its beginning with one long-lived consumer, so a test
/// can wait for new messages without reconnecting each time.
public final class TopicFollower: @unchecked Sendable {
    let consumer: KafkaConsumer
    public private(set) var messages: [KafkaMessage] = []

    public init(_ topic: String) throws {
        consumer = try KafkaConsumer(configuration: try TestStack.config().kafka(), groupID: "test-follow-\(UUID().uuidString)")
        try consumer.subscribe(topics: [topic])
    }

    /// Polls until `condition` holds over everything received, or `seconds` pass.
    public func waitFor(within seconds: Double, _ condition: ([KafkaMessage]) -> Bool) throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition(messages) {
            if Date() > deadline { return false }
            messages += try consumer.poll(maxMessages: 1000, timeout: .milliseconds(50))
        }
        return true
    }

    deinit { consumer.close() }
}
