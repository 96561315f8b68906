/// A position in the binary log: a file such as `binlog.000002` and a byte
/// offset in it.
///
/// Positions order by the file's *sequence number* (the digits after the last
/// dot), then the offset; never by the file name as text, which would put
/// `binlog.1000000` before `binlog.999999`. Two positions of logs with
/// different base names (`binlog` vs `mysql-bin`) do not order at all: that is
/// another log, and `sameLog(as:)` says so before anything compares them.
public struct BinlogPosition: Sendable, Hashable, CustomStringConvertible, Comparable {
    public var file: String
    public var position: UInt64
    /// MariaDB GTID position (`domain-server-sequence[,…]`), when known.
    public var gtid: String?

    public init(file: String, position: UInt64, gtid: String? = nil) {
        self.file = file
        self.position = position
        self.gtid = gtid
    }

    public var description: String { "\(file):\(position)" }

    /// The file's sequence number: `binlog.000042` → 42 (0 when the name has none).
    public var sequence: UInt64 { Self.sequence(ofFile: file) }

    /// The file's base name: `binlog.000042` → `binlog`.
    public var baseName: String { Self.baseName(ofFile: file) }

    /// Whether both positions are in the same log (same base name), so they can be compared.
    public func sameLog(as other: BinlogPosition) -> Bool { baseName == other.baseName }

    /// Orders by (sequence, position); the GTID is not part of the order.
    public static func < (lhs: BinlogPosition, rhs: BinlogPosition) -> Bool {
        (lhs.sequence, lhs.position) < (rhs.sequence, rhs.position)
    }

    public static func == (lhs: BinlogPosition, rhs: BinlogPosition) -> Bool {
        lhs.file == rhs.file && lhs.position == rhs.position
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(file)
        hasher.combine(position)
    }

    /// `binlog.000042` → 42; a name without a numeric extension → 0.
    public static func sequence(ofFile file: String) -> UInt64 {
        guard let dot = file.lastIndex(of: ".") else { return 0 }
        return UInt64(file[file.index(after: dot)...]) ?? 0
    }

    /// `binlog.000042` → `binlog`; `/var/lib/mysql/binlog.000042` → `binlog`.
    public static func baseName(ofFile file: String) -> String {
        let name = file.split(separator: "/").last.map(String.init) ?? file
        guard let dot = name.lastIndex(of: "."), UInt64(name[name.index(after: dot)...]) != nil else { return name }
        return String(name[..<dot])
    }

    /// Parses `file:position`; `nil` for text that is not one.
    public init?(text: String) {
        guard let colon = text.lastIndex(of: ":"), let position = UInt64(text[text.index(after: colon)...]) else { return nil }
        self.init(file: String(text[..<colon]), position: position)
    }
}
