import ArgumentParser
import Foundation
import Logging
import Pipeline
import Telemetry

/// `--metrics-address`, on the commands that run stages (`run`, `extract`, `land`, `load`).
struct ServiceOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Serve /metrics (Prometheus), /healthz and /readyz on host:port, e.g. 127.0.0.1:9464 (port 0 picks a free one; SLUICE_METRICS_ADDRESS).",
                               valueName: "host:port"))
    var metricsAddress: String?

    /// The flag, else `SLUICE_METRICS_ADDRESS`.
    var address: String? { metricsAddress ?? ProcessInfo.processInfo.environment["SLUICE_METRICS_ADDRESS"] }

    func validate() throws {
        if let address, Self.split(address) == nil {
            throw ValidationError("--metrics-address must be host:port with a port from 0 to 65535, e.g. 127.0.0.1:9464 (got \(address))")
        }
    }

    static func split(_ address: String) -> (host: String, port: Int)? {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
              (0...65535).contains(port) else { return nil }
        var host = String(address[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }

    /// Runs `body` with the endpoint serving (when an address is set) and the servers of `stages`
    /// checked every 10 s for `/readyz`.
    func serving<T>(_ config: SluiceConfig, stages: [String], _ body: () async throws -> T) async throws -> T {
        guard let address, let (host, port) = Self.split(address) else { return try await body() }
        let exposition = PrometheusExposition.bootstrap(help: SluiceMetric.helpTexts, durationBuckets: SluiceMetric.durationBuckets)
        let health = StageHealth.shared
        let server: TelemetryServer
        do {
            server = try await TelemetryServer.start(host: host, port: port) { path in
                switch path {
                case "/metrics": return HTTPReply(status: 200, contentType: PrometheusExposition.contentType, body: exposition.render())
                case "/healthz":
                    let (ok, body) = health.health()
                    return HTTPReply(status: ok ? 200 : 503, contentType: "application/json", body: body)
                case "/readyz":
                    let (ok, body) = health.readiness()
                    return HTTPReply(status: ok ? 200 : 503, contentType: "application/json", body: body)
                default: return .notFound
                }
            }
        } catch {
            throw ValidationError("--metrics-address \(address): cannot listen there (\(error)); pick a free port or another address")
        }
        Logger(label: "sluice.metrics").notice("metrics on http://\(host):\(server.port)/metrics (health: /healthz, /readyz)")
        let monitor = Task { await Readiness.monitor(config, servers: Readiness.servers(for: stages)) }
        do {
            let result = try await body()
            monitor.cancel()
            await server.stop()
            return result
        } catch {
            monitor.cancel()
            await server.stop()
            throw error
        }
    }
}
