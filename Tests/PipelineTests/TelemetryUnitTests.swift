import Foundation
import Logging
@testable import Pipeline
import SluiceSupport
import Telemetry
import Testing

/// The JSON log lines, the metrics exposition and the health answers, without a server.
@Suite struct TelemetryUnitTests {
    /// Collects what a handler writes.
    final class Lines: @unchecked Sendable {
        // @unchecked: `all` is read and written only under `lock`.
        private let lock = NSLock()
        private var all: [String] = []
        func add(_ line: String) { lock.withLock { all.append(line) } }
        var lines: [String] { lock.withLock { all } }
    }

    @Test func aLogLineIsOneJSONObjectWithStageTableAndFields() throws {
        let sink = Lines()
        var logger = Logger(label: "sluice.extract") { label in JSONLogHandler(label: label) { sink.add($0) } }
        logger.logLevel = .info
        logger.info("table \"a\" stopped\nat binlog.000001:4", metadata: ["table": "a", "rows": "12", "nested": ["x": "1"]])
        logger.debug("not shown below the level")
        #expect(sink.lines.count == 1)
        let line = try #require(sink.lines.first)
        #expect(line.hasSuffix("\n") && line.dropLast().firstIndex(of: "\n") == nil, "one line: \(line)")
        let object = try JSONValue.parse(String(line.dropLast()))
        #expect(object["level"] == .string("info"))
        #expect(object["stage"] == .string("extract"))
        #expect(object["table"] == .string("a"))
        #expect(object["message"] == .string("table \"a\" stopped\nat binlog.000001:4"))
        #expect(object["fields"]?["rows"] == .string("12"))
        #expect(object["fields"]?["nested"]?["x"] == .string("1"))
        #expect(object["fields"]?["table"] == nil, "table is a field of its own")
        let time = try #require(object["time"].flatMap { if case .string(let text) = $0 { text } else { nil } })
        #expect(time.hasSuffix("Z") && time.contains("T"), "ISO 8601 in UTC: \(time)")
    }

    @Test func theExpositionHasAHelpLineForEveryNamedMetric() {
        let exposition = PrometheusExposition(help: SluiceMetric.helpTexts, durationBuckets: SluiceMetric.durationBuckets)
        let counter = exposition.metricsFactory.makeCounter(label: SluiceMetric.rows.rawValue, dimensions: [("stage", "land"), ("table", "a")])
        counter.increment(by: 41)
        counter.increment(by: 1)
        let timer = exposition.metricsFactory.makeTimer(label: SluiceMetric.freshness.rawValue, dimensions: [])
        timer.recordNanoseconds(1_500_000_000)
        let text = exposition.render()
        #expect(text.contains("# HELP sluice_rows_total Rows moved"), "\(text)")
        #expect(text.contains("# TYPE sluice_rows_total counter"))
        #expect(text.contains(#"sluice_rows_total{stage="land",table="a"} 42"#), "\(text)")
        #expect(text.contains(#"sluice_freshness_seconds_bucket{le="2.0"} 1"#) && text.contains(#"sluice_freshness_seconds_bucket{le="1.0"} 0"#), "\(text)")
        #expect(text.contains("sluice_freshness_seconds_count 1"))
        #expect(Set(SluiceMetric.allCases.map(\.rawValue)).count == SluiceMetric.allCases.count)
        for metric in SluiceMetric.allCases {
            #expect(metric.rawValue.hasPrefix("sluice_"))
            let isCounter = [.rows, .bytes, .files, .errors, .deadLetters].contains(metric)
            #expect(metric.rawValue.hasSuffix("_total") == isCounter, "\(metric.rawValue): _total is for counters only")
        }
    }

    @Test func healthAndReadinessSayWhy() throws {
        let health = StageHealth()
        #expect(!health.readiness().ok, "not ready before the servers were checked")
        health.set("extract", running: true)
        health.setServers(["mysql": nil, "kafka": nil])
        #expect(health.health().ok && health.readiness().ok)
        health.setStopped("load", ["a": "table a stopped loading at x: why; what to run"])
        let stopped = health.readiness()
        #expect(!stopped.ok && stopped.body.contains("load stopped table a") && stopped.body.contains("what to run"), "\(stopped.body)")
        #expect(health.health().ok, "a stopped table does not make the process unhealthy")
        health.setStopped("load", [:])
        health.setServers(["mysql": "MySQL: connection refused", "kafka": nil])
        let unreachable = health.readiness()
        #expect(!unreachable.ok && unreachable.body.contains("mysql: MySQL: connection refused"), "\(unreachable.body)")
        health.failed("extract", ConfigError("binlog purged"))
        let failed = health.health()
        #expect(!failed.ok && failed.body.contains(#""extract":{"state":"failed","error":"#), "\(failed.body)")
        _ = try JSONValue.parse(failed.body)
        _ = try JSONValue.parse(health.readiness().body)
    }
}
