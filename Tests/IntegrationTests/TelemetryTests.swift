import Foundation
import Kafka
import Pipeline
import SluiceSupport
import SluiceTestSupport
import Testing

extension PipelineIntegration {
    /// `run --follow --metrics-address … --log-format json` against the stack: the counters
    /// scraped from /metrics equal the rows moved through each stage, /healthz and /readyz
    /// (and `sluice health`) say why, a stopped table makes the process not ready, every log
    /// line is a JSON object, and no secret appears anywhere in the output.
    @Suite struct TelemetryTests {
        @Test func metricsHealthAndJSONLogsDuringAFollowRun() async throws {
            let database = try await TestDatabase.create()
            defer { Task { await database.drop() } }
            for table in ["a", "b", "c"] {
                try await database.execute("CREATE TABLE \(table) (id INT PRIMARY KEY, v INT, note VARCHAR(20))")
                try await database.execute("INSERT INTO \(table) SELECT seq, seq * 3, CONCAT('n', seq) FROM seq_1_to_100")
            }
            let warehouse = try await TestWarehouse.create()
            let arguments = RunVerifyTests.arguments(database)
            let run = try BackgroundSluice(["run", "--follow", "--load-interval", "0.5", "--metrics-address", "127.0.0.1:0",
                                            "--log-format", "json"] + arguments, environment: warehouse.environment)
            defer { run.signal(SIGKILL) }

            // The bound port is in the log (port 0 picks a free one).
            var port: Int?
            let announced = try await RunFollowTests.within(60) {
                port = run.standardError.firstMatch(of: /metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/).flatMap { Int($0.1) }
                return port != nil
            }
            #expect(announced, "no metrics address in the log: \(run.standardError.suffix(1500))")
            let base = "http://127.0.0.1:\(try #require(port))"

            // The snapshot, then CDC: 10 inserts into a, 5 updates in b, 3 deletes in c.
            let snapshotLoaded = try await RunFollowTests.within(90) {
                let (a, b, c) = (try await Self.count(warehouse, "a"), try await Self.count(warehouse, "b"), try await Self.count(warehouse, "c"))
                return a == 100 && b == 100 && c == 100
            }
            #expect(snapshotLoaded, "the snapshot did not reach staging: \(run.standardError.suffix(1500))")
            try await database.execute("INSERT INTO a SELECT seq, seq, 'new' FROM seq_101_to_110")
            try await database.execute("UPDATE b SET v = -v WHERE id <= 5")
            try await database.execute("DELETE FROM c WHERE id <= 3")
            let changesLoaded = try await RunFollowTests.within(60) {
                let (a, c) = (try await Self.count(warehouse, "a"), try await Self.count(warehouse, "c"))
                let negative = try await Self.count(warehouse, "b", where: "v < 0")
                return a == 110 && c == 97 && negative == 5
            }
            #expect(changesLoaded, "the changes did not reach staging: \(run.standardError.suffix(1500))")

            // Ready once the servers were checked (every 10 s).
            var ready: (status: Int, body: String) = (0, "")
            let becameReady = try await RunFollowTests.within(30) {
                ready = try await Self.get("\(base)/readyz")
                return ready.status == 200
            }
            #expect(becameReady, "readyz: \(ready.status) \(ready.body)")
            #expect(ready.body.contains(#""status":"ready""#) && ready.body.contains(#""mysql":"ok""#), "\(ready.body)")
            let health = try await Self.get("\(base)/healthz")
            #expect(health.status == 200 && health.body.contains(#""extract":{"state":"running"}"#), "\(health.body)")
            let probe = try runSluice(["health", "--address", "127.0.0.1:\(port ?? 0)", "--ready"])
            #expect(probe.status == 0, "\(probe.standardOutput)\(probe.standardError)")

            // The counters equal the rows each stage moved: 100 snapshot rows plus each change event.
            let scrape = try await Self.get("\(base)/metrics")
            #expect(scrape.status == 200)
            let metrics = Self.parse(scrape.body)
            let expected = ["a": 110.0, "b": 105.0, "c": 103.0]
            for stage in ["extract", "land", "load"] {
                for (table, rows) in expected {
                    #expect(metrics[#"sluice_rows_total{stage="\#(stage)",table="\#(table)"}"#] == rows,
                            "\(stage) rows of \(table): \(metrics.filter { $0.key.hasPrefix("sluice_rows_total") })")
                    #expect((metrics[#"sluice_bytes_total{stage="\#(stage)",table="\#(table)"}"#] ?? 0) > 0, "\(stage) bytes of \(table)")
                }
                #expect(metrics[#"sluice_stage_up{stage="\#(stage)"}"#] == 1, "\(stage) up")
            }
            #expect((metrics[#"sluice_files_total{stage="land"}"#] ?? 0) >= 3)
            #expect(metrics[#"sluice_files_total{stage="load"}"#] == metrics[#"sluice_files_total{stage="land"}"#], "every landed file loaded")
            for table in ["a", "b", "c"] { #expect(metrics[#"sluice_snapshot_progress_ratio{table="\#(table)"}"#] == 1) }
            #expect((metrics["sluice_freshness_seconds_count"] ?? 0) >= 1, "freshness samples after the CDC changes")
            #expect((metrics["sluice_load_pass_duration_seconds_count"] ?? 0) >= 1)
            #expect(metrics["sluice_lake_files_unloaded"] == 0)
            #expect((metrics["sluice_binlog_bytes_behind"] ?? -1) >= 0)
            #expect(metrics.keys.contains { $0.hasPrefix(#"sluice_consumer_lag_messages{partition="#) && $0.contains(#"topic="\#(database.name).a""#) })
            #expect(scrape.body.contains("# HELP sluice_rows_total ") && scrape.body.contains("# TYPE sluice_rows_total counter"))
            #expect(scrape.body.contains("# TYPE sluice_freshness_seconds histogram"))

            // A table that cannot be loaded and a message that is no change event: not ready, and counted.
            try await warehouse.execute("ALTER TABLE staging.a ADD CONSTRAINT small CHECK (v < 1000000)")
            try await database.execute("INSERT INTO a VALUES (500, 2000000, 'too big')")
            let producer = try KafkaProducer(configuration: try TestStack.config().kafka())
            try producer.send(topic: ExtractTopics(prefix: database.name).table("b"), key: Array("junk".utf8), value: Array("not json".utf8))
            try producer.flush()
            var notReady: (status: Int, body: String) = (0, "")
            let stoppedShows = try await RunFollowTests.within(60) {
                notReady = try await Self.get("\(base)/readyz")
                return notReady.status == 503 && notReady.body.contains("load stopped table a")
            }
            #expect(stoppedShows, "readyz: \(notReady.status) \(notReady.body)")
            #expect(try await Self.get("\(base)/healthz").status == 200, "a stopped table is not a failed process")
            let notReadyProbe = try runSluice(["health", "--address", "127.0.0.1:\(port ?? 0)", "--ready"])
            #expect(notReadyProbe.status == 1 && notReadyProbe.standardOutput.contains("load stopped table a"), "\(notReadyProbe.standardOutput)")
            var after: [String: Double] = [:]
            let countedStops = try await RunFollowTests.within(30) {
                after = Self.parse(try await Self.get("\(base)/metrics").body)
                return after[#"sluice_dead_letters_total{table="b"}"#] == 1
            }
            #expect(countedStops, "\(after.filter { $0.key.contains("dead") || $0.key.contains("stopped") })")
            #expect(after[#"sluice_tables_stopped{stage="load"}"#] == 1)
            #expect((after[#"sluice_errors_total{kind="table_stopped",stage="load"}"#] ?? 0) >= 1, "\(after.filter { $0.key.contains("errors") })")

            run.signal(SIGTERM)
            #expect(run.wait(seconds: 60) == 1, "a run that stopped a table exits 1: \(run.standardError.suffix(1500))")
            let missing = try await Self.get("\(base)/healthz", failing: true)
            #expect(missing.status == 0, "the endpoint closes with the process")

            // Every log line is one JSON object with the fields collectors need.
            let lines = run.standardError.split(separator: "\n").filter { !$0.isEmpty }
            #expect(lines.count >= 5)
            for line in lines {
                let object = try? JSONValue.parse(String(line))
                #expect(object?["time"] != nil && object?["level"] != nil && object?["stage"] != nil && object?["message"] != nil,
                        "not a JSON log line: \(line)")
            }
            #expect(lines.contains { $0.contains(#""table":"a""#) && $0.contains("stopped loading") }, "the stop line names its table in a field")

            // No secret anywhere in what the process printed.
            let stack = try TestStack.stackValues()
            let secrets = [stack["MYSQL_PASSWORD"], stack["AWS_SECRET_ACCESS_KEY"], warehouse.configuration.password.value]
                .compactMap { $0 }.filter { $0.count >= 4 }
            #expect(secrets.count == 3, "the stack file names the three secrets")
            for secret in secrets {
                #expect(!run.standardError.contains(secret) && !run.standardOutput.contains(secret), "a secret was printed")
                #expect(!scrape.body.contains(secret) && !ready.body.contains(secret) && !notReady.body.contains(secret))
            }
        }

        static func count(_ warehouse: TestWarehouse, _ table: String, where condition: String = "true") async throws -> Int {
            guard try await warehouse.scalar("SELECT to_regclass('staging.\(table)') IS NOT NULL") == "true" else { return -1 }
            return Int(try await warehouse.scalar("SELECT count(*) FROM staging.\(table) WHERE \(condition)") ?? "") ?? -1
        }

        /// GET with curl (status 0 when nothing answers and `failing` is set).
        static func get(_ url: String, failing: Bool = false) async throws -> (status: Int, body: String) {
            let result = try runProgram(URL(fileURLWithPath: "/usr/bin/curl"), ["-s", "-m", "5", "-w", "\n%{http_code}", url])
            if result.status != 0 {
                if failing { return (0, "") }
                throw CurlFailed(description: "curl \(url): exit \(result.status) \(result.standardError)")
            }
            var lines = result.standardOutput.split(separator: "\n", omittingEmptySubsequences: false)
            let status = Int(lines.popLast() ?? "") ?? 0
            return (status, lines.joined(separator: "\n"))
        }

        struct CurlFailed: Error, CustomStringConvertible { var description: String }

        /// The Prometheus text as series → value, labels sorted by name: `name{a="x",b="y"}`.
        static func parse(_ text: String) -> [String: Double] {
            var series: [String: Double] = [:]
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
                let name = line[..<space]
                guard let open = name.firstIndex(of: "{") else { series[String(name)] = value; continue }
                let labels = name[name.index(after: open)..<name.index(before: name.endIndex)]
                    .split(separator: ",").map(String.init).sorted()
                series[String(name[..<open]) + "{" + labels.joined(separator: ",") + "}"] = value
            }
            return series
        }
    }
}
