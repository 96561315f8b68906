import CoreMetrics
import Metrics
import Prometheus

/// The process's Prometheus registry, set as swift-metrics' backend, and its text exposition
/// with a `# HELP` line for every metric named in `help`.
public struct PrometheusExposition: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let help: [String: String]

    /// Makes the registry and bootstraps swift-metrics with it (once per process).
    /// `durationBuckets` sets a timer's histogram buckets by metric name.
    public static func bootstrap(help: [String: String], durationBuckets: [String: [Duration]]) -> PrometheusExposition {
        let exposition = PrometheusExposition(help: help, durationBuckets: durationBuckets)
        MetricsSystem.bootstrap(exposition.factory)
        return exposition
    }

    private let factory: PrometheusMetricsFactory

    /// A registry not set as the process's backend (tests use `factory` directly).
    public init(help: [String: String], durationBuckets: [String: [Duration]]) {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = durationBuckets
        self.registry = registry
        self.factory = factory
        self.help = help
    }

    /// The factory feeding this registry.
    public var metricsFactory: any MetricsFactory { factory }

    /// Everything in the registry, in the Prometheus text format (version 0.0.4).
    public func render() -> String {
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        var text = ""
        text.reserveCapacity(bytes.count + 64 * help.count)
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# TYPE "), let name = line.dropFirst(7).split(separator: " ").first, let text0 = help[String(name)] {
                text += "# HELP \(name) \(text0)\n"
            }
            text += line
            text += "\n"
        }
        while text.hasSuffix("\n\n") { text.removeLast() }
        return text
    }

    /// The content type of `render()`'s text.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
}
