import Foundation

/// Progress for long stages: on a terminal, one redrawn bar per item on
/// standard error; otherwise a log line per item at most every few seconds.
final class ProgressDisplay: @unchecked Sendable {
    struct Item {
        var done: Int
        var total: Int
        var started: Date
        var lastLogged: Date
        var finished: Bool
    }

    private let lock = NSLock()
    private var items: [(name: String, item: Item)] = []
    private var drawnLines = 0
    private var loggedFinished: Set<String> = []
    let isTerminal = isatty(STDERR_FILENO) == 1 && !CommandLogging.isJSON
    let logInterval: TimeInterval = 5

    func start(_ name: String, total: Int, done: Int = 0) {
        lock.withLock {
            let now = Date()
            if let index = items.firstIndex(where: { $0.name == name }) {
                items[index].item = Item(done: done, total: total, started: now, lastLogged: now, finished: false)
            } else {
                items.append((name, Item(done: done, total: total, started: now, lastLogged: now, finished: false)))
            }
            render(force: true)
        }
    }

    func update(_ name: String, done: Int, finished: Bool = false) {
        lock.withLock {
            guard let index = items.firstIndex(where: { $0.name == name }) else { return }
            items[index].item.done = done
            items[index].item.finished = finished
            if finished { items[index].item.total = max(items[index].item.total, done) }
            render(force: finished)
        }
    }

    /// Moves the cursor below the bars, so later output does not overwrite them.
    func close() { lock.withLock { if isTerminal && drawnLines > 0 { drawnLines = 0 } } }

    private func line(_ name: String, _ item: Item) -> String {
        let seconds = max(Date().timeIntervalSince(item.started), 0.001)
        let rate = Double(item.done) / seconds
        let total = max(item.total, item.done)
        let fraction = total > 0 ? Double(item.done) / Double(total) : (item.finished ? 1 : 0)
        let width = 24
        let filled = Int((item.finished ? 1 : min(fraction, 1)) * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let state = item.finished ? "done" : "\(Int(rate)) rows/s"
        return "\(name.padding(toLength: 16, withPad: " ", startingAt: 0)) [\(bar)] \(item.done)/\(total) rows  \(state)"
    }

    private func render(force: Bool) {
        if isTerminal {
            var output = drawnLines > 0 ? "\u{1B}[\(drawnLines)A" : ""
            for (name, item) in items { output += "\u{1B}[2K" + line(name, item) + "\n" }
            drawnLines = items.count
            FileHandle.standardError.write(Data(output.utf8))
        } else {
            let now = Date()
            for index in items.indices {
                let item = items[index].item
                let due = now.timeIntervalSince(item.lastLogged) >= logInterval && !item.finished
                let justFinished = item.finished && force && !loggedFinished.contains(items[index].name)
                guard due || justFinished || (force && item.done == 0 && !item.finished) else { continue }
                if justFinished { loggedFinished.insert(items[index].name) }
                items[index].item.lastLogged = now
                CommandLogging.progress(line(items[index].name, item), table: items[index].name)
            }
        }
    }
}
