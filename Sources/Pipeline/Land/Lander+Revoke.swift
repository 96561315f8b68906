import Dispatch
import Foundation
import Kafka
import Logging

/// The batches being encoded and stored, in the order they were handed over, shared with the
/// consumer's revoke hook, which runs on the thread that polls. The lock around the list is why
/// this is `@unchecked Sendable`.
final class UploadsInFlight: @unchecked Sendable {
    private let lock = NSLock()
    private var writes: [PendingWrite] = []
    private var abandoned = false

    var all: [PendingWrite] {
        get { lock.withLock { writes } }
        set { lock.withLock { writes = newValue } }
    }

    /// Land is failing: revokes from here on give the partitions up at once.
    func abandon() { lock.withLock { abandoned = true } }

    /// Blocks until every batch of `partitions` in flight is stored or has failed, for at most
    /// `timeout` seconds; returns how many were still going then.
    func awaitFinished(_ partitions: Set<TopicPartition>, timeout: Double) -> Int {
        if lock.withLock({ abandoned }) { return 0 }
        let deadline = DispatchTime.now() + timeout
        return all.filter { partitions.contains($0.partition) }.filter { !$0.waitBlocking(until: deadline) }.count
    }
}

extension Lander {
    /// How long a revoke waits for its partitions' uploads (S3 retries included) before giving them up.
    static let revokeWaitSeconds = 120.0

    /// Before a partition leaves this member, its uploads in flight finish. A new owner starts at
    /// the committed offset and cuts the same keys again, longer; an older, shorter object stored
    /// after its would leave the offsets between them in no object.
    func finishUploadsOnRevoke() {
        let uploads = self.uploads, logger = self.logger
        consumer.beforeRevoke { partitions in
            let going = uploads.awaitFinished(partitions, timeout: Self.revokeWaitSeconds)
            if going > 0 {
                logger.warning("\(going) uploads of revoked partitions were still running after \(Int(Self.revokeWaitSeconds)) s; the partitions are given up anyway (load stops at a hole, never skips it)")
            }
        }
    }
}
