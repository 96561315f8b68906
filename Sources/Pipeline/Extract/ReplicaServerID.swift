/// The server_id extract presents to MySQL as a replica. MySQL and MariaDB allow one connection
/// per id: a second replica registering with an id already connected disconnects the first
/// (error 4052), so each pipeline on a server needs its own, as Debezium's `database.server.id`.
public enum ReplicaServerID {
    /// The default for a topic prefix: an even id in 5,400,000 … 7,399,998 from the prefix's
    /// FNV-1a hash (the odd id after it is the DDL checker's). Stable across runs of one pipeline;
    /// two prefixes share one with odds of one in a million.
    public static func derived(fromTopicPrefix prefix: String) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in prefix.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return 5_400_000 + 2 * (hash % 1_000_000)
    }
}
