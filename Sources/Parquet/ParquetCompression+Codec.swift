import CCompression

extension ParquetCompression {
    /// Compresses a page body.
    func compress(_ input: [UInt8]) throws -> [UInt8] {
        switch self {
        case .uncompressed:
            return input
        case .zstd:
            var output = [UInt8](repeating: 0, count: ZSTD_compressBound(input.count))
            let size = input.withUnsafeBytes { source in
                output.withUnsafeMutableBytes { ZSTD_compress($0.baseAddress, $0.count, source.baseAddress, source.count, 3) }
            }
            if ZSTD_isError(size) != 0 { throw ParquetError.invalidInput("zstd compression failed") }
            return Array(output[0..<size])
        case .snappy:
            var length = snappy_max_compressed_length(input.count)
            var output = [UInt8](repeating: 0, count: length)
            let status = input.withUnsafeBytes { source in
                output.withUnsafeMutableBytes { target in
                    snappy_compress(source.baseAddress?.assumingMemoryBound(to: CChar.self), source.count,
                                    target.baseAddress?.assumingMemoryBound(to: CChar.self), &length)
                }
            }
            if status != SNAPPY_OK { throw ParquetError.invalidInput("snappy compression failed") }
            return Array(output[0..<length])
        case .gzip:
            return try Gzip.compress(input)
        }
    }

    /// Decompresses a page body whose uncompressed size is known from its header.
    func decompress(_ input: ArraySlice<UInt8>, uncompressedSize: Int) throws -> [UInt8] {
        switch self {
        case .uncompressed:
            return Array(input)
        case .zstd:
            var output = [UInt8](repeating: 0, count: uncompressedSize)
            let size = input.withUnsafeBytes { source in
                output.withUnsafeMutableBytes { ZSTD_decompress($0.baseAddress, $0.count, source.baseAddress, source.count) }
            }
            if ZSTD_isError(size) != 0 || size != uncompressedSize { throw ParquetError.corrupt("a zstd page does not decompress") }
            return output
        case .snappy:
            var length = uncompressedSize
            var output = [UInt8](repeating: 0, count: uncompressedSize)
            let status = input.withUnsafeBytes { source in
                output.withUnsafeMutableBytes { target in
                    snappy_uncompress(source.baseAddress?.assumingMemoryBound(to: CChar.self), source.count,
                                      target.baseAddress?.assumingMemoryBound(to: CChar.self), &length)
                }
            }
            if status != SNAPPY_OK || length != uncompressedSize { throw ParquetError.corrupt("a snappy page does not decompress") }
            return output
        case .gzip:
            return try Gzip.decompress(Array(input), expectedSize: uncompressedSize)
        }
    }
}

/// gzip (RFC 1952) through zlib, for GZIP pages and JSON Lines files.
public enum Gzip {
    public static func compress(_ input: [UInt8], level: Int32 = 6) throws -> [UInt8] {
        var stream = z_stream()
        guard sluice_deflate_init_gzip(&stream, level) == Z_OK else { throw ParquetError.invalidInput("zlib init failed") }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(input.count))) + 32)
        var input = input
        let result: Int32 = input.withUnsafeMutableBytes { source in
            output.withUnsafeMutableBytes { target in
                stream.next_in = source.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.avail_in = uInt(source.count)
                stream.next_out = target.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(target.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard result == Z_STREAM_END else { throw ParquetError.invalidInput("gzip compression failed") }
        return Array(output[0..<Int(stream.total_out)])
    }

    public static func decompress(_ input: [UInt8], expectedSize: Int? = nil) throws -> [UInt8] {
        var stream = z_stream()
        guard sluice_inflate_init_auto(&stream) == Z_OK else { throw ParquetError.corrupt("zlib init failed") }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: max(expectedSize ?? 0, 64 << 10))
        var input = input
        var status: Int32 = Z_OK
        try input.withUnsafeMutableBytes { source in
            stream.next_in = source.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.avail_in = uInt(source.count)
            repeat {
                let produced: Int = chunk.withUnsafeMutableBytes { target in
                    stream.next_out = target.baseAddress?.assumingMemoryBound(to: Bytef.self)
                    stream.avail_out = uInt(target.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return target.count - Int(stream.avail_out)
                }
                if status != Z_OK && status != Z_STREAM_END { throw ParquetError.corrupt("gzip data does not decompress") }
                output += chunk[0..<produced]
            } while status != Z_STREAM_END
        }
        return output
    }
}
