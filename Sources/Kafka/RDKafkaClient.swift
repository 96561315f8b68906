import CRdKafka
import Foundation
import Logging

/// Owns one `rd_kafka_t` handle and the callback state librdkafka points back to.
///
/// librdkafka handles are thread-safe, and `RDKafkaEvents` guards its own
/// state with a lock, which is why this type can be `@unchecked Sendable`.
/// The handle is destroyed in `deinit`; it is lent to callers only inside
/// `withHandle`, never returned.
final class RDKafkaClient: @unchecked Sendable {
    enum Kind { case producer, consumer }

    private let handle: OpaquePointer
    let events: RDKafkaEvents

    init(kind: Kind, properties: [String: String], logger: Logger) throws {
        let events = RDKafkaEvents(logger: logger)
        // A consumer that must not skip data starts never-committed partitions at offset 0, not at the first
        // retained one: if retention already removed offset 0, the fetch fails instead of silently jumping.
        events.startNeverCommittedAtZero = properties["auto.offset.reset"] == "error"
        let conf = try RDKafkaClient.makeConfiguration(properties)
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(events).toOpaque())
        rd_kafka_conf_set_log_cb(conf) { rk, level, facility, message in
            guard let rk, let events = RDKafkaEvents.from(rk) else { return }
            events.log(level: level, facility: facility.map { String(cString: $0) } ?? "",
                       message: message.map { String(cString: $0) } ?? "")
        }
        rd_kafka_conf_set_error_cb(conf) { _, code, reason, opaque in
            guard let opaque else { return }
            let events = Unmanaged<RDKafkaEvents>.fromOpaque(opaque).takeUnretainedValue()
            events.recordError(rd_kafka_resp_err_t(rawValue: code), reason.map { String(cString: $0) } ?? "")
        }
        if kind == .consumer {
            rd_kafka_conf_set_rebalance_cb(conf) { rk, error, partitions, opaque in
                guard let rk, let opaque, let partitions else { return }
                let events = Unmanaged<RDKafkaEvents>.fromOpaque(opaque).takeUnretainedValue()
                events.rebalance(rk, error, partitions)
            }
        }
        if kind == .producer {
            rd_kafka_conf_set_dr_msg_cb(conf) { _, message, opaque in
                guard let opaque, let message else { return }
                let events = Unmanaged<RDKafkaEvents>.fromOpaque(opaque).takeUnretainedValue()
                events.recordDelivery(message.pointee.err)
            }
        }

        var errorText = [CChar](repeating: 0, count: 512)
        let type = kind == .producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER
        guard let handle = rd_kafka_new(type, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError(code: .configuration,
                             message: "cannot create client: \(String(cBuffer: errorText))")
        }
        self.handle = handle
        self.events = events
    }

    deinit {
        rd_kafka_destroy(handle)
    }

    /// Lends the raw handle for the duration of `body`.
    func withHandle<T>(_ body: (OpaquePointer) throws -> T) rethrows -> T {
        try body(handle)
    }

    /// Builds an `rd_kafka_conf_t`, failing on the first property librdkafka rejects.
    static func makeConfiguration(_ properties: [String: String]) throws -> OpaquePointer {
        let conf = rd_kafka_conf_new()!
        var errorText = [CChar](repeating: 0, count: 512)
        for (key, value) in properties.sorted(by: { $0.key < $1.key }) {
            if rd_kafka_conf_set(conf, key, value, &errorText, errorText.count) != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                var reason = String(cBuffer: errorText)
                // librdkafka quotes the rejected value; a secret's stays out of the message.
                if KafkaConfiguration.isSecretProperty(key), !value.isEmpty {
                    reason = reason.replacingOccurrences(of: value, with: "****")
                }
                throw KafkaError(code: .configuration, message: "invalid property \(key): \(reason)")
            }
        }
        return conf
    }
}

/// The state librdkafka's callbacks write into: log lines, the last
/// client-level error and delivery-report counts. Its lock makes it safe to
/// call from librdkafka's internal threads.
final class RDKafkaEvents: @unchecked Sendable {
    let logger: Logger
    private let lock = NSLock()
    private var _lastError: (code: rd_kafka_resp_err_t, reason: String)?
    private var _delivered = 0
    private var _firstDeliveryError: rd_kafka_resp_err_t?
    private var _failed = 0
    private var _lastFailure: String?

    init(logger: Logger) { self.logger = logger }

    static func from(_ rk: OpaquePointer) -> RDKafkaEvents? {
        guard let opaque = rd_kafka_opaque(rk) else { return nil }
        return Unmanaged<RDKafkaEvents>.fromOpaque(opaque).takeUnretainedValue()
    }

    func log(level: Int32, facility: String, message: String) {
        // syslog levels: 0-3 are errors, 4 warning, 5-6 info, 7 debug.
        // Connection failures (facility FAIL, level 3) are also what Sluice's
        // own errors report, so they are kept as the last reason and logged at info.
        if facility == "FAIL" {
            // Drop librdkafka's "[thrd:…]: host/id: " prefixes, keep the reason.
            let reason = message.components(separatedBy: ": ").drop { !$0.contains(" ") }.joined(separator: ": ")
            lock.withLock { _lastFailure = reason.isEmpty ? message : reason }
        }
        let swiftLevel: Logger.Level = level <= 2 ? .error : level <= 4 ? .info : .debug
        logger.log(level: swiftLevel, "\(facility): \(message)", metadata: ["source": "librdkafka"])
    }

    func recordError(_ code: rd_kafka_resp_err_t, _ reason: String) {
        lock.withLock { _lastError = (code, reason) }
        logger.debug("client error: \(reason)", metadata: ["source": "librdkafka"])
    }

    func recordDelivery(_ error: rd_kafka_resp_err_t) {
        lock.withLock {
            if error == RD_KAFKA_RESP_ERR_NO_ERROR {
                _delivered += 1
            } else {
                _failed += 1
                if _firstDeliveryError == nil { _firstDeliveryError = error }
            }
        }
    }

    /// Set for consumers with `auto.offset.reset=error` (see `init`).
    var startNeverCommittedAtZero = false

    /// Rebalance handling (eager protocol). On assignment, partitions the
    /// group never committed start at their beginning (offset 0 for a consumer
    /// that must not skip data, so that data retention already removed is an
    /// error rather than a silent jump), while a committed
    /// offset that retention has removed surfaces as an error (with
    /// `auto.offset.reset=error`) instead of a silent jump. Revoked
    /// partitions are remembered until `takeRevoked()`.
    func rebalance(_ rk: OpaquePointer, _ error: rd_kafka_resp_err_t,
                   _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        if error == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS {
            // Where each partition starts must be known: a failed lookup is an error, never offset 0.
            let lookup = rd_kafka_committed(rk, partitions, 10_000)
            let failed = (0..<Int(partitions.pointee.cnt)).first { partitions.pointee.elems[$0].err != RD_KAFKA_RESP_ERR_NO_ERROR }
            if lookup != RD_KAFKA_RESP_ERR_NO_ERROR || failed != nil {
                let code = lookup != RD_KAFKA_RESP_ERR_NO_ERROR ? lookup : partitions.pointee.elems[failed!].err
                lock.withLock { _assignmentError = "cannot read the group's committed offsets for its new partitions: \(String(cString: rd_kafka_err2str(code)))" }
                logger.error("committed-offset lookup failed on assignment (\(String(cString: rd_kafka_err2str(code)))); nothing assigned")
                rd_kafka_assign(rk, nil)
                return
            }
            for index in 0..<Int(partitions.pointee.cnt) where partitions.pointee.elems[index].offset < 0 {
                partitions.pointee.elems[index].offset = startNeverCommittedAtZero ? 0 : Int64(RD_KAFKA_OFFSET_BEGINNING)
            }
            let assigned = RDKafkaTopicPartitionList.elements(of: partitions)
            lock.withLock {
                _assignment = Set(assigned.map { TopicPartition(topic: $0.topic, partition: $0.partition) })
                for element in assigned { _starts[TopicPartition(topic: element.topic, partition: element.partition)] = element.offset }
            }
            logger.info("assigned \(assigned.map { "\($0.topic)[\($0.partition)]" }.joined(separator: ", "))")
            rd_kafka_assign(rk, partitions)
        } else {
            let revoked = RDKafkaTopicPartitionList.elements(of: partitions)
            // The partitions are still this member's: no new owner reads them until this returns.
            if let hook = lock.withLock({ _beforeRevoke }) {
                hook(Set(revoked.map { TopicPartition(topic: $0.topic, partition: $0.partition) }))
            }
            lock.withLock {
                for element in revoked {
                    let partition = TopicPartition(topic: element.topic, partition: element.partition)
                    _revoked.insert(partition)
                    _starts[partition] = nil
                }
                _assignment = []
            }
            logger.info("revoked \(revoked.map { "\($0.topic)[\($0.partition)]" }.joined(separator: ", "))")
            rd_kafka_assign(rk, nil)
        }
    }

    private var _beforeRevoke: (@Sendable (Set<TopicPartition>) -> Void)?
    /// Called inside each revoke, before the partitions are given up (see `KafkaConsumer.beforeRevoke`).
    func setBeforeRevoke(_ hook: (@Sendable (Set<TopicPartition>) -> Void)?) { lock.withLock { _beforeRevoke = hook } }

    private var _revoked: Set<TopicPartition> = []
    private var _assignment: Set<TopicPartition> = []
    private var _starts: [TopicPartition: Int64] = [:]
    private var _assignmentError: String?

    /// Partitions revoked since the last call.
    func takeRevoked() -> Set<TopicPartition> { lock.withLock { defer { _revoked = [] }; return _revoked } }
    var assignment: Set<TopicPartition> { lock.withLock { _assignment } }
    /// Partitions assigned since the last call, with the offset each starts at (its committed offset, or 0/beginning).
    func takeAssignedStarts() -> [TopicPartition: Int64] { lock.withLock { defer { _starts = [:] }; return _starts } }
    /// Why the last assignment could not be made, once.
    func takeAssignmentError() -> String? { lock.withLock { defer { _assignmentError = nil }; return _assignmentError } }

    /// The most recent client-level error (e.g. all brokers down), if any.
    var lastError: (code: rd_kafka_resp_err_t, reason: String)? { lock.withLock { _lastError } }
    /// The last broker-connection failure librdkafka logged, e.g. `Connect to … failed: Connection refused`.
    var lastFailure: String? { lock.withLock { _lastFailure } }
    /// The best explanation available of why brokers cannot be reached.
    var connectionProblem: String? { lastError?.reason ?? lastFailure }
    var delivered: Int { lock.withLock { _delivered } }
    var failed: Int { lock.withLock { _failed } }
    var firstDeliveryError: rd_kafka_resp_err_t? { lock.withLock { _firstDeliveryError } }
}
