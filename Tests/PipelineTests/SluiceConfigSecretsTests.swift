import Foundation
import Pipeline
import Testing

/// Secrets from files, where configuration files are looked for, and librdkafka properties.
@Suite struct SluiceConfigSecretsTests {
    static func scratchDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-secrets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    static func write(_ text: String, to url: URL, mode: Int) throws {
        try text.write(to: url, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
    }

    @Test func secretsComeFromFilesNamedByFileVariables() throws {
        let directory = try Self.scratchDirectory()
        let mysql = directory.appendingPathComponent("mysql-password")
        let aws = directory.appendingPathComponent("aws-secret")
        let warehouse = directory.appendingPathComponent("warehouse-password")
        try Self.write("s3cr3t-mysql\n", to: mysql, mode: 0o600)
        try Self.write("s3cr3t-aws", to: aws, mode: 0o600)
        try Self.write("s3cr3t-pg\r\n", to: warehouse, mode: 0o600)
        let config = try SluiceConfig.load(environment: [
            "MYSQL_PASSWORD_FILE": mysql.path, "AWS_SECRET_ACCESS_KEY_FILE": aws.path,
            "WAREHOUSE_PASSWORD_FILE": warehouse.path, "WAREHOUSE_URL": "postgres://dw@db.example:5432/dw",
            "MYSQL_DATABASE": "shop",
        ], workingDirectory: directory.path)
        #expect(config[.mysqlPassword] == "s3cr3t-mysql")
        #expect(config[.awsSecretAccessKey] == "s3cr3t-aws")
        #expect(try config.warehouse().password.value == "s3cr3t-pg")
        #expect(try config.mysql().password.value == "s3cr3t-mysql")
        let entry = try #require(config.entries.first { $0.setting == .mysqlPassword })
        #expect(entry.displayValue == "****")
        #expect(entry.origin.description.contains("MYSQL_PASSWORD_FILE"))
        #expect(config.warnings.isEmpty)
        // The variable itself beats the file.
        let both = try SluiceConfig.load(environment: ["MYSQL_PASSWORD": "direct", "MYSQL_PASSWORD_FILE": mysql.path],
                                         workingDirectory: directory.path)
        #expect(both[.mysqlPassword] == "direct")
    }

    @Test func secretsFileOthersCanReadIsWarnedAbout() throws {
        let directory = try Self.scratchDirectory()
        let file = directory.appendingPathComponent("password")
        try Self.write("pw", to: file, mode: 0o644)
        let config = try SluiceConfig.load(environment: ["MYSQL_PASSWORD_FILE": file.path], workingDirectory: directory.path)
        #expect(config.warnings.count == 1)
        #expect(config.warnings.first?.contains("chmod 600 \(file.path)") == true)
        #expect(config.warnings.first?.contains("pw") == false || !config.warnings[0].contains(": pw"))

        let dotEnv = directory.appendingPathComponent(".env")
        try Self.write("AWS_SECRET_ACCESS_KEY=abc\n", to: dotEnv, mode: 0o644)
        let withDotEnv = try SluiceConfig.load(environment: [:], workingDirectory: directory.path)
        #expect(withDotEnv.warnings.contains { $0.contains(dotEnv.path) })
    }

    @Test func unreadableSecretFileIsOneClearError() throws {
        let directory = try Self.scratchDirectory()
        let missing = directory.appendingPathComponent("nope").path
        let error = #expect(throws: ConfigError.self) {
            _ = try SluiceConfig.load(environment: ["MYSQL_PASSWORD_FILE": missing], workingDirectory: directory.path)
        }
        #expect(error?.summary.contains("MYSQL_PASSWORD_FILE=\(missing)") == true)
    }

    /// A stack file in a parent folder must not redirect connections; one in the working directory is used.
    @Test func stackFileOnlyInTheWorkingDirectory() throws {
        let parent = try Self.scratchDirectory()
        let child = parent.appendingPathComponent("project")
        try FileManager.default.createDirectory(at: child.appendingPathComponent(".sluice"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: parent.appendingPathComponent(".sluice"), withIntermediateDirectories: true)
        try Self.write("MYSQL_HOST=planted.example\n", to: parent.appendingPathComponent(".sluice/stack.env"), mode: 0o600)
        let config = try SluiceConfig.load(environment: [:], workingDirectory: child.path)
        #expect(config[.mysqlHost] == "127.0.0.1")
        #expect(config.stackFilePath == nil)
        try Self.write("MYSQL_HOST=own.example\n", to: child.appendingPathComponent(".sluice/stack.env"), mode: 0o600)
        #expect(try SluiceConfig.load(environment: [:], workingDirectory: child.path)[.mysqlHost] == "own.example")
    }

    @Test func kafkaPropertiesFromVariablesFilesAndFlags() throws {
        let directory = try Self.scratchDirectory()
        let password = directory.appendingPathComponent("sasl")
        try Self.write("sasl-s3cr3t\n", to: password, mode: 0o600)
        let config = try SluiceConfig.load(
            kafkaProperties: ["sasl.username=from-flag"],
            environment: ["KAFKA_BOOTSTRAP_SERVERS": "broker:9092", "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
                          "KAFKA_SASL_MECHANISMS": "SCRAM-SHA-512", "KAFKA_SASL_USERNAME": "from-env",
                          "KAFKA_SASL_PASSWORD_FILE": password.path, "KAFKA_OPTS": "-Xmx1g", "KAFKA_HEAP_OPTS": "-Xmx1g"],
            workingDirectory: directory.path)
        let byName = Dictionary(uniqueKeysWithValues: config.kafkaProperties.map { ($0.name, $0) })
        #expect(Set(byName.keys) == ["security.protocol", "sasl.mechanisms", "sasl.username", "sasl.password"])
        #expect(byName["sasl.username"]?.value == "from-flag")
        #expect(byName["sasl.password"]?.value == "sasl-s3cr3t")
        #expect(byName["sasl.password"]?.displayValue == "****")
        #expect(byName["security.protocol"]?.displayValue == "SASL_SSL")
        let kafka = try config.kafka()
        #expect(kafka.bootstrapServers == "broker:9092")
        #expect(kafka.properties["sasl.password"] == "sasl-s3cr3t")
        #expect(kafka.properties["sasl.mechanisms"] == "SCRAM-SHA-512")
    }

    @Test func propertiesLibrdkafkaRejectsNameTheirVariableAndHideSecrets() throws {
        let directory = try Self.scratchDirectory()
        let unknown = try SluiceConfig.load(environment: ["KAFKA_NO_SUCH_THING": "1"], workingDirectory: directory.path)
        let error = #expect(throws: ConfigError.self) { _ = try unknown.kafka() }
        #expect(error?.summary.contains("KAFKA_NO_SUCH_THING") == true, "\(error?.summary ?? "")")
        #expect(error?.summary.contains("no.such.thing") == true)

        let badValue = try SluiceConfig.load(environment: ["KAFKA_SECURITY_PROTOCOL": "carrier-pigeon"], workingDirectory: directory.path)
        let valueError = #expect(throws: ConfigError.self) { _ = try badValue.kafka() }
        #expect(valueError?.summary.contains("security.protocol") == true)

        let badFlag = #expect(throws: ConfigError.self) {
            _ = try SluiceConfig.load(kafkaProperties: ["justaname"], environment: [:], workingDirectory: directory.path)
        }
        #expect(badFlag?.summary.contains("name=value") == true)
    }
}
