/// Physical quantities with units, as written in hardware and workload YAML files ("3.35 TB/s", "228 KiB").
///
/// Every value is converted to plain SI (bytes, bytes per second, Hz, seconds, FLOP/s, joules) once, at load
/// time, so the simulator never sees a unit again. Parsing is strict: a missing unit, a unit of the wrong kind
/// or an unknown unit is an error that says what was expected, with the offset of the offending text, because
/// a silently misread bandwidth (GB vs GiB, bits vs bytes) would give plausible but wrong results.

/// The kind of physical quantity a YAML field expects.
public enum Dimension: String, Sendable, CaseIterable {
    /// Sizes. Decimal `B, kB/KB, MB, GB, TB, PB` (1000^k) and binary `KiB … PiB` (1024^k) bytes; bits as
    /// `bit`/`bits` with any of those prefixes (`Kbit`, `kbit`, `Gbit`, `Gibit`, …) or `b` with a decimal
    /// prefix (`b`, `Kb`, `Mb`, `Gb`, `Tb`, `Pb`). `b` is a bit and `B` a byte, so case matters; `kb` is refused
    /// as ambiguous (people write it for kilobytes). Value in bytes (bits / 8).
    case bytes
    /// Any `bytes` unit followed by `/s` (`B/s`, `GB/s`, `GiB/s`, `Gbit/s`, `Gb/s`, …). Value in bytes per second.
    case bandwidth
    /// `Hz, kHz, KHz, MHz, GHz, THz`. Value in Hz.
    case frequency
    /// `s, ms, us, µs, μs, ns, ps, min, h`. Value in seconds.
    case time
    /// `FLOP/s, FLOPS, flop/s, flops, OP/s, OPS, op/s, ops/s` with an optional prefix `k/K, M, G, T, P, E`
    /// ("989.4 TFLOP/s", "360 GOP/s", "2 TOPS"). Operations are not told apart from FLOPs. Value in ops/s.
    case flopRate
    /// `J, mJ, uJ, µJ, μJ, nJ, pJ, fJ`. Value in joules.
    case energy
    /// A plain number without a unit ("12", "0.607", "1e-3", "-2"). Negative numbers are allowed here (the
    /// caller checks ranges); digit separators (`1_000`, `1,000`) are not, to keep one spelling per value.
    case number
}

/// Why a quantity could not be parsed.
public struct QuantityError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What was wrong and what was expected, with an example of a valid value.
    public var message: String
    /// 0-based offset, in Unicode scalars (as libyaml counts columns), into the scalar text where the problem
    /// starts (the unit, the sign, the stray text), so the caller can point at the column.
    public var offset: Int
    public var description: String { message }

    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }
}

public enum Quantity {
    /// Parses `text` (a YAML scalar's text, e.g. "3.35 TB/s") as `dimension`, returning the SI value.
    ///
    /// Grammar: `[ws] [+|-] digits [. digits] [(e|E) [+|-] digits] [ws] unit [ws]`, where at least one digit
    /// comes before or after the point, and the unit is required except for `.number`, which forbids one.
    ///
    /// Exactness: a decimal prefix is applied by shifting the decimal exponent of the mantissa *text* and
    /// parsing that ("3.35" with `T` parses "3.35e12"), so the result is the correctly rounded double of the
    /// exact decimal value and equals the literal `3.35e12`; `3.35 * 1e12` could be one ulp off. Binary
    /// prefixes and bits (÷8) multiply by a power of two, which is exact. Only `min` and `h` multiply by
    /// 60 or 3600, which may round once.
    public static func parse(_ text: String, as dimension: Dimension) throws(QuantityError) -> Double {
        let scalars = Array(text.unicodeScalars)
        let count = scalars.count
        func isSpace(_ i: Int) -> Bool { i < count && scalars[i].properties.isWhitespace }
        func isDigit(_ i: Int) -> Bool { i < count && ("0"..."9").contains(scalars[i]) }
        func isAny(_ i: Int, _ set: String) -> Bool { i < count && set.unicodeScalars.contains(scalars[i]) }
        func slice(_ range: Range<Int>) -> String { String(String.UnicodeScalarView(scalars[range])) }
        func fail(_ message: String, at offset: Int) -> QuantityError {
            QuantityError(message: message, offset: offset)
        }
        let expected = "expected \(dimension.expectation)"

        var i = 0
        while isSpace(i) { i += 1 }
        guard i < count else {
            throw fail("empty value; \(expected)", at: 0)
        }
        var end = count  // end of the text without trailing spaces, for quoting it in messages
        while end > i, isSpace(end - 1) { end -= 1 }

        // The number: sign, integer digits, fraction digits, exponent, scanned by hand so that the digits
        // can be re-assembled with a shifted exponent (see Exactness above).
        let numberStart = i
        let negative = isAny(i, "-")
        if isAny(i, "+-") { i += 1 }
        let integerStart = i
        while isDigit(i) { i += 1 }
        let integerDigits = slice(integerStart..<i)
        var fractionDigits = ""
        if isAny(i, "."), integerStart < i || isDigit(i + 1) {
            let fractionStart = i + 1
            i = fractionStart
            while isDigit(i) { i += 1 }
            fractionDigits = slice(fractionStart..<i)
        }
        guard !integerDigits.isEmpty || !fractionDigits.isEmpty else {
            let word = slice(numberStart..<end).lowercased()
            let nonFinite = ["nan", "inf", ".nan", ".inf", "+inf", "-inf", "+.inf", "-.inf"]
            if nonFinite.contains(where: { word.hasPrefix($0) }) {
                throw fail("NaN and infinity are not allowed; \(expected)", at: numberStart)
            }
            throw fail("\"\(slice(numberStart..<end))\" does not start with a number; \(expected)", at: numberStart)
        }
        var exponent = 0
        if isAny(i, "eE") {
            var j = i + 1
            let exponentNegative = isAny(j, "-")
            if isAny(j, "+-") { j += 1 }
            if isDigit(j) {  // otherwise the "e" is not an exponent but the start of a unit such as "EFLOP/s"
                var magnitude = 0
                while isDigit(j) {
                    // Clamp so absurd exponents cannot overflow Int; 1e400000 still becomes inf and is refused.
                    magnitude = min(magnitude * 10 + Int(scalars[j].value - 48), 400_000)
                    j += 1
                }
                exponent = exponentNegative ? -magnitude : magnitude
                i = j
            }
        }
        let numberEnd = i
        let numberText = slice(numberStart..<numberEnd)

        if isAny(i, "_,"), isDigit(i + 1) {
            throw fail("digit separators are not supported in \"\(slice(numberStart..<end))\"; "
                + "write the digits without \"_\" or \",\"; \(expected)", at: i)
        }
        if isAny(i, ".+-") || isDigit(i) {
            var tokenEnd = i
            while tokenEnd < count, !isSpace(tokenEnd) { tokenEnd += 1 }
            throw fail("malformed number \"\(slice(numberStart..<tokenEnd))\"; \(expected)", at: numberStart)
        }
        if negative && dimension != .number {
            throw fail("\(dimension.kindName) cannot be negative (found \"\(numberText)\"); \(expected)",
                at: numberStart)
        }

        // The unit: one run of non-space characters, then nothing but spaces.
        while isSpace(i) { i += 1 }
        let unitStart = i
        while i < count, !isSpace(i) { i += 1 }
        let unitEnd = i
        let unit = slice(unitStart..<unitEnd)
        while isSpace(i) { i += 1 }
        let trailingStart = i

        if !unit.isEmpty, isDigit(unitStart) || isAny(unitStart, ".+-") {
            throw fail("unexpected \"\(slice(unitStart..<end))\" after the number \"\(numberText)\"; "
                + expected, at: unitStart)
        }
        let scale: UnitScale
        if dimension == .number {
            guard unit.isEmpty else {
                let kind = Dimension.kind(of: unit).map { " (it looks like \($0.kindName))" } ?? ""
                throw fail("a plain number takes no unit, but found \"\(unit)\"\(kind); \(expected)", at: unitStart)
            }
            scale = UnitScale()
        } else if unit.isEmpty {
            throw fail("missing unit after \"\(numberText)\"; \(expected)", at: numberEnd)
        } else if let known = dimension.unitTable[unit] {
            scale = known
        } else if let other = Dimension.kind(of: unit) {
            throw fail("\"\(unit)\" looks like \(other.kindName), but \(dimension.kindName) is needed here; "
                + expected, at: unitStart)
        } else {
            let sameLetters = dimension.unitTable.keys.filter { $0.lowercased() == unit.lowercased() }.sorted()
            let hint = sameLetters.isEmpty ? ""
                : " (units are case-sensitive; did you mean "
                    + sameLetters.map { "\"\($0)\"" }.joined(separator: " or ") + "?)"
            throw fail("unknown unit \"\(unit)\" for \(dimension.kindName)\(hint); \(expected)", at: unitStart)
        }
        if trailingStart < count {
            throw fail("unexpected \"\(slice(trailingStart..<end))\" after \"\(slice(numberStart..<unitEnd))\"; "
                + expected, at: trailingStart)
        }

        // Re-assemble the digits with the prefix's decimal exponent folded in, and let the standard library
        // round once. The string is built from ASCII digits only, so it always parses.
        let decimal = (negative ? "-" : "")
            + (integerDigits.isEmpty ? "0" : integerDigits) + "."
            + (fractionDigits.isEmpty ? "0" : fractionDigits)
            + "e" + String(exponent + scale.decimalExponent)
        guard var value = Double(decimal) else {
            throw fail("malformed number \"\(numberText)\"; \(expected)", at: numberStart)
        }
        value *= Double(sign: .plus, exponent: scale.binaryExponent, significand: 1)
        value *= scale.factor
        guard value.isFinite else {
            throw fail("\"\(slice(numberStart..<unitEnd))\" is too large to represent; \(expected)", at: numberStart)
        }
        return value
    }
}

/// How one unit symbol maps to SI: value = mantissa × 10^decimalExponent × 2^binaryExponent × factor.
///
/// The decimal and binary parts are kept apart because each can be applied exactly (the first by
/// shifting the mantissa's exponent before parsing, the second by a power-of-two multiply); `factor` is
/// only for `min` and `h`, which are neither.
struct UnitScale: Sendable, Equatable {
    var decimalExponent = 0
    var binaryExponent = 0
    var factor: Double = 1
}

extension Dimension {
    /// Every accepted unit symbol of this dimension. Lookups are exact: case matters (`b` bit, `B` byte).
    var unitTable: [String: UnitScale] { UnitTables.byDimension[self] ?? [:] }

    /// The dimension some *other* table knows `unit` from, to say "looks like a frequency" on a mix-up.
    static func kind(of unit: String) -> Dimension? {
        allCases.first { $0.unitTable[unit] != nil }
    }

    /// The dimension as a noun phrase for messages ("a bandwidth").
    var kindName: String {
        switch self {
        case .bytes: return "a size in bytes"
        case .bandwidth: return "a bandwidth"
        case .frequency: return "a frequency"
        case .time: return "a time"
        case .flopRate: return "an operation rate (FLOP/s)"
        case .energy: return "an energy"
        case .number: return "a plain number"
        }
    }

    /// What a valid value looks like, with examples; follows "expected" in every message.
    var expectation: String {
        switch self {
        case .bytes:
            return "a byte or bit unit such as \"80 GB\", \"228 KiB\" or \"16 bit\""
        case .bandwidth:
            return "a byte unit per second such as \"3.35 TB/s\" or \"400 GiB/s\""
        case .frequency:
            return "a frequency unit such as \"1.83 GHz\" or \"500 MHz\""
        case .time:
            return "a time unit such as \"4 us\", \"1.5 ms\" or \"2 s\""
        case .flopRate:
            return "an operation-rate unit such as \"989.4 TFLOP/s\", \"360 GOP/s\" or \"2 TOPS\""
        case .energy:
            return "an energy unit such as \"17.16 pJ\" or \"1.2 nJ\""
        case .number:
            return "a number without a unit such as \"12\", \"0.607\" or \"1e-3\""
        }
    }
}

/// The unit tables, built once from prefix × base-unit lists so every family gets the same prefixes.
enum UnitTables {
    static let byDimension: [Dimension: [String: UnitScale]] = [
        .bytes: bytes,
        .bandwidth: Dictionary(uniqueKeysWithValues: bytes.map { ($0.key + "/s", $0.value) }),
        .frequency: decimal(["": 0, "k": 3, "K": 3, "M": 6, "G": 9, "T": 12], "Hz"),
        .time: decimal(["": 0, "m": -3, "u": -6, "\u{00B5}": -6, "\u{03BC}": -6, "n": -9, "p": -12], "s")
            .merging(["min": UnitScale(factor: 60), "h": UnitScale(factor: 3600)]) { $1 },
        .flopRate: ["FLOP/s", "FLOPS", "flop/s", "flops", "OP/s", "OPS", "op/s", "ops/s"]
            .reduce(into: [:]) { table, base in
                table.merge(decimal(["": 0, "k": 3, "K": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18], base)) { $1 }
            },
        .energy: decimal(["": 0, "m": -3, "u": -6, "\u{00B5}": -6, "\u{03BC}": -6, "n": -9, "p": -12, "f": -15], "J"),
        .number: [:],
    ]

    /// SI prefixes for byte and bit sizes (`k` and `K` both mean 1000).
    static let sizePrefixes = ["": 0, "k": 3, "K": 3, "M": 6, "G": 9, "T": 12, "P": 15]
    /// IEC 80000-13 binary prefixes, as powers of two.
    static let binaryPrefixes = ["Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50]

    static let bytes: [String: UnitScale] = {
        var table = decimal(sizePrefixes, "B")
        for base in ["bit", "bits"] {
            table.merge(decimal(sizePrefixes, base, binaryExponent: -3)) { $1 }
        }
        // "b" only with prefixes that cannot be mistaken for bytes: "kb" is often meant as kilobytes.
        table.merge(decimal(sizePrefixes.filter { $0.key != "k" }, "b", binaryExponent: -3)) { $1 }
        for (prefix, power) in binaryPrefixes {
            table[prefix + "B"] = UnitScale(binaryExponent: power)
            table[prefix + "bit"] = UnitScale(binaryExponent: power - 3)
            table[prefix + "bits"] = UnitScale(binaryExponent: power - 3)
        }
        return table
    }()

    /// `prefix + base` for each decimal prefix (given as a power of ten).
    static func decimal(_ prefixes: [String: Int], _ base: String, binaryExponent: Int = 0) -> [String: UnitScale] {
        Dictionary(uniqueKeysWithValues: prefixes.map {
            ($0.key + base, UnitScale(decimalExponent: $0.value, binaryExponent: binaryExponent))
        })
    }
}
