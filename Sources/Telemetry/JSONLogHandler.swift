import Foundation
import Logging
import SluiceSupport

/// A log handler that writes one JSON object per line to standard error:
/// `{"time":…,"level":…,"stage":…,"table":…,"message":…,"fields":{…}}`, for log collectors.
///
/// `stage` is the last part of the logger's label (`sluice.extract` → `extract`); `table` is
/// the `table` metadata value when a line has one. Other metadata goes in `fields`.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .notice
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let stage: String
    private let output: @Sendable (String) -> Void

    /// A handler for `label` writing to standard error.
    public init(label: String) {
        self.init(label: label) { line in FileHandle.standardError.write(Data(line.utf8)) }
    }

    /// A handler for `label` giving each line (ending in a newline) to `output`.
    public init(label: String, output: @escaping @Sendable (String) -> Void) {
        self.label = label
        self.stage = label.split(separator: ".").last.map(String.init) ?? label
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }
        output(Self.line(time: Date(), level: event.level, stage: stage, message: event.message.description, metadata: merged))
    }

    /// One log line as JSON, with its newline.
    static func line(time: Date, level: Logger.Level, stage: String, message: String, metadata: Logger.Metadata) -> String {
        var writer = JSONWriter(capacity: 256)
        writer.beginObject()
        writer.key("time"); writer.string(time.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        writer.key("level"); writer.string(level.rawValue)
        writer.key("stage"); writer.string(stage)
        var fields = metadata
        if let table = fields.removeValue(forKey: "table") { writer.key("table"); writer.string(table.description) }
        writer.key("message"); writer.string(message)
        if !fields.isEmpty {
            writer.key("fields")
            writer.beginObject()
            for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
                writer.key(key)
                write(value, into: &writer)
            }
            writer.endObject()
        }
        writer.endObject()
        return String(decoding: writer.bytes, as: UTF8.self) + "\n"
    }

    private static func write(_ value: Logger.Metadata.Value, into writer: inout JSONWriter) {
        switch value {
        case .string(let text): writer.string(text)
        case .stringConvertible(let convertible): writer.string(convertible.description)
        case .array(let values):
            writer.beginArray()
            for value in values { write(value, into: &writer) }
            writer.endArray()
        case .dictionary(let members):
            writer.beginObject()
            for (key, value) in members.sorted(by: { $0.key < $1.key }) {
                writer.key(key)
                write(value, into: &writer)
            }
            writer.endObject()
        }
    }
}
