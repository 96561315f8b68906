import Foundation
import Logging
import Pipeline
import PostgresNIO
import SluiceSupport
import SluiceTestSupport
import Testing
import Warehouse

/// TLS to the stack's PostgreSQL (`ssl=on`, a certificate for `localhost` from the stack's CA).
@Suite struct WarehouseTLSTests {
    /// The stack's warehouse URL with another host and libpq TLS parameters.
    static func settings(_ query: String, host: String = "localhost", user: String? = nil) throws -> WarehouseConfiguration {
        let url = try #require(TestStack.stackValues()["WAREHOUSE_URL"])
        var components = try #require(URLComponents(string: url))
        components.host = host
        if let user { components.user = user }
        return try SluiceConfig.load(flags: ["WAREHOUSE_URL": components.string! + "?" + query],
                                     workingDirectory: TestStack.root.path).warehouse()
    }

    static func usesTLS(_ settings: WarehouseConfiguration) async throws -> Bool {
        try await Warehouse.withConnection(settings) { connection in
            let rows = try await connection.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", logger: Logger(label: "test"))
            for try await ssl in rows.decode(Bool.self) { return ssl }
            return false
        }
    }

    static func connectError(_ settings: WarehouseConfiguration) async -> String {
        do {
            _ = try await usesTLS(settings)
            return ""
        } catch {
            return (error as? any UserFacingError)?.summary ?? "\(error)"
        }
    }

    @Test func verifiedTLSConnects() async throws {
        let ca = try #require(try TestStack.stackValues()["SLUICE_TLS_CA"])
        #expect(try await Self.usesTLS(try Self.settings("sslmode=verify-full&sslrootcert=\(ca)")))
        #expect(try await Self.usesTLS(try Self.settings("sslmode=verify-ca&sslrootcert=\(ca)", host: "127.0.0.1")))
        #expect(try await Self.usesTLS(try Self.settings("sslmode=prefer")))
        #expect(try await Self.usesTLS(try Self.settings("sslmode=disable")) == false)
    }

    @Test func environmentSettingsApplyWhenTheURLHasNone() throws {
        let ca = try #require(try TestStack.stackValues()["SLUICE_TLS_CA"])
        let url = try #require(TestStack.stackValues()["WAREHOUSE_URL"])
        let config = try SluiceConfig.load(flags: ["WAREHOUSE_URL": url], environment: ["PGSSLMODE": "verify-full", "PGSSLROOTCERT": ca],
                                           workingDirectory: TestStack.root.path)
        let settings = try config.warehouse()
        #expect(settings.tls.mode == .verifyFull)
        #expect(settings.tls.rootCert == ca)
        // The URL's own sslmode wins.
        let urlWins = try SluiceConfig.load(flags: ["WAREHOUSE_URL": url + "?sslmode=disable"], environment: ["PGSSLMODE": "verify-full"],
                                            workingDirectory: TestStack.root.path)
        #expect(try urlWins.warehouse().tls.mode == .disable)
        let bad = try SluiceConfig.load(flags: ["WAREHOUSE_URL": url], environment: ["PGSSLMODE": "verify_full"],
                                        workingDirectory: TestStack.root.path)
        #expect(throws: ConfigError.self) { _ = try bad.warehouse() }
    }

    @Test func certificateFromAnotherCAIsRefusedNamingTheSetting() async throws {
        let other = try #require(try TestStack.stackValues()["SLUICE_TLS_OTHER_CA"])
        let line = await Self.connectError(try Self.settings("sslmode=verify-full&sslrootcert=\(other)"))
        #expect(line.contains("localhost"), "\(line)")
        #expect(line.contains("sslrootcert"), "\(line)")
        #expect(!line.contains("\n"))
    }

    @Test func hostNameNotInTheCertificateIsRefused() async throws {
        let ca = try #require(try TestStack.stackValues()["SLUICE_TLS_CA"])
        let line = await Self.connectError(try Self.settings("sslmode=verify-full&sslrootcert=\(ca)", host: "127.0.0.1"))
        #expect(line.contains("127.0.0.1"), "\(line)")
        #expect(line.contains("does not name"), "\(line)")
    }

    /// The stack's role `warehouse_tls_only` is refused without TLS (pg_hba `hostnossl … reject`).
    @Test func disableAgainstARoleThatRequiresTLS() async throws {
        let line = await Self.connectError(try Self.settings("sslmode=disable", user: "warehouse_tls_only"))
        #expect(line.contains("requires TLS"), "\(line)")
        #expect(line.contains("sslmode=require"), "\(line)")
        #expect(try await Self.usesTLS(try Self.settings("sslmode=require", user: "warehouse_tls_only")))
    }
}
