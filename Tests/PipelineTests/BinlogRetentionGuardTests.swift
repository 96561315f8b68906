@testable import Pipeline
import Testing

/// The estimate that warns when a snapshot may outlast the server's binlog retention.
@Suite struct BinlogRetentionGuardTests {
    @Test func estimatesFromTheRateSoFar() {
        // 10,000 rows in 10 s; 90,000 to go → 90 s more.
        #expect(BinlogRetentionGuard.secondsToFinish(elapsed: 10, rowsSent: 10_000, rowsAtStart: 0, estimatedRows: 100_000) == 90)
        // A resumed snapshot counts only what this run sent.
        #expect(BinlogRetentionGuard.secondsToFinish(elapsed: 10, rowsSent: 60_000, rowsAtStart: 50_000, estimatedRows: 100_000) == 40)
        #expect(BinlogRetentionGuard.secondsToFinish(elapsed: 10, rowsSent: 0, rowsAtStart: 0, estimatedRows: 100_000) == nil)
    }

    @Test func warnsOnlyPastHalfTheRetention() {
        // 100 s in all against 180 s kept (over half): warn, naming the table and the setting.
        let line = BinlogRetentionGuard.warning(table: "orders", elapsed: 10, rowsSent: 10_000, rowsAtStart: 0,
                                                estimatedRows: 100_000, retentionSeconds: 180)
        #expect(line?.contains("table orders") == true)
        #expect(line?.contains("binlog_expire_logs_seconds") == true)
        #expect(line?.contains("90 s more") == true)
        // The same against a day, or with binlogs kept until purged: silent.
        #expect(BinlogRetentionGuard.warning(table: "orders", elapsed: 10, rowsSent: 10_000, rowsAtStart: 0,
                                             estimatedRows: 100_000, retentionSeconds: 86_400) == nil)
        #expect(BinlogRetentionGuard.warning(table: "orders", elapsed: 10, rowsSent: 10_000, rowsAtStart: 0,
                                             estimatedRows: 100_000, retentionSeconds: nil) == nil)
    }

    @Test func durationsReadAsPeopleSayThem() {
        #expect(BinlogRetentionGuard.duration(45) == "45 s")
        #expect(BinlogRetentionGuard.duration(600) == "10 min")
        #expect(BinlogRetentionGuard.duration(2_592_000) == "720.0 h")
    }
}
