import AsyncHTTPClient
import Foundation
import NIOSSL
import SluiceSupport

extension S3Client {
    /// The HTTP client for a configuration: the process-wide shared one (system trust store),
    /// or, when `caBundle` is set, one that trusts the CAs in that PEM file instead. Those are
    /// made once per bundle and live as long as the process.
    static func httpClient(for configuration: Configuration) throws -> HTTPClient {
        guard let bundle = configuration.caBundle else { return .shared }
        return try TrustingClients.shared.client(trusting: bundle)
    }

    /// Whether a request failed because the server's certificate was not accepted.
    static func isCertificateFailure(_ error: any Error) -> Bool {
        error is NIOSSLError || error is NIOSSLExtraError || CertificateFailure(error) != nil
    }

    /// One line naming the endpoint and the setting to fix.
    static func certificateError(_ error: any Error, base: String, operation: String, caBundle: String?) -> S3Error {
        let host = URL(string: base)?.host ?? base
        let message: String
        if CertificateFailure(error) == .hostName {
            message = "the TLS certificate of \(base) does not name \(host); use an S3_ENDPOINT host name the certificate holds"
        } else {
            let roots = caBundle.map { "the CAs in AWS_CA_BUNDLE (\($0))" } ?? "the system's CAs"
            message = "the TLS certificate of \(base) is not signed by \(roots); set AWS_CA_BUNDLE to the PEM file of the CA that signed it"
        }
        return S3Error(code: .badConfiguration, operation: operation, message: message)
    }

    /// A warning when requests (and their signatures and data) would cross a network in the clear.
    public static func plainHTTPWarning(endpoint: String?) -> String? {
        guard let endpoint, let url = URL(string: endpoint), url.scheme == "http", let host = url.host else { return nil }
        let loopback = host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
        return loopback ? nil : "S3 endpoint \(endpoint) is plain http to another machine: the lake's data travels unencrypted; use https"
    }
}

/// HTTP clients keyed by CA bundle path. `@unchecked Sendable` because `clients` is only touched
/// under `lock`.
private final class TrustingClients: @unchecked Sendable {
    static let shared = TrustingClients()
    private let lock = NSLock()
    private var clients: [String: HTTPClient] = [:]

    func client(trusting bundle: String) throws -> HTTPClient {
        try lock.withLock {
            if let client = clients[bundle] { return client }
            var tls = TLSConfiguration.makeClientConfiguration()
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(bundle))
            } catch {
                throw S3Error(code: .badConfiguration, operation: "trust \(bundle)",
                              message: "AWS_CA_BUNDLE \(bundle) is not a readable PEM file of certificates (\(error))")
            }
            let client = HTTPClient(eventLoopGroupProvider: .singleton,
                                    configuration: HTTPClient.Configuration(tlsConfiguration: tls))
            clients[bundle] = client
            return client
        }
    }
}

extension S3Client {
    /// Checks that a CA bundle is a PEM file of certificates; one line naming it otherwise.
    public static func checkCABundle(_ path: String) throws {
        do {
            guard !(try NIOSSLCertificate.fromPEMFile(path)).isEmpty else { throw S3Error(code: .badConfiguration, operation: "trust", message: "empty") }
        } catch {
            throw S3Error(code: .badConfiguration, operation: "trust \(path)",
                          message: "AWS_CA_BUNDLE \(path) holds no PEM certificates; point it at the CA bundle's PEM file")
        }
    }
}
