import Dispatch
import Foundation
import Pipeline

/// Runs `body`; the first SIGINT or SIGTERM sets `stop` (the stage finishes
/// its batch, checkpoints and returns); a second one exits at once.
func withStopOnSignal<T: Sendable>(_ stop: StopSignal, _ body: () async throws -> T) async throws -> T {
    let queue = DispatchQueue(label: "sluice.signals")
    var sources: [DispatchSourceSignal] = []
    for number in [SIGINT, SIGTERM] {
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
        source.setEventHandler {
            if stop.isStopped { exit(130) }
            CommandLogging.progress("stopping: finishing the batch in flight (again to quit at once)")
            stop.stop()
        }
        source.resume()
        sources.append(source)
    }
    defer { sources.forEach { $0.cancel() } }
    return try await body()
}
