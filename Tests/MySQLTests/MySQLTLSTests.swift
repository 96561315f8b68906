import Foundation
import MySQL
import Pipeline
import SluiceSupport
import SluiceTestSupport
import Testing

/// TLS to the stack's MariaDB, which serves a certificate for `localhost` signed by the stack's
/// own CA (`SLUICE_TLS_CA`). Connections go to `localhost` (named in the certificate) or
/// `127.0.0.1` (not named) on the same server.
@Suite struct MySQLTLSTests {
    static func settings(mode: MySQLConnection.TLS.Mode, ca: String?, host: String = "localhost") throws -> MySQLConnection.Configuration {
        var settings = try TestStack.config().mysql()
        settings.host = host
        settings.tls = MySQLConnection.TLS(mode: mode, ca: ca)
        return settings
    }

    static func cipher(_ connection: MySQLConnection) async throws -> String {
        try await connection.query("SHOW SESSION STATUS LIKE 'Ssl_cipher'").rows.first?[1] ?? ""
    }

    @Test func verifiedTLSConnects() async throws {
        let ca = try #require(try TestStack.stackValues()["SLUICE_TLS_CA"])
        let connection = try await MySQLConnection.connect(try Self.settings(mode: .verifyIdentity, ca: ca))
        #expect(try await Self.cipher(connection) != "")
        let caOnly = try await MySQLConnection.connect(try Self.settings(mode: .verifyCA, ca: ca, host: "127.0.0.1"))
        #expect(try await Self.cipher(caOnly) != "")
    }

    @Test func disabledMeansPlain() async throws {
        let connection = try await MySQLConnection.connect(try Self.settings(mode: .disabled, ca: nil))
        #expect(try await Self.cipher(connection) == "")
    }

    @Test func certificateFromAnotherCAIsRefusedNamingTheSetting() async throws {
        let other = try #require(try TestStack.stackValues()["SLUICE_TLS_OTHER_CA"])
        for mode in [MySQLConnection.TLS.Mode.verifyCA, .verifyIdentity] {
            let error = await #expect(throws: MySQLError.self) {
                _ = try await MySQLConnection.connect(try Self.settings(mode: mode, ca: other))
            }
            let line = error?.summary ?? ""
            #expect(line.contains("localhost"), "\(line)")
            #expect(line.contains("MYSQL_SSL_CA"), "\(line)")
            #expect(!line.contains("\n"))
        }
    }

    @Test func hostNameNotInTheCertificateIsRefused() async throws {
        let ca = try #require(try TestStack.stackValues()["SLUICE_TLS_CA"])
        let error = await #expect(throws: MySQLError.self) {
            _ = try await MySQLConnection.connect(try Self.settings(mode: .verifyIdentity, ca: ca, host: "127.0.0.1"))
        }
        let line = error?.summary ?? ""
        #expect(line.contains("127.0.0.1"), "\(line)")
        #expect(line.contains("MYSQL_HOST") || line.contains("verify_ca"), "\(line)")
    }

    /// An account that REQUIRE SSL: refused in plain TCP with a line saying which setting to
    /// change; the whole extract (snapshot and binlog connections) works over verified TLS.
    @Test func accountRequiringTLS() async throws {
        let ca = try #require(try TestStack.stackValues()["SLUICE_TLS_CA"])
        let database = try await TestDatabase.create(copying: ["offices"])
        let user = "tls_" + database.name
        let password = UUID().uuidString
        try await database.admin.execute("CREATE USER '\(user)'@'127.0.0.1' IDENTIFIED BY '\(password)' REQUIRE SSL")
        try await database.admin.execute("GRANT SELECT, RELOAD, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO '\(user)'@'127.0.0.1'")
        defer { Task { try? await database.admin.execute("DROP USER '\(user)'@'127.0.0.1'"); await database.drop() } }

        var plain = try Self.settings(mode: .disabled, ca: nil)
        (plain.user, plain.password, plain.database) = (user, Secret(password), database.name)
        let error = await #expect(throws: MySQLError.self) { _ = try await MySQLConnection.connect(plain) }
        #expect(error?.summary.contains("MYSQL_SSL_MODE=required") == true, "\(error?.summary ?? "")")
        #expect(error?.summary.contains(password) == false)

        let result = try runSluice(["extract", "--mysql-database", database.name, "--topic-prefix", "tls_\(database.name)"],
                                   environment: ["MYSQL_HOST": "localhost", "MYSQL_USER": user, "MYSQL_PASSWORD": password,
                                                 "MYSQL_SSL_MODE": "verify_identity", "MYSQL_SSL_CA": ca])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(!result.standardError.contains(password))
    }

    /// A server without TLS (a temporary MariaDB without certificates): `preferred` connects in
    /// plain TCP, `required` refuses with a line saying the server offers none.
    @Test func serverWithoutTLS() async throws {
        let server = try TemporaryMariaDB(options: [])
        defer { server.stop() }
        var settings = try TestStack.config().mysql()
        (settings.host, settings.port, settings.user, settings.password, settings.database) =
            ("127.0.0.1", server.port, "sluice", Secret(server.password), nil)
        settings.tls = MySQLConnection.TLS(mode: .preferred)
        let connection = try await MySQLConnection.connect(settings)
        #expect(try await Self.cipher(connection) == "")

        settings.tls = MySQLConnection.TLS(mode: .required)
        let error = await #expect(throws: MySQLError.self) { _ = try await MySQLConnection.connect(settings) }
        #expect(error?.summary.contains("offers no TLS") == true, "\(error?.summary ?? "")")
        #expect(error?.summary.contains("MYSQL_SSL_MODE") == true, "\(error?.summary ?? "")")
    }
}
