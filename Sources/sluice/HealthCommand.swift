import ArgumentParser
import AsyncHTTPClient
import Foundation

/// `sluice health`: asks a running Sluice's `/healthz` (or `/readyz`), for container health
/// checks and supervisors that cannot make HTTP requests themselves.
struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Ask a running sluice (started with --metrics-address) whether it is healthy or ready.",
        discussion: """
            Prints the JSON answer. Exit status: 0 healthy (or ready with --ready), 1 not (a stage failed, \
            a server is unreachable, a table stopped: the answer says which), 2 no answer at the address.
            """)

    @Option(help: "The --metrics-address of the process to ask.") var address = "127.0.0.1:9464"
    @Flag(help: "Ask /readyz (servers reachable, no table stopped) instead of /healthz (alive, no stage failed).") var ready = false
    @Option(help: "Seconds to wait for the answer.") var timeout = 5

    func validate() throws {
        if ServiceOptions.split(address) == nil { throw ValidationError("--address must be host:port, e.g. 127.0.0.1:9464 (got \(address))") }
        if timeout < 1 { throw ValidationError("--timeout must be at least 1 second") }
    }

    func run() async throws {
        let url = "http://\(address)\(ready ? "/readyz" : "/healthz")"
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        let response: HTTPClientResponse
        let body: String
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(Int64(timeout)))
            body = String(buffer: try await response.body.collect(upTo: 1 << 20))
        } catch {
            FileHandle.standardError.write(Data("health: no answer from \(url) (\(error)); is sluice running with --metrics-address \(address)?\n".utf8))
            throw ExitCode(2)
        }
        print(body, terminator: body.hasSuffix("\n") ? "" : "\n")
        if response.status.code != 200 { throw ExitCode(1) }
    }
}
