import Foundation
import Kafka
import SluiceSupport

/// A request to snapshot some tables again while the others keep streaming (`sluice snapshot`).
///
/// Requests go to `<prefix>._signals`. A running extract reads new ones every few seconds (and
/// at start); the checkpoint records the next offset to act on, so each request is carried out
/// once, by the running extract or, if none runs, by the next one.
public struct SnapshotRequest: Sendable, Equatable {
    public var tables: [String]
    public var requestedAtMilliseconds: Int64

    public init(tables: [String], requestedAtMilliseconds: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) {
        self.tables = tables
        self.requestedAtMilliseconds = requestedAtMilliseconds
    }

    static let key = Array("snapshot".utf8)

    var json: JSONValue {
        .object([("request", .string("snapshot")), ("tables", .array(tables.map(JSONValue.string))),
                 ("requested_at_ms", .number(String(requestedAtMilliseconds)))])
    }

    init?(json: JSONValue) {
        guard json["request"]?.stringValue == "snapshot", let tables = json["tables"]?.arrayValue?.compactMap(\.stringValue) else { return nil }
        self.init(tables: tables, requestedAtMilliseconds: Int64(json["requested_at_ms"]?.intValue ?? 0))
    }

    /// Sends the request; returns once the broker has it.
    public func send(configuration: KafkaConfiguration, topics: ExtractTopics) throws {
        let producer = try KafkaProducer(configuration: configuration)
        try producer.prepareTopics([topics.signals])
        try producer.send(topic: topics.signals, key: Self.key, value: json.serialized, partition: 0)
        try producer.flush(timeout: .seconds(30))
    }
}
