import Dispatch

/// A queue for calls into C libraries that block (network I/O in librdkafka and
/// Connector/C). Running them here keeps Swift's cooperative thread pool free.
private let blockingQueue = DispatchQueue(label: "sluice.blocking", attributes: .concurrent)

/// Runs a blocking closure off the cooperative pool and resumes with its result.
///
/// Use it for every C call that may wait on the network or a lock; never call
/// such functions directly from an `async` context.
public func runBlocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        blockingQueue.async {
            continuation.resume(with: Result { try body() })
        }
    }
}

extension Duration {
    /// Whole milliseconds, rounded down (what C timeouts and log lines take).
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
