import MySQL
@testable import Pipeline
import Testing

/// Positions order by binlog file sequence number and position, never by file name as text.
@Suite struct SourceOrderTests {
    @Test func binlogPositionsOrderBySequenceNotText() {
        let before = BinlogPosition(file: "binlog.999999", position: 9_000)
        let after = BinlogPosition(file: "binlog.1000000", position: 4)
        #expect(before < after)
        #expect(before.file > after.file, "as text the order would be the other way round")
        #expect(before.sameLog(as: after))
        #expect(!before.sameLog(as: BinlogPosition(file: "mysql-bin.000001", position: 4)))
        #expect(BinlogPosition(text: "binlog.000002:1234") == BinlogPosition(file: "binlog.000002", position: 1234))
        #expect(BinlogPosition.baseName(ofFile: "/var/lib/mysql/binlog.000042") == "binlog")
    }

    @Test func epochsOrderAfterEverythingBefore() {
        // After RESET MASTER file numbers start again; a new epoch keeps the order.
        let old = SourceOrder(BinlogPosition(file: "binlog.000900", position: 500_000), epoch: 0, row: 3)
        let reset = SourceOrder(BinlogPosition(file: "binlog.000001", position: 4), epoch: 1)
        #expect(old < reset)
        #expect(SourceOrder(sequence: 1, position: 10, row: 2) < SourceOrder(sequence: 1, position: 10, row: 3))
        #expect(SourceOrder(sequence: 1, position: 11, row: 0) > SourceOrder(sequence: 1, position: 10, row: 99))
    }

    @Test func checkpointRoundTripsThroughJSON() throws {
        let position = BinlogPosition(file: "binlog.000003", position: 777, gtid: "0-1-42")
        let checkpoint = ExtractCheckpoint(binlog: position, serverID: 7, tables: [
            "a": .init(state: .streaming, position: position),
            "b": .init(state: .snapshotting, position: position, snapshot: .init(version: 3, lastKey: ["10", nil], rows: 20)),
            "c": .init(state: .stopped, position: position, reason: "table s.c stopped at binlog binlog.000003:777: …"),
        ], epoch: 2)
        let back = try ExtractCheckpoint(json: try JSONValue.parse(checkpoint.json.serialized))
        #expect(back == checkpoint)
        #expect(back.stoppedTables.map(\.table) == ["c"])
        #expect(!back.snapshotComplete)
    }

    @Test func versionOneCheckpointsReadAsPerTableState() throws {
        let old = #"{"version":1,"snapshot":{"file":"binlog.000001","pos":4,"gtid":null,"tables":{"a":{"done":true,"rows":5,"last_key":null},"b":{"done":false,"rows":2,"last_key":["2"]}}},"binlog":{"file":"binlog.000002","pos":900,"gtid":null}}"#
        let checkpoint = try ExtractCheckpoint(json: try JSONValue.parse(Array(old.utf8)))
        #expect(checkpoint.tables["a"]?.state == .streaming)
        #expect(checkpoint.tables["a"]?.position == BinlogPosition(file: "binlog.000002", position: 900))
        #expect(checkpoint.tables["b"]?.state == .snapshotting)
        #expect(checkpoint.tables["b"]?.snapshot == nil, "an unfinished version-1 snapshot starts again")
    }
}
