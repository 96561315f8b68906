import ArgumentParser
import Foundation
import Pipeline

/// `sluice status`: each stage's position and lag.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show where each stage is and how far behind: binlog vs checkpoint, consumer lag, unloaded lake files, freshness.",
        discussion: "Read-only: it joins no consumer group and changes nothing. Exits 1 if a stage's servers cannot be reached or extract stopped a table (each is listed with what to run).")

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Topic prefix (default: the database name).") var topicPrefix: String?
    @Option(help: "Land's consumer group (default: sluice-land-<prefix>).") var group: String?
    @Option(help: "Top folder of the lake in the bucket.") var lakeRoot = "raw"
    @Flag(help: "Print the status as JSON.") var json = false

    func run() async throws {
        let config = try connection.load()
        var options = StatusProbe.Options()
        options.topicPrefix = topicPrefix
        options.groupID = group
        options.lakeRoot = lakeRoot
        let status = await StatusProbe(config: config, options: options).run()
        if json {
            print(String(decoding: status.json.serialized, as: UTF8.self))
        } else {
            print(Self.render(status))
        }
        if [status.extract.problem, status.land.problem, status.load.problem].contains(where: { $0 != nil })
            || !status.stoppedTables.isEmpty { throw ExitCode(1) }
    }

    static func render(_ status: PipelineStatus) -> String {
        var lines: [String] = []
        let extract = status.extract
        if let problem = extract.problem {
            lines.append("extract  ✗ \(problem)")
        } else if let checkpoint = extract.checkpoint {
            let behind = extract.bytesBehind.map { $0 == 0 ? "caught up" : "\($0) binlog bytes behind" } ?? "behind (binlog file purged?)"
            let retention = extract.binlogRetentionSeconds.map { "binlogs kept \(BinlogRetentionGuard.duration(Double($0)))" } ?? "binlogs kept until purged"
            lines.append("extract  source at \(extract.sourcePosition), checkpoint \(checkpoint): \(behind)"
                         + (extract.snapshotComplete == false ? " (snapshot in progress; \(retention))" : ""))
        } else {
            lines.append("extract  source at \(extract.sourcePosition); no checkpoint for \(status.prefix) yet (run sluice extract or sluice run)")
        }
        for stopped in extract.stoppedTables {
            lines.append("         ✗ \(stopped.reason)")
        }
        let land = status.land
        if let problem = land.problem {
            lines.append("land     ✗ \(problem)")
        } else {
            lines.append("land     group \(land.group): \(land.lag) messages behind over \(land.partitions.count) partitions")
            var table = TextTable("TOPIC", "PARTITION", "COMMITTED", "END", "LAG")
            for partition in land.partitions where partition.lag > 0 || land.partitions.count <= 40 {
                table.add(partition.topic, String(partition.partition), partition.committed.map(String.init) ?? "-",
                          String(partition.end), String(partition.lag))
            }
            if !land.partitions.isEmpty { lines.append(table.rendered.split(separator: "\n").map { "         " + $0 }.joined(separator: "\n")) }
            if land.deadLetters > 0 {
                lines.append("         \(land.deadLetters) messages in \(status.prefix)._dead_letters (not change events; their headers say why and where from)")
            }
        }
        for stopped in land.stoppedTables { lines.append("         ✗ \(stopped.reason)") }
        let load = status.load
        if let problem = load.problem {
            lines.append("load     ✗ \(problem)")
        } else {
            lines.append("load     \(load.loadedFiles) of \(load.lakeFiles) lake files loaded (\(load.pendingFiles) waiting), last load \(load.lastLoadAt ?? "never"); \(load.pendingKeys) keys pending for the star")
            for stopped in load.stoppedTables { lines.append("         ✗ \(stopped.reason)") }
            if let p50 = load.freshnessP50Milliseconds, let p95 = load.freshnessP95Milliseconds {
                lines.append("freshness  MySQL commit → warehouse: p50 \(Self.seconds(p50)), p95 \(Self.seconds(p95)) over the last \(load.freshnessSamples) changes")
            } else {
                lines.append("freshness  no CDC changes loaded yet")
            }
        }
        return lines.joined(separator: "\n")
    }

    static func seconds(_ milliseconds: Int) -> String { String(format: "%.1f s", Double(milliseconds) / 1000) }
}
