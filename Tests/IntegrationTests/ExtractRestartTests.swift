import Foundation
import Kafka
import Pipeline
import SluiceTestSupport
import Testing

extension PipelineIntegration {
    /// A snapshot killed with SIGKILL resumes from its checkpoint and loses nothing: with
    /// consistent-read chunks, and with watermark chunks read two at a time.
    @Suite struct ExtractRestartTests {
        @Test(arguments: ["transaction", "watermark"]) func killedSnapshotResumesWithoutGapsOrStartingOver(mode: String) async throws {
            let rows = 200_000
            let database = try await TestDatabase.create()
            defer { Task { await database.drop() } }
            try await database.execute("CREATE TABLE big (id INT PRIMARY KEY, v INT NOT NULL, s VARCHAR(20))")
            try await database.execute("INSERT INTO big SELECT seq, seq * 7, CONCAT('row-', seq) FROM seq_1_to_\(rows)")
            let prefix = database.name
            var arguments = ["extract", "--topic-prefix", prefix, "--mysql-database", database.name, "--checkpoint-rows", "5000"]
            if mode == "watermark" {
                try await database.execute("CREATE TABLE sluice_watermarks (snapshot_table VARCHAR(64) NOT NULL PRIMARY KEY, kind VARCHAR(4) NOT NULL, mark CHAR(36) NOT NULL)")
                try await database.execute("GRANT INSERT, UPDATE ON \(database.name).sluice_watermarks TO 'sluice'@'127.0.0.1'")
                arguments += ["--snapshot-mode", "watermark", "--snapshot-parallelism", "2"]
            }

            let first = try BackgroundSluice(arguments)
            // Kill it once a checkpoint shows the table partly done.
            var killedAt = 0
            let offsets = try TopicFollower("\(prefix)._offsets")
            let checkpointed = try offsets.waitFor(within: 120) { messages in
                guard let value = messages.last?.json,
                      let progress = value["tables"]?["big"], progress["state"] == .string("snapshotting"),
                      let sent = progress["snapshot"]?["rows"]?.intValue, sent >= 20_000 else { return false }
                killedAt = Int(sent)
                return true
            }
            first.signal(SIGKILL)
            _ = first.wait(seconds: 10)
            #expect(checkpointed, "no partial checkpoint appeared: \(first.standardError)")
            #expect(killedAt < rows, "the snapshot finished before it could be killed")

            let second = try runSluice(arguments)
            #expect(second.status == 0, "\(second.standardError)")

            var seen = Set<Int64>()
            var total = 0
            var resumedRows: [Int64] = []
            for message in try readTopic("\(prefix).big") {
                guard let id = message.json?["after"]?["id"]?.intValue else { continue }
                seen.insert(id)
                total += 1
                if message.offset >= 0, let row = message.json?["source"]?["row"]?.intValue { resumedRows.append(row) }
            }
            #expect(seen.count == rows, "missing rows")
            #expect(seen.min() == 1 && seen.max() == Int64(rows))
            // Not started over: duplicates are only the un-checkpointed tail.
            #expect(total < rows + rows / 2, "\(total) messages for \(rows) rows")
            let summaryLine = second.standardOutput.split(separator: "\n").first { $0.hasPrefix("big") }
            let resentRows = summaryLine.flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true)[1]) } ?? rows
            #expect(resentRows <= rows - killedAt, "second run sent \(resentRows) rows, checkpoint was at \(killedAt)")
        }
    }
}
