/// Parquet's RLE / bit-packing hybrid encoding, used for definition levels
/// and dictionary indices.
enum RLEHybrid {
    /// Encodes values of `bitWidth` bits: groups of 8 equal values become RLE
    /// runs, other groups are bit-packed.
    static func encode(_ values: [UInt32], bitWidth: Int) -> [UInt8] {
        var output: [UInt8] = []
        let byteWidth = (bitWidth + 7) / 8
        var index = 0
        var packed: [UInt32] = []

        func flushPacked() {
            guard !packed.isEmpty else { return }
            let groups = (packed.count + 7) / 8
            varint(UInt64(groups << 1 | 1), into: &output)
            packed += Array(repeating: 0, count: groups * 8 - packed.count)
            var buffer: UInt64 = 0, bits = 0
            for value in packed {
                buffer |= UInt64(value) << UInt64(bits)
                bits += bitWidth
                while bits >= 8 {
                    output.append(UInt8(buffer & 0xFF))
                    buffer >>= 8
                    bits -= 8
                }
            }
            if bits > 0 { output.append(UInt8(buffer & 0xFF)) }
            packed.removeAll(keepingCapacity: true)
        }

        while index < values.count {
            var run = 1
            while index + run < values.count && values[index + run] == values[index] { run += 1 }
            // A run is worth RLE once it fills a group and starts on a group boundary of the packed buffer.
            if run >= 8 && packed.count % 8 == 0 {
                flushPacked()
                varint(UInt64(run << 1), into: &output)
                var value = values[index]
                for _ in 0..<byteWidth {
                    output.append(UInt8(value & 0xFF))
                    value >>= 8
                }
                index += run
            } else {
                packed.append(values[index])
                index += 1
            }
        }
        flushPacked()
        return output
    }

    /// Decodes `count` values.
    static func decode(_ bytes: ArraySlice<UInt8>, bitWidth: Int, count: Int) throws -> [UInt32] {
        var values: [UInt32] = []
        values.reserveCapacity(count)
        var offset = bytes.startIndex
        let byteWidth = (bitWidth + 7) / 8
        let mask: UInt64 = bitWidth == 32 ? 0xFFFF_FFFF : (1 << UInt64(bitWidth)) - 1
        while values.count < count {
            guard offset < bytes.endIndex else { throw ParquetError.corrupt("RLE data ends early") }
            var header: UInt64 = 0, shift: UInt64 = 0
            while true {
                guard offset < bytes.endIndex else { throw ParquetError.corrupt("RLE header ends early") }
                let byte = bytes[offset]
                offset += 1
                header |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { break }
                shift += 7
            }
            if header & 1 == 0 {
                let run = Int(header >> 1)
                guard offset + byteWidth <= bytes.endIndex else { throw ParquetError.corrupt("RLE run ends early") }
                var value: UInt32 = 0
                for byte in 0..<byteWidth { value |= UInt32(bytes[offset + byte]) << (8 * UInt32(byte)) }
                offset += byteWidth
                values += repeatElement(value, count: min(run, count - values.count))
            } else {
                let groups = Int(header >> 1)
                var buffer: UInt64 = 0, bits = 0
                for _ in 0..<(groups * 8) {
                    while bits < bitWidth {
                        buffer |= UInt64(offset < bytes.endIndex ? bytes[offset] : 0) << UInt64(bits)
                        offset += 1
                        bits += 8
                    }
                    if values.count < count { values.append(UInt32(buffer & mask)) }
                    buffer >>= UInt64(bitWidth)
                    bits -= bitWidth
                }
            }
        }
        return values
    }

    static func varint(_ value: UInt64, into output: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            output.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        output.append(UInt8(value))
    }

    /// Bits needed to store values up to `maximum`.
    static func bitWidth(for maximum: Int) -> Int {
        maximum == 0 ? 0 : (Int.bitWidth - maximum.leadingZeroBitCount)
    }
}
