import Foundation

extension StarReport {
    /// A self-contained HTML page: each section as a horizontal SVG bar chart
    /// and its table. No scripts, fonts or images from the network.
    public var html: String {
        var body = ""
        for section in sections {
            body += "<section>\n<h2>\(Self.escape(section.title))</h2>\n"
            body += Self.barChart(section)
            body += "<table>\n<tr>" + section.columns.map { "<th>\(Self.escape($0))</th>" }.joined() + "</tr>\n"
            for row in section.rows {
                body += "<tr>" + row.enumerated().map { index, value in
                    index == section.valueColumn ? "<td class=\"n\">\(Self.escape(value))</td>" : "<td>\(Self.escape(value))</td>"
                }.joined() + "</tr>\n"
            }
            body += "</table>\n</section>\n"
        }
        let stamp = ISO8601DateFormatter().string(from: generatedAt)
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(Self.escape(title))</title>
            <style>
            body { font: 14px/1.4 system-ui, sans-serif; margin: 2em auto; max-width: 980px; color: #222; }
            h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 2em; }
            table { border-collapse: collapse; margin-top: .5em; } td, th { padding: 2px 10px; border-bottom: 1px solid #ddd; text-align: left; }
            td.n { text-align: right; font-variant-numeric: tabular-nums; }
            svg text { font: 12px system-ui, sans-serif; fill: #222; } svg rect { fill: #3a7bd5; }
            </style></head>
            <body>
            <h1>\(Self.escape(title))</h1>
            <p>From the warehouse star schema (<code>mart</code>), generated \(stamp) by <code>sluice report</code>.</p>
            \(body)</body></html>

            """
    }

    /// Horizontal bars, one per row, scaled to the largest value.
    static func barChart(_ section: Section) -> String {
        let values = section.rows.map { Double($0[section.valueColumn]) ?? 0 }
        let largest = max(values.max() ?? 1, 1)
        let barHeight = 18, gap = 4, labelWidth = 260, chartWidth = 520
        let height = section.rows.count * (barHeight + gap) + gap
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(labelWidth + chartWidth + 120)\" height=\"\(height)\" role=\"img\" aria-label=\"\(escape(section.title))\">\n"
        for (index, row) in section.rows.enumerated() {
            let y = gap + index * (barHeight + gap)
            let width = Int((values[index] / largest * Double(chartWidth)).rounded())
            let label = section.labelColumns.map { row[$0] }.joined(separator: " · ")
            svg += "<text x=\"\(labelWidth - 6)\" y=\"\(y + 13)\" text-anchor=\"end\">\(escape(label))</text>"
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y)\" width=\"\(max(width, 1))\" height=\"\(barHeight)\"/>"
            svg += "<text x=\"\(labelWidth + max(width, 1) + 6)\" y=\"\(y + 13)\">\(escape(row[section.valueColumn]))</text>\n"
        }
        return svg + "</svg>\n"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
