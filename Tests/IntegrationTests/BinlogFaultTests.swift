import Foundation
import MySQL
import Pipeline
import SluiceSupport
import SluiceTestSupport
import Testing

extension PipelineIntegration {
    /// The binlog connection breaking, and the binlog itself starting over, on a MariaDB of the
    /// test's own (restarting the stack's would disturb the other suites).
    @Suite struct BinlogFaultTests {
        static func connection(_ server: TemporaryMariaDB) async throws -> MySQLConnection {
            try await MySQLConnection.connect(MySQLConnection.Configuration(
                host: "127.0.0.1", port: server.port, user: "sluice", password: Secret(server.password), database: "shop"))
        }

        static func environment(_ server: TemporaryMariaDB, _ warehouse: TestWarehouse) -> [String: String] {
            server.environment.merging(warehouse.environment) { _, new in new }
        }

        static func expectExact(_ server: TemporaryMariaDB, _ warehouse: TestWarehouse, prefix: String,
                                sourceLocation: SourceLocation = #_sourceLocation) async throws {
            let verify = try runSluice(["verify", "--topic-prefix", prefix, "--lake-root", "\(prefix)/raw"],
                                       environment: environment(server, warehouse))
            #expect(verify.status == 0 && verify.standardOutput.contains("verify: ✓ all"),
                    "\(verify.standardOutput)\(verify.standardError)", sourceLocation: sourceLocation)
            let difference = try await StagingMirror.difference(try await connection(server), database: "shop", table: "items",
                                                                warehouse: warehouse)
            #expect(difference == nil, "\(difference ?? "")", sourceLocation: sourceLocation)
        }

        /// A server whose sql_mode reads backslashes as characters (NO_BACKSLASH_ESCAPES) and
        /// double quotes as names (ANSI_QUOTES): Sluice's own sessions leave both out, so keys
        /// holding quotes and backslashes resume chunks at the right row.
        @Test func serverSQLModeDoesNotChangeSluicesLiterals() async throws {
            let server = try TemporaryMariaDB(options: TemporaryMariaDB.binlogOptions + ["--sql-mode=NO_BACKSLASH_ESCAPES,ANSI_QUOTES"])
            defer { server.stop() }
            let warehouse = try await TestWarehouse.create()
            let prefix = "sqlmode" + UUID().uuidString.prefix(6).lowercased()
            try server.execute("CREATE TABLE shop.quoted (k VARCHAR(20) PRIMARY KEY, v INT)")
            // Under NO_BACKSLASH_ESCAPES 'k\''' is k, a backslash and a quote: every key holds both.
            _ = try server.execute("INSERT INTO shop.quoted SELECT CONCAT('k\\''', LPAD(seq, 6, '0')), seq FROM shop.seq_1_to_45000")
            let run = try runSluice(["run", "--topic-prefix", prefix, "--lake-root", "\(prefix)/raw"], environment: Self.environment(server, warehouse))
            #expect(run.status == 0, "\(run.standardError)")
            let difference = try await StagingMirror.difference(try await Self.connection(server), database: "shop", table: "quoted",
                                                                warehouse: warehouse)
            #expect(difference == nil, "\(difference ?? "")")
        }

        /// `LOAD DATA LOCAL` from a session logging statements: its file travels in Begin_load_query,
        /// which Connector/C reported as a malformed packet, so extract failed there on every run for
        /// every table. Now the file's events are passed over, the statement stops the table it loads
        /// (no row images), and the table written after it by rows arrives. On a server of its own:
        /// that event would stop every older Sluice reading the shared one.
        @Test func loadDataAsAStatementStopsItsTableAlone() async throws {
            let server = try TemporaryMariaDB(options: TemporaryMariaDB.binlogOptions + ["--local-infile=1"])
            defer { server.stop() }
            let warehouse = try await TestWarehouse.create()
            let prefix = "loaddata" + UUID().uuidString.prefix(6).lowercased()
            let arguments = ["--topic-prefix", prefix, "--lake-root", "\(prefix)/raw"]
            try server.execute("CREATE TABLE shop.loaded (id INT PRIMARY KEY, v VARCHAR(20)); INSERT INTO shop.loaded VALUES (1, 'one')")
            try server.execute("INSERT INTO shop.items VALUES (1, 'a'), (2, 'b')")
            let snapshot = try runSluice(["run"] + arguments, environment: Self.environment(server, warehouse))
            #expect(snapshot.status == 0, "\(snapshot.standardError)")

            let file = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-load-\(prefix).csv")
            try (2...500).map { "\($0),row \($0)\n" }.joined().write(to: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: file) }
            try server.execute("""
                SET SESSION binlog_format = 'STATEMENT';
                LOAD DATA LOCAL INFILE '\(file.path)' INTO TABLE shop.loaded FIELDS TERMINATED BY ',';
                SET SESSION binlog_format = 'ROW';
                INSERT INTO shop.items VALUES (3, 'c'); UPDATE shop.items SET name = 'b2' WHERE id = 2
                """, clientOptions: ["--local-infile=1"])
            #expect(try server.execute("SELECT count(*) FROM shop.loaded").trimmingCharacters(in: .whitespacesAndNewlines) == "500")

            let stopped = try runSluice(["run"] + arguments, environment: Self.environment(server, warehouse))
            #expect(stopped.status == 1, "\(stopped.standardError)")
            let line = stopped.standardError.split(separator: "\n").first { $0.contains("shop.loaded stopped at binlog") } ?? ""
            #expect(line.contains("LOAD DATA") && line.contains("binlog_format") && line.contains("--resnapshot loaded"),
                    "\(stopped.standardError)")
            #expect(!stopped.standardError.contains("Malformed packet"), "\(stopped.standardError)")
            let items = try await StagingMirror.difference(try await Self.connection(server), database: "shop", table: "items",
                                                           warehouse: warehouse)
            #expect(items == nil, "\(items ?? "")")

            let resnapshot = try runSluice(["extract", "--resnapshot", "loaded", "--topic-prefix", prefix], environment: Self.environment(server, warehouse))
            #expect(resnapshot.status == 0, "\(resnapshot.standardError)")
            let run = try runSluice(["run"] + arguments, environment: Self.environment(server, warehouse))
            #expect(run.status == 0, "\(run.standardError)")
            try await Self.expectExact(server, warehouse, prefix: prefix)
            let loaded = try await StagingMirror.difference(try await Self.connection(server), database: "shop", table: "loaded",
                                                            warehouse: warehouse)
            #expect(loaded == nil, "\(loaded ?? "")")
        }

        /// `run --follow` through a clean restart, a crash (SIGKILL) of the server and a killed
        /// dump thread: it reconnects from its last transaction boundary and loses nothing.
        @Test func serverRestartsUnderFollowLoseNothing() async throws {
            let server = try TemporaryMariaDB(options: TemporaryMariaDB.binlogOptions)
            defer { server.stop() }
            let warehouse = try await TestWarehouse.create()
            let prefix = "faults" + UUID().uuidString.prefix(6).lowercased()
            try server.execute("INSERT INTO shop.items VALUES (1, 'a'), (2, 'b')")
            let follow = try BackgroundSluice(["run", "--follow", "--topic-prefix", prefix, "--lake-root", "\(prefix)/raw"],
                                              environment: Self.environment(server, warehouse))
            defer { follow.signal(SIGKILL) }
            let started = await eventually(within: 90) { (try? await warehouse.scalar("SELECT count(*) FROM staging.items")) == "2" }
            #expect(started, "\(follow.standardError)")

            try server.execute("INSERT INTO shop.items VALUES (3, 'c')")
            try server.restart()
            try server.execute("INSERT INTO shop.items VALUES (4, 'd'); UPDATE shop.items SET name = 'B' WHERE id = 2")
            try server.restart(crash: true)
            try server.execute("INSERT INTO shop.items VALUES (5, 'e'); DELETE FROM shop.items WHERE id = 1")
            // A killed dump thread (error 1927) is a lost connection too, not the end of the log.
            let dumps = try server.execute("SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'")
            for id in dumps.split(separator: "\n") { _ = try? server.execute("KILL \(id)") }
            try server.execute("INSERT INTO shop.items VALUES (6, 'f')")

            let caughtUp = await eventually(within: 120) {
                (try? await warehouse.scalar("SELECT string_agg(id || name, ',' ORDER BY id) FROM staging.items")) == "2B,3c,4d,5e,6f"
            }
            #expect(caughtUp, "\(follow.standardError)")
            #expect(follow.process.isRunning, "run --follow ended: \(follow.standardError)")
            #expect(follow.standardError.contains("binlog connection lost"), "\(follow.standardError)")
            follow.signal(SIGTERM)
            #expect(follow.wait(seconds: 60) == 0, "\(follow.standardError)")
            try await Self.expectExact(server, warehouse, prefix: prefix)
        }

        /// A server that stays away: `extract --follow` gives up after its reconnect timeout with a
        /// non-zero exit and one line, never exit 0 as if the log had ended.
        @Test func followFailsWhenTheServerStaysAway() async throws {
            let server = try TemporaryMariaDB(options: TemporaryMariaDB.binlogOptions)
            defer { server.stop() }
            let prefix = "away" + UUID().uuidString.prefix(6).lowercased()
            let follow = try BackgroundSluice(["extract", "--follow", "--topic-prefix", prefix, "--reconnect-timeout", "4"],
                                              environment: server.environment)
            defer { follow.signal(SIGKILL) }
            let offsets = try TopicFollower("\(prefix)._offsets")
            #expect(try offsets.waitFor(within: 60) { !$0.isEmpty }, "\(follow.standardError)")
            server.halt()
            let status = follow.wait(seconds: 60)
            #expect(status != nil && status != 0, "\(follow.standardError)")
            let errors = follow.standardError.split(separator: "\n").filter { !$0.contains("warning") && !$0.contains("reconnecting") }
            #expect(errors.last?.contains("lost for 4 s") == true, "\(follow.standardError)")
        }

        /// RESET MASTER while Sluice is away: extract refuses to read a log that started over, and
        /// `extract --reset` starts a new epoch whose snapshot supersedes everything before it, though
        /// its binlog positions are lower.
        @Test func resetBinlogStopsExtractAndResetStartsOver() async throws {
            let server = try TemporaryMariaDB(options: TemporaryMariaDB.binlogOptions)
            defer { server.stop() }
            let warehouse = try await TestWarehouse.create()
            let prefix = "reset" + UUID().uuidString.prefix(6).lowercased()
            let arguments = ["--topic-prefix", prefix, "--lake-root", "\(prefix)/raw"]
            let environment = Self.environment(server, warehouse)
            for id in 1...20 { try server.execute("INSERT INTO shop.items VALUES (\(id), 'v\(id)')") }
            #expect(try runSluice(["run"] + arguments, environment: environment).status == 0)

            try server.execute("RESET MASTER")
            try server.execute("DELETE FROM shop.items WHERE id <= 5; INSERT INTO shop.items VALUES (100, 'after reset')")
            let refused = try runSluice(["extract", "--topic-prefix", prefix], environment: environment)
            #expect(refused.status != 0)
            #expect(refused.standardError.contains("RESET MASTER") && refused.standardError.contains("--reset"), "\(refused.standardError)")
            #expect(refused.standardError.split(separator: "\n").count == 1, "\(refused.standardError)")

            let reset = try runSluice(["extract", "--reset", "--topic-prefix", prefix], environment: environment)
            #expect(reset.status == 0, "\(reset.standardError)")
            #expect(try runSluice(["run"] + arguments, environment: environment).status == 0)
            try await Self.expectExact(server, warehouse, prefix: prefix)
            #expect(try await warehouse.scalar("SELECT count(*) FROM staging.items") == "16")
        }
    }
}
