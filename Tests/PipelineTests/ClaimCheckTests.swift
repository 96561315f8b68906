import Kafka
@testable import Pipeline
import Testing

/// The reference extract sends for an event too large for a message, and the key rule.
struct ClaimCheckTests {
    @Test func aClaimCheckNamesItsEventByLengthAndDigest() throws {
        let event = Array(repeating: UInt8(ascii: "a"), count: 2_000_000)
        let claim = ClaimCheck(value: event, topic: "shop.docs")
        #expect(claim.objectKey == "_claims/shop.docs/\(claim.sha256)")
        #expect(claim.sha256.count == 64 && claim.bytes == 2_000_000)
        let read = try #require(ClaimCheck(messageValue: claim.messageValue))
        #expect(read == claim)
        #expect(claim.messageValue.count < 300)
        #expect(read.holds(event))
        var changed = event
        changed[1_000] = UInt8(ascii: "b")
        #expect(!read.holds(changed))
        #expect(!read.holds(Array(event.dropLast())))
        #expect(ClaimCheck(messageValue: Array("{\"op\":\"c\"}".utf8)) == nil)

        var marked = KafkaMessage(topic: "shop.docs", partition: 0, offset: 1, key: nil, value: claim.messageValue)
        marked.headers = claim.messageHeaders.map { KafkaMessage.Header(name: $0.name, value: $0.value) }
        #expect(ClaimCheck.marks(marked))
        var plain = marked
        plain.headers = []
        #expect(!ClaimCheck.marks(plain))
    }

    @Test func longKeysGoAsTheirDigestShortOnesAsTheyAre() {
        let short = Array("{\"id\":7}".utf8)
        #expect(ClaimCheck.messageKey(short) == short)
        #expect(ClaimCheck.messageKey(nil) == nil)
        let row = Array(repeating: UInt8(ascii: "h"), count: ClaimCheck.maxKeyBytes + 1)
        let digest = ClaimCheck.messageKey(row)
        #expect(digest != nil && digest!.count < 100)
        #expect(ClaimCheck.messageKey(row) == digest)   // identical rows share a partition
        #expect(ClaimCheck.messageKey(row.dropLast() + [UInt8(ascii: "i")]) != digest)
    }
}
