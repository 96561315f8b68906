/// Why a TLS handshake refused a server's certificate, read from the error's description (the
/// wording of NIOSSL and BoringSSL), so every client names the same causes the same way.
public enum CertificateFailure: Sendable, Equatable {
    /// The certificate does not name the host connected to.
    case hostName
    /// The certificate is not signed by a trusted CA.
    case untrusted

    /// The cause, or `nil` when the error is not about the certificate.
    public init?(_ error: any Error) {
        let text = String(describing: error)
        if text.contains("failedToValidateHostname") || text.contains("hostname") {
            self = .hostName
        } else if text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("certificate verify failed") || text.contains("handshakeFailed") {
            self = .untrusted
        } else {
            return nil
        }
    }
}
