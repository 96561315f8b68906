import Kafka

extension Extractor {
    /// Sends one change event to a table's topic: in the message when it fits, else stored in the
    /// lake bucket with a claim check sent in its place (same key, so partitioning and compaction
    /// treat it as the event). A key longer than `ClaimCheck.maxKeyBytes` goes as its digest. Throws `TableStop` when it can go neither way.
    func sendChange(topic: String, table: String, key fullKey: [UInt8]?, value: [UInt8]) throws {
        let key = ClaimCheck.messageKey(fullKey)
        guard value.count > claims.threshold else {
            try producer.send(topic: topic, key: key, value: value)
            return
        }
        let claim = ClaimCheck(value: value, topic: topic)
        try claims.store(value, as: claim, table: table)
        try producer.send(topic: topic, key: key, value: claim.messageValue, headers: claim.messageHeaders)
    }
}
