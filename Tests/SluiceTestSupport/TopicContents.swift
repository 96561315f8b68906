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

extension KafkaMessage {
    /// The value parsed as a change event (nil for a tombstone).
    public var json: JSONValue? { value.flatMap { try? JSONValue.parse($0) } }
    public var keyText: String { String(decoding: key ?? [], as: UTF8.self) }
}
