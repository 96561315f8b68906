import Foundation

/// Set when the user asks a stage to stop (Ctrl-C, SIGTERM). Stages check it
/// between batches, finish the batch in flight, checkpoint and return.
public final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false

    public init() {}

    public func stop() { lock.withLock { stopped = true } }
    public var isStopped: Bool { lock.withLock { stopped } }
}
