import Foundation
import Logging
import SluiceSupport

/// Providers tried in order, the first that finds credentials winning, like
/// the AWS SDKs' default chain. The winner is remembered; its credentials are
/// cached and fetched again before they expire (when less than 5 minutes
/// remain, or after 80 % of their lifetime if that is shorter), so a
/// long-running process keeps working. Concurrent callers during a fetch
/// share that one fetch.
public actor AWSCredentialChain {
    public nonisolated let providers: [any AWSCredentialProvider]
    let logger: Logger

    /// The provider that answered first; later fetches go to it alone.
    private var chosen: Int?
    private var current: Cached?
    private var inFlight: Task<Cached, any Error>?

    /// How many times credentials were fetched from a provider (tests check refreshes with it).
    public private(set) var fetchCount = 0

    struct Cached: Sendable {
        var credentials: AWSCredentials
        var source: String
        /// When to fetch again (still using these until they expire if that fails).
        var refreshAt: Date
    }

    public init(_ providers: [any AWSCredentialProvider], logger: Logger = Logger(label: "sluice.s3.credentials")) {
        self.providers = providers
        self.logger = logger
    }

    /// Current credentials: cached ones while they are fresh, else newly fetched.
    public func credentials() async throws -> AWSCredentials {
        try await fresh().credentials
    }

    /// Where the credentials come from, e.g. `profile dev (credential_process)`
    /// (fetching them first if that has not happened yet). Never a secret.
    public func source() async throws -> String {
        try await fresh().source
    }

    /// Fetches new credentials now, whatever the cache holds.
    @discardableResult
    public func refresh() async throws -> AWSCredentials {
        try await fetchShared().credentials
    }

    /// Forgets the cached credentials, e.g. after the server said they expired.
    public func invalidate() {
        if var cached = current {
            cached.refreshAt = .distantPast
            current = cached
        }
    }

    private func fresh() async throws -> Cached {
        guard let cached = current else { return try await fetchShared() }
        let now = Date()
        if now < cached.refreshAt { return cached }
        do {
            return try await fetchShared()
        } catch {
            // Failing to refresh is not fatal while the old credentials still work.
            guard let expiration = cached.credentials.expiration, now < expiration.addingTimeInterval(-5) else { throw error }
            let retryIn = max(1, min(30, expiration.timeIntervalSince(now) / 4))
            logger.warning("could not refresh AWS credentials (\(cached.source)); using the current ones, which expire in \(Int(expiration.timeIntervalSince(now))) s: \(oneLine(error))")
            if var stillCurrent = current {
                stillCurrent.refreshAt = now.addingTimeInterval(retryIn)
                current = stillCurrent
            }
            return cached
        }
    }

    /// Starts a fetch, or joins the one already running.
    private func fetchShared() async throws -> Cached {
        if let inFlight { return try await inFlight.value }
        let task = Task { try await self.fetch() }
        inFlight = task
        defer { inFlight = nil }
        return try await task.value
    }

    private func fetch() async throws -> Cached {
        fetchCount += 1
        let fetchedAt = Date()
        let lookup: (AWSCredentials, String)
        if let chosen {
            switch try await providers[chosen].load() {
            case .found(let credentials, let source): lookup = (credentials, source)
            case .notConfigured(let reason):
                throw S3Error(code: .credentialSource, operation: "refresh AWS credentials",
                              message: "the source that gave the current credentials is gone: \(reason)")
            }
        } else {
            var tried: [String] = []
            var found: (Int, AWSCredentials, String)?
            for (index, provider) in providers.enumerated() {
                switch try await provider.load() {
                case .found(let credentials, let source): found = (index, credentials, source)
                case .notConfigured(let reason): tried.append(reason)
                }
                if found != nil { break }
            }
            guard let found else {
                throw S3Error(code: .noCredentials, operation: "find AWS credentials",
                              message: "none found; tried \(tried.joined(separator: "; "))")
            }
            chosen = found.0
            lookup = (found.1, found.2)
            logger.debug("AWS credentials from \(found.2)")
        }
        let cached = Cached(credentials: lookup.0, source: lookup.1,
                            refreshAt: Self.refreshTime(fetchedAt: fetchedAt, expiration: lookup.0.expiration))
        current = cached
        return cached
    }

    /// 5 minutes before expiry, or at 80 % of the lifetime when that comes first.
    static func refreshTime(fetchedAt: Date, expiration: Date?) -> Date {
        guard let expiration else { return .distantFuture }
        let lifetime = max(0, expiration.timeIntervalSince(fetchedAt))
        return expiration.addingTimeInterval(-min(300, lifetime * 0.2))
    }
}
