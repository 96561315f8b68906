import NIOCore
import NIOHTTP1
import NIOPosix

/// What the telemetry server answers to one request.
public struct HTTPReply: Sendable {
    public var status: Int
    public var contentType: String
    public var body: String

    public init(status: Int, contentType: String, body: String) {
        (self.status, self.contentType, self.body) = (status, contentType, body)
    }

    /// The answer to a path the server does not know.
    public static let notFound = HTTPReply(status: 404, contentType: "text/plain; charset=utf-8", body: "not found: try /metrics, /healthz or /readyz\n")
}

/// A small HTTP/1.1 server for `/metrics`, `/healthz` and `/readyz` (SwiftNIO). Every answer
/// comes from `route`, which must be quick: it reads state kept in memory (readiness checks run
/// elsewhere, on their own schedule), so a scrape never waits on a server.
public final class TelemetryServer: Sendable {
    private let channel: any Channel
    /// The address actually bound (port 0 picks a free port).
    public let host: String
    public let port: Int

    private init(channel: any Channel, host: String, port: Int) {
        (self.channel, self.host, self.port) = (channel, host, port)
    }

    /// Starts serving on `host:port`; `route` gets the request's path (no query string).
    public static func start(host: String, port: Int, route: @escaping @Sendable (String) -> HTTPReply) async throws -> TelemetryServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(RequestHandler(route: route))
                }
            }
            .bind(host: host, port: port)
            .get()
        return TelemetryServer(channel: channel, host: host, port: channel.localAddress?.port ?? port)
    }

    /// Stops listening.
    public func stop() async {
        try? await channel.close()
    }
}

/// Answers each request on a connection with `route`'s reply (GET and HEAD only).
private final class RequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let route: @Sendable (String) -> HTTPReply
    private var request: HTTPRequestHead?

    init(route: @escaping @Sendable (String) -> HTTPReply) { self.route = route }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): request = head
        case .body: break
        case .end:
            guard let head = request else { return }
            request = nil
            let path = String(head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            let reply = head.method == .GET || head.method == .HEAD
                ? route(path) : HTTPReply(status: 405, contentType: "text/plain; charset=utf-8", body: "only GET\n")
            respond(context: context, head: head, reply: reply)
        }
    }

    private func respond(context: ChannelHandlerContext, head: HTTPRequestHead, reply: HTTPReply) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: reply.contentType)
        headers.add(name: "Content-Length", value: String(reply.body.utf8.count))
        headers.add(name: "Cache-Control", value: "no-store")
        let keepAlive = head.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let response = HTTPResponseHead(version: head.version, status: HTTPResponseStatus(statusCode: reply.status), headers: headers)
        context.write(wrapOutboundOut(.head(response)), promise: nil)
        if head.method != .HEAD {
            var buffer = context.channel.allocator.buffer(capacity: reply.body.utf8.count)
            buffer.writeString(reply.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive { done.whenComplete { [channel = context.channel] _ in channel.close(promise: nil) } }
    }
}
