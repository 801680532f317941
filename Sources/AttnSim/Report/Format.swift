import Foundation

/// Number formats of the report: units on every value, `µs` rather than `us`.
enum Format {
    static func time(_ seconds: Double) -> String { micro(Quantity.format(seconds, .time)) }
    /// Energies up to 1000 J with SI prefixes (`812 J`, `3.2 µJ`); larger ones in kJ, MJ and GJ.
    static func energy(_ joules: Double) -> String {
        for (size, unit) in [(1e9, "GJ"), (1e6, "MJ"), (1e3, "kJ")] where abs(joules) >= size * 0.99995 {
            return Quantity.format(joules / size, .number) + " " + unit
        }
        return micro(Quantity.format(joules, .energy))
    }
    static func bytes(_ bytes: Double) -> String { Quantity.format(bytes, .bytes) }
    static func rate(_ flops: Double) -> String { Quantity.format(flops, .flopRate) }

    static func speedup(_ value: Double) -> String {
        value >= 100 ? String(format: "%.0f×", value) : value >= 10 ? String(format: "%.1f×", value) : String(format: "%.2f×", value)
    }

    /// A number for sorting a table: 7 significant digits are plenty and keep the page small.
    static func sortKey(_ value: Double) -> String { String(format: "%.7g", value) }

    static func speedupTick(_ value: Double) -> String { plainTick(value) + "×" }
    static func plainTick(_ value: Double) -> String { Quantity.format(value, .number) }
    static func percent(_ fraction: Double) -> String { String(format: "%.1f %%", fraction * 100) }
    static func signedPercent(_ fraction: Double) -> String { String(format: "%+.1f %%", fraction * 100) }

    static func micro(_ text: String) -> String {
        guard text.count > 3, text.hasSuffix(" us") || text.hasSuffix(" uJ") else { return text }
        return String(text.dropLast(2)) + "µ" + String(text.suffix(1))
    }
}
