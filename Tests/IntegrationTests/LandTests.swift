import Foundation
import Kafka
import Parquet
import Pipeline
import S3
import SluiceSupport
import SluiceTestSupport
import Testing

extension PipelineIntegration {
    /// `sluice land`: the lake as pyarrow sees it, and exactly-once objects under crashes, rebalances and outages.
    @Suite struct LandTests {
        static let lakeScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Scripts/lake_read.py").path

        /// What pyarrow reads from a table of the lake.
        static func pyarrowRead(root: String, table: String, format: String = "parquet",
                                environment: [String: String] = [:]) throws -> [String: Any] {
            let result = try runProgram(URL(fileURLWithPath: "/usr/bin/env"),
                                        ["python3", lakeScript, TestStack.stackFile, root, table, format], environment: environment)
            #expect(result.status == 0, "\(result.standardError)")
            return try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        }

        /// Every (partition, offset) in a table's lake objects, read with Sluice's Parquet reader.
        static func landedOffsets(root: String, table: String, endpoint: String? = nil) async throws -> [Int64] {
            var settings = try TestStack.config().s3()
            if let endpoint { settings.endpoint = endpoint }
            let s3 = S3Client(configuration: settings)
            let bucket = try TestStack.config().bucket()
            var pairs: [Int64] = []
            for object in try await s3.listAllObjects(bucket: bucket, prefix: "\(root)/\(table)/") {
                let reader = try ParquetReader(try await s3.getObject(bucket: bucket, key: object.key))
                let names = reader.columns.map(\.name)
                guard case .int32(let partitions) = try reader.readColumn(names.firstIndex(of: "_kafka_partition")!),
                      case .int64(let offsets) = try reader.readColumn(names.firstIndex(of: "_kafka_offset")!) else {
                    Issue.record("metadata columns have unexpected types in \(object.key)")
                    return []
                }
                pairs += zip(partitions, offsets).map { Int64($0!) << 40 | $1! }
            }
            return pairs
        }

        static func bigTable(rows: Int) async throws -> TestDatabase {
            let database = try await TestDatabase.create()
            try await database.execute("CREATE TABLE big (id INT PRIMARY KEY, amount DECIMAL(12,2) NOT NULL, s VARCHAR(20))")
            try await database.execute("INSERT INTO big SELECT seq, seq / 100, CONCAT('row-', seq) FROM seq_1_to_\(rows)")
            return database
        }

        @Test func pyarrowReadsTheLakeExactly() throws {
            let prefix = "land\(UUID().uuidString.prefix(6).lowercased())"
            let extract = try runSluice(["extract", "--topic-prefix", prefix])
            #expect(extract.status == 0, "\(extract.standardError)")
            let land = try runSluice(["land", "--topic-prefix", prefix, "--lake-root", "\(prefix)/raw"])
            #expect(land.status == 0, "\(land.standardError)")

            let orderdetails = try Self.pyarrowRead(root: "\(prefix)/raw", table: "orderdetails")
            #expect(orderdetails["rows"] as? Int == 2996)
            #expect(orderdetails["sum"] as? String == "9604190.61")
            let types = try #require(orderdetails["types"] as? [String: String])
            #expect(types["priceEach"] == "decimal128(10, 2)")
            #expect(types["orderNumber"] == "int32")
            #expect(types["dt"] != nil)

            let customers = try Self.pyarrowRead(root: "\(prefix)/raw", table: "customers")
            #expect(customers["rows"] as? Int == 122)
            let mini = try #require((customers["customers"] as? [String: [String: Any]])?["209"])
            #expect(mini["customerName"] as? String == "Mini Caravy")
            #expect(mini["contactFirstName"] as? String == "Frédérique ")
            #expect(mini["addressLine1"] as? String == "24, place Kléber")
            #expect(mini["addressLine2"] is NSNull)
            #expect(mini["creditLimit"] as? String == "53800.00")
            #expect(mini["_op"] as? String == "r")

            // The same topics as gzip JSON Lines, through another group.
            let jsonl = try runSluice(["land", "--topic-prefix", prefix, "--lake-root", "\(prefix)/jsonl", "--format", "jsonl",
                                       "--group", "\(prefix)-jsonl", "--tables", "orderdetails"])
            #expect(jsonl.status == 0, "\(jsonl.standardError)")
            let lines = try Self.pyarrowRead(root: "\(prefix)/jsonl", table: "orderdetails", format: "jsonl")
            #expect(lines["rows"] as? Int == 2996)
            #expect(lines["sum"] as? String == "9604190.61")

            // lake ls reads row counts and offsets from the footers.
            let listing = try runSluice(["lake", "ls", "--lake-root", "\(prefix)/raw", "orderdetails"])
            #expect(listing.standardOutput.contains("2996 rows"), "\(listing.standardOutput)")
        }

        @Test func everyOffsetLandsExactlyOnceDespiteKills() async throws {
            let rows = 200_000
            let database = try await Self.bigTable(rows: rows)
            defer { Task { await database.drop() } }
            let prefix = database.name
            let extract = try runSluice(["extract", "--topic-prefix", prefix, "--mysql-database", database.name])
            #expect(extract.status == 0, "\(extract.standardError)")
            let messages = try readTopic("\(prefix).big").count
            #expect(messages >= rows)

            let arguments = ["land", "--topic-prefix", prefix, "--mysql-database", database.name, "--lake-root", "\(prefix)/raw",
                             "--flush-rows", "4000"]
            var kills = 0
            for _ in 0..<6 {
                let land = try BackgroundSluice(arguments)
                usleep(UInt32.random(in: 2_500_000...6_000_000))
                if land.process.isRunning {
                    land.signal(SIGKILL)
                    kills += 1
                }
                _ = land.wait(seconds: 10)
            }
            #expect(kills >= 5, "land finished before it could be killed five times")
            let last = try runSluice(arguments)
            #expect(last.status == 0, "\(last.standardError)")

            let landed = try await Self.landedOffsets(root: "\(prefix)/raw", table: "big")
            #expect(landed.count == messages, "\(landed.count) rows landed for \(messages) messages")
            #expect(Set(landed).count == landed.count, "some offsets landed twice")
        }

        @Test func twoProcessesShareSixPartitions() async throws {
            let database = try await Self.bigTable(rows: 30_000)
            defer { Task { await database.drop() } }
            let prefix = database.name
            let kafka = try TemporaryDevKafka(brokers: 1, topics: ["\(prefix).big": 6])
            defer { kafka.stop() }
            let environment = ["KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrapServers]
            let extract = try runSluice(["extract", "--topic-prefix", prefix, "--mysql-database", database.name], environment: environment)
            #expect(extract.status == 0, "\(extract.standardError)")

            let arguments = ["land", "--follow", "--topic-prefix", prefix, "--mysql-database", database.name,
                             "--lake-root", "\(prefix)/raw", "--flush-rows", "2000", "--group", "\(prefix)-pair", "--log-level", "info"]
            let first = try BackgroundSluice(arguments, environment: environment)
            let second = try BackgroundSluice(arguments, environment: environment)
            defer { first.signal(SIGKILL); second.signal(SIGKILL) }
            var landed: [Int64] = []
            let complete = try await eventuallyAsync(within: 120) {
                landed = try await Self.landedOffsets(root: "\(prefix)/raw", table: "big")
                return landed.count >= 30_000
            }
            #expect(complete, "lake holds \(landed.count) of 30000 rows")
            first.signal(SIGTERM)
            second.signal(SIGTERM)
            #expect(first.wait(seconds: 30) == 0)
            #expect(second.wait(seconds: 30) == 0)
            #expect(first.standardError.contains("assigned \(prefix).big"), "first process got no partitions")
            #expect(second.standardError.contains("assigned \(prefix).big"), "second process got no partitions")
            landed = try await Self.landedOffsets(root: "\(prefix)/raw", table: "big")
            #expect(landed.count == 30_000)
            #expect(Set(landed).count == landed.count, "some offsets landed twice")
            #expect(Set(landed.map { $0 >> 40 }).count == 6)
        }

        @Test func s3OutageIsRetriedAndWrongSecretStopsWithoutCommitting() async throws {
            let database = try await Self.bigTable(rows: 60_000)
            defer { Task { await database.drop() } }
            let prefix = database.name
            let extract = try runSluice(["extract", "--topic-prefix", prefix, "--mysql-database", database.name])
            #expect(extract.status == 0, "\(extract.standardError)")
            let s3 = try TemporarySeaweedFS()
            var environment = s3.environment
            let created = try runSluice(["lake", "create-bucket"], environment: environment)
            #expect(created.status == 0, "\(created.standardError)")

            // Wrong secret: one line, non-zero, nothing committed.
            var wrong = environment
            wrong["AWS_SECRET_ACCESS_KEY"] = "not-the-secret"
            let denied = try runSluice(["land", "--topic-prefix", prefix, "--mysql-database", database.name, "--group", "\(prefix)-g",
                                        "--lake-root", "\(prefix)/raw"], environment: wrong)
            #expect(denied.status != 0)
            #expect(denied.standardError.contains("AWS_SECRET_ACCESS_KEY"), "\(denied.standardError)")
            #expect(!denied.standardError.contains("not-the-secret"))
            #expect(denied.standardError.split(separator: "\n").count == 1, "\(denied.standardError)")
            let probe = try KafkaConsumer(configuration: try TestStack.config().kafka(), groupID: "\(prefix)-g")
            let committed = try probe.committed((0..<4).map { ("\(prefix).big", Int32($0)) })
            #expect(committed.allSatisfy { $0.offset < 0 }, "offsets were committed: \(committed)")
            probe.close()

            // S3 is down when land starts and comes back 8 s later: land keeps retrying (the HTTP
            // client's connection pool reconnects within each attempt's deadline) and completes.
            environment["SLUICE_LOG_LEVEL"] = "warning"
            s3.stop()
            let land = try BackgroundSluice(["land", "--topic-prefix", prefix, "--mysql-database", database.name, "--group", "\(prefix)-g",
                                             "--lake-root", "\(prefix)/raw", "--flush-rows", "2000"], environment: environment)
            defer { land.signal(SIGKILL) }
            usleep(8_000_000)
            #expect(land.process.isRunning, "land gave up while S3 was down: \(land.standardError)")
            try s3.start()
            #expect(land.wait(seconds: 180) == 0, "\(land.standardError.suffix(2000))")
            let landed = try await Self.landedOffsets(root: "\(prefix)/raw", table: "big", endpoint: environment["S3_ENDPOINT"])
            #expect(landed.count == 60_000)
            #expect(Set(landed).count == landed.count)
        }
    }
}

/// `eventually` for async conditions.
func eventuallyAsync(within seconds: Double, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    repeat {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(500))
    } while Date() < deadline
    return try await condition()
}
