import Foundation
import Pipeline
import Testing

/// Precedence, aliases and masking of the configuration loader.
@Suite struct SluiceConfigTests {
    /// A scratch directory with a `.env` and a stack file.
    struct Scratch {
        let directory: URL
        let stackFile: URL

        init(dotEnv: String, stack: String) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-config-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try dotEnv.write(to: directory.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
            stackFile = directory.appendingPathComponent("stack.env")
            try stack.write(to: stackFile, atomically: true, encoding: .utf8)
        }
    }

    @Test func flagBeatsEnvironmentBeatsDotEnvBeatsStackBeatsDefault() throws {
        let scratch = try Scratch(
            dotEnv: "MYSQL_HOST=dotenv-host\nMYSQL_PORT=2222\nexport MYSQL_USER='dotenv-user'\n",
            stack: "MYSQL_HOST=stack-host\nMYSQL_PORT=3333\nMYSQL_USER=stack-user\nMYSQL_DATABASE=stackdb\n# comment\n")
        let config = try SluiceConfig.load(
            flags: ["MYSQL_HOST": "flag-host"],
            environment: ["MYSQL_PORT": "4444", "SLUICE_STACK_FILE": scratch.stackFile.path],
            workingDirectory: scratch.directory.path)

        #expect(config[.mysqlHost] == "flag-host")
        #expect(config[.mysqlPort] == "4444")
        #expect(config[.mysqlUser] == "dotenv-user")
        #expect(config[.mysqlDatabase] == "stackdb")
        #expect(config[.kafkaBootstrap] == "localhost:9092")

        let origins = Dictionary(uniqueKeysWithValues: config.entries.map { ($0.setting.key, $0.origin) })
        #expect(origins["MYSQL_HOST"] == .flag("--mysql-host"))
        #expect(origins["MYSQL_PORT"] == .environment("MYSQL_PORT"))
        #expect(origins["MYSQL_USER"]?.description.hasPrefix(".env") == true)
        #expect(origins["MYSQL_DATABASE"] == .stackFile(path: scratch.stackFile.path))
        #expect(origins["KAFKA_BOOTSTRAP_SERVERS"] == .defaultValue)
        #expect(try config.mysql().port == 4444)
    }

    @Test func aliasesAndLibpqVariables() throws {
        let scratch = try Scratch(dotEnv: "", stack: "")
        let config = try SluiceConfig.load(
            environment: ["AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9000", "PGHOST": "db.internal", "PGUSER": "analyst",
                          "PGPASSWORD": "pg-secret", "PGDATABASE": "dw", "SLUICE_STACK_FILE": scratch.stackFile.path],
            workingDirectory: scratch.directory.path)
        #expect(config[.s3Endpoint] == "http://127.0.0.1:9000")
        let warehouse = try config.warehouse()
        #expect(warehouse.host == "db.internal")
        #expect(warehouse.user == "analyst")
        #expect(warehouse.password.value == "pg-secret")
        #expect(warehouse.database == "dw")
    }

    /// The replica server_id: derived per topic prefix (even, above any id a source server is
    /// usually given, stable), or `SLUICE_SERVER_ID`; a bad value names the setting.
    @Test func replicaServerIDIsPerPrefixOrSet() throws {
        let scratch = try Scratch(dotEnv: "", stack: "")
        let unset = try SluiceConfig.load(environment: ["SLUICE_STACK_FILE": scratch.stackFile.path], workingDirectory: scratch.directory.path)
        let ids = try ["shop", "shop2", "t_0a1b2c3d", "classicmodels"].map { try unset.replicaServerID(topicPrefix: $0) }
        #expect(Set(ids).count == 4)
        #expect(ids.allSatisfy { $0 % 2 == 0 && (5_400_000..<7_400_000).contains($0) })
        #expect(try unset.replicaServerID(topicPrefix: "shop") == ids[0])
        let set = try SluiceConfig.load(environment: ["SLUICE_STACK_FILE": scratch.stackFile.path, "SLUICE_SERVER_ID": "1234"],
                                        workingDirectory: scratch.directory.path)
        #expect(try set.replicaServerID(topicPrefix: "shop") == 1234)
        let bad = try SluiceConfig.load(environment: ["SLUICE_STACK_FILE": scratch.stackFile.path, "SLUICE_SERVER_ID": "0"],
                                        workingDirectory: scratch.directory.path)
        #expect(throws: ConfigError.self) { try bad.replicaServerID(topicPrefix: "shop") }
    }

    @Test func secretsAreMasked() throws {
        let scratch = try Scratch(dotEnv: "MYSQL_PASSWORD=hunter2\nAWS_SECRET_ACCESS_KEY=abc/def\nMYSQL_DATABASE=shop\n",
                                  stack: "WAREHOUSE_URL=postgres://wh:pw-123@127.0.0.1:5432/warehouse\n")
        let config = try SluiceConfig.load(environment: ["SLUICE_STACK_FILE": scratch.stackFile.path],
                                           workingDirectory: scratch.directory.path)
        let shown = config.entries.map(\.displayValue).joined(separator: "\n")
        #expect(!shown.contains("hunter2"))
        #expect(!shown.contains("abc/def"))
        #expect(!shown.contains("pw-123"))
        #expect(shown.contains("postgres://wh:****@127.0.0.1:5432/warehouse"))
        #expect(try config.mysql().password.description == "****")
    }

    @Test func malformedPortNamesTheSettingAndItsOrigin() throws {
        let scratch = try Scratch(dotEnv: "MYSQL_PORT=33o6\n", stack: "")
        let config = try SluiceConfig.load(environment: ["SLUICE_STACK_FILE": scratch.stackFile.path],
                                           workingDirectory: scratch.directory.path)
        let error = #expect(throws: ConfigError.self) { try config.mysql() }
        #expect(error?.summary.contains("MYSQL_PORT=33o6") == true)
        #expect(error?.summary.contains(".env") == true)
    }

    /// Half a key pair is a configuration error. (With no keys at all, S3 uses the
    /// AWS credential chain, which says what it tried: see AWSCredentialChainTests.)
    @Test func missingCredentialSaysHowToSetIt() throws {
        let scratch = try Scratch(dotEnv: "AWS_ACCESS_KEY_ID=AKIDONLYHALF\n", stack: "")
        let config = try SluiceConfig.load(environment: ["SLUICE_STACK_FILE": scratch.stackFile.path],
                                           workingDirectory: scratch.directory.path)
        let error = #expect(throws: ConfigError.self) { try config.s3() }
        #expect(error?.summary.contains("AWS_SECRET_ACCESS_KEY is not set") == true)
    }
}
