import Foundation
import MySQL

/// The rows of one watermark chunk, read between its marks.
struct ChunkRead: Sendable {
    var rows: [[FieldValue]]
    /// Under `--zero-dates stop`, the column of the first row found with a zero date (the read ends there).
    var zeroDateColumn: String?
}

/// Watermark chunk reads in flight, at most `capacity` at once, each on a thread and a
/// connection of its own, so the binlog reader goes on while chunks are read
/// (`--snapshot-parallelism`). A finished read waits here, by its mark, until the binlog
/// thread takes it. Connections are kept for the next read and closed by `drain()`.
final class SnapshotReaders: @unchecked Sendable {
    // @unchecked: every mutable member is read and written only while `condition` is locked.
    private let condition = NSCondition()
    private var idle: [MySQLConnection] = []
    private var running = 0
    private var finished: [String: Result<ChunkRead, MySQLError>] = [:]
    let capacity: Int
    private let settings: MySQLConnection.Configuration

    init(capacity: Int, settings: MySQLConnection.Configuration) {
        self.capacity = max(1, capacity)
        self.settings = settings
    }

    /// Whether another read can start now.
    var hasCapacity: Bool { condition.withLock { running < capacity } }
    /// Reads running now.
    var inFlight: Int { condition.withLock { running } }

    /// Starts `read` on a thread of its own with a connection (UTC, READ COMMITTED); its result
    /// is kept under `mark`.
    func start(mark: String, _ read: @escaping @Sendable (MySQLConnection) throws -> ChunkRead) {
        let connection: MySQLConnection? = condition.withLock {
            running += 1
            return idle.popLast()
        }
        Thread.detachNewThread { [self] in
            var kept: MySQLConnection?
            let result: Result<ChunkRead, MySQLError>
            do {
                let session = try connection ?? Self.connect(settings)
                kept = session
                result = .success(try read(session))
            } catch let error as MySQLError {
                kept = nil   // a failed connection is not reused
                result = .failure(error)
            } catch {
                kept = nil
                result = .failure(MySQLError(code: .queryFailed, message: "\(error)"))
            }
            condition.withLock {
                running -= 1
                if let kept { idle.append(kept) }
                finished[mark] = result
                condition.broadcast()
            }
        }
    }

    private static func connect(_ settings: MySQLConnection.Configuration) throws -> MySQLConnection {
        let connection = try MySQLConnection.connectBlocking(settings)
        _ = try connection.executeBlocking("SET SESSION time_zone = '+00:00'")
        _ = try connection.executeBlocking("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
        return connection
    }

    /// Every finished read, removed from here.
    func takeFinished() -> [String: Result<ChunkRead, MySQLError>] {
        condition.withLock {
            defer { finished = [:] }
            return finished
        }
    }

    /// Waits until the read under `mark` has finished and returns it (`nil` if no such read runs
    /// or has finished: it was never started here, or was taken already).
    func wait(for mark: String) -> Result<ChunkRead, MySQLError>? {
        condition.withLock {
            while finished[mark] == nil && running > 0 { condition.wait() }
            return finished.removeValue(forKey: mark)
        }
    }

    /// Waits until some read finishes, or `timeout` passes; returns at once if none runs.
    func waitForAny(timeout: TimeInterval) {
        condition.withLock {
            let deadline = Date().addingTimeInterval(timeout)
            while finished.isEmpty && running > 0 && condition.wait(until: deadline) {}
        }
    }

    /// Waits for every read to end (they stop early once the stop signal is set), then closes
    /// the connections.
    func drain() {
        condition.withLock {
            while running > 0 { condition.wait() }
            finished = [:]
            idle = []
        }
    }
}
