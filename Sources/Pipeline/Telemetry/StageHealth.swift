import Foundation
import SluiceSupport

/// What `/healthz` and `/readyz` report, process-wide: each stage's state, the tables each
/// stage has stopped, and the last reachability check of each server.
public final class StageHealth: @unchecked Sendable {
    // @unchecked: every member is read and written only under `lock`.
    public static let shared = StageHealth()

    public enum State: String, Sendable {
        case running, finished, failed
    }

    private let lock = NSLock()
    private var stages: [String: (state: State, detail: String?)] = [:]
    private var stopped: [String: [String: String]] = [:]
    private var servers: [String: String?] = [:]
    private var serversCheckedAt: Date?

    init() {}

    func set(_ stage: String, running: Bool) {
        lock.withLock {
            if running { stages[stage] = (.running, nil) } else if stages[stage]?.state == .running { stages[stage] = (.finished, nil) }
        }
    }

    /// A stage ended with an error: `/healthz` fails from here on.
    public func failed(_ stage: String, _ error: any Error) {
        lock.withLock { stages[stage] = (.failed, oneLine(error)) }
    }

    /// The tables a stage has stopped now (table → the line that says why), replacing what it said before.
    func setStopped(_ stage: String, _ tables: [String: String]) {
        lock.withLock { stopped[stage] = tables }
        StageMetrics.stoppedGauge(stage).record(tables.count)
    }

    /// Records a reachability check: server name → `nil` when reachable, else the one-line reason.
    public func setServers(_ results: [String: String?], at time: Date = Date()) {
        lock.withLock {
            servers = results
            serversCheckedAt = time
        }
    }

    /// `/healthz`: alive, and no stage has failed. Returns whether healthy and a JSON body saying why.
    public func health() -> (ok: Bool, body: String) {
        lock.withLock {
            let failed = stages.filter { $0.value.state == .failed }
            var writer = JSONWriter()
            writer.beginObject()
            writer.key("status"); writer.string(failed.isEmpty ? "ok" : "failing")
            writeStages(&writer)
            writer.endObject()
            return (failed.isEmpty, String(decoding: writer.bytes, as: UTF8.self) + "\n")
        }
    }

    /// `/readyz`: every server reachable at the last check, no stage failed, no table stopped.
    public func readiness() -> (ok: Bool, body: String) {
        lock.withLock {
            var reasons: [String] = []
            if serversCheckedAt == nil { reasons.append("servers not checked yet") }
            for (name, problem) in servers.sorted(by: { $0.key < $1.key }) { if let problem { reasons.append("\(name): \(problem)") } }
            for (stage, entry) in stages.sorted(by: { $0.key < $1.key }) where entry.state == .failed {
                reasons.append("\(stage) failed: \(entry.detail ?? "")")
            }
            for (stage, tables) in stopped.sorted(by: { $0.key < $1.key }) {
                for (table, _) in tables.sorted(by: { $0.key < $1.key }) { reasons.append("\(stage) stopped table \(table)") }
            }
            var writer = JSONWriter()
            writer.beginObject()
            writer.key("status"); writer.string(reasons.isEmpty ? "ready" : "not ready")
            writer.key("reasons"); writer.beginArray(); for reason in reasons { writer.string(reason) }; writer.endArray()
            writer.key("servers"); writer.beginObject()
            for (name, problem) in servers.sorted(by: { $0.key < $1.key }) { writer.key(name); writer.string(problem ?? "ok") }
            writer.endObject()
            writeStages(&writer)
            writer.key("stopped_tables"); writer.beginObject()
            for (stage, tables) in stopped.sorted(by: { $0.key < $1.key }) where !tables.isEmpty {
                writer.key(stage); writer.beginObject()
                for (table, line) in tables.sorted(by: { $0.key < $1.key }) { writer.key(table); writer.string(line) }
                writer.endObject()
            }
            writer.endObject()
            writer.endObject()
            return (reasons.isEmpty, String(decoding: writer.bytes, as: UTF8.self) + "\n")
        }
    }

    private func writeStages(_ writer: inout JSONWriter) {
        writer.key("stages"); writer.beginObject()
        for (stage, entry) in stages.sorted(by: { $0.key < $1.key }) {
            writer.key(stage); writer.beginObject()
            writer.key("state"); writer.string(entry.state.rawValue)
            if let detail = entry.detail { writer.key("error"); writer.string(detail) }
            writer.endObject()
        }
        writer.endObject()
    }

    /// Runs a stage's blocking body, marking it running, then finished or failed.
    public static func trackBlocking<T>(_ stage: String, _ body: () throws -> T) throws -> T {
        let metrics = started(stage)
        return try ended(stage, metrics, Result { try body() })
    }

    /// Runs a stage's body, marking it running, then finished or failed.
    public static func track<T>(_ stage: String, _ body: () async throws -> T) async throws -> T {
        let metrics = started(stage)
        let result: Result<T, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        return try ended(stage, metrics, result)
    }

    private static func started(_ stage: String) -> StageMetrics {
        let metrics = StageMetrics(stage: stage)
        metrics.running(true)
        return metrics
    }

    private static func ended<T>(_ stage: String, _ metrics: StageMetrics, _ result: Result<T, any Error>) throws -> T {
        if case .failure(let error) = result { shared.failed(stage, error) }
        metrics.running(false)
        return try result.get()
    }
}
