@testable import Pipeline
import Testing

/// INET4, INET6 and UUID row-image bytes as the text MariaDB prints (checked against the server
/// itself by ServerTypesTests; these pin the rules).
@Suite struct BinaryTextTypeTests {
    func bytes(_ hex: String) -> [UInt8] {
        stride(from: 0, to: hex.count, by: 2).map { UInt8(hex.dropFirst($0).prefix(2), radix: 16)! }
    }

    /// Each pair as MariaDB 10.11 printed it (`CAST('…' AS INET6)`).
    @Test func inet6AsMariaDBPrintsIt() {
        let cases = [
            "1:0:2:0:3:0:4:0": "1::2:0:3:0:4:0",        // a single zero group is shortened too
            "1:0:0:2:0:0:0:3": "1:0:0:2::3",            // the longer run
            "1:0:0:2:0:0:3:4": "1::2:0:0:3:4",          // the first of two equal runs
            "0:0:0:0:0:1:0:0": "::1:0:0",
            "0:0:0:0:0:0:0:1": "::1", "0:0:0:0:0:0:0:0": "::", "1:0:0:0:0:0:0:0": "1::",
            "0:0:0:0:0:ffff:102:304": "::ffff:1.2.3.4", "0:0:0:0:0:0:102:304": "::1.2.3.4",
            "0:0:0:0:0:0:0:100": "::100", "0:0:0:0:0:0:1:0": "::0.1.0.0",
            "1:2:3:4:5:6:7:0": "1:2:3:4:5:6:7::", "0:1:2:3:4:5:6:7": "::1:2:3:4:5:6:7",
            "fe80:0:0:0:1:0:0:1": "fe80::1:0:0:1", "1:0:1:0:0:1:0:1": "1:0:1::1:0:1",
            "0:0:0:0:0:ffff:0:0": "::ffff:0.0.0.0", "64:ff9b:0:0:0:0:102:304": "64:ff9b::102:304",
            "2001:db8:0:0:0:ff00:42:8329": "2001:db8::ff00:42:8329",
        ]
        for (groups, text) in cases {
            let bytes = groups.split(separator: ":").flatMap { group -> [UInt8] in
                let value = UInt16(group, radix: 16)!
                return [UInt8(value >> 8), UInt8(value & 0xFF)]
            }
            #expect(BinaryTextType.inet6.text(bytes) == text, "\(groups)")
        }
        // Logged without trailing zero bytes: padded back to 16.
        #expect(BinaryTextType.inet6.text(bytes("0001")) == "1::")
    }

    @Test func inet4AndUUID() {
        #expect(BinaryTextType.inet4.text(bytes("0a010203")) == "10.1.2.3")
        #expect(BinaryTextType.inet4.text(bytes("0a")) == "10.0.0.0")
        #expect(BinaryTextType.uuid.text(bytes("6ccd780cbaba102695645b8c656024db")) == "6ccd780c-baba-1026-9564-5b8c656024db")
    }
}
