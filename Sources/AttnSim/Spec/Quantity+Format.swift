import Foundation

extension Quantity {
    /// Formats an SI value for humans with a unit of the dimension: the prefix is chosen so the mantissa is
    /// in [1, 1000) (or [1, 1024) for `binary`), shown with up to 4 significant digits, trailing zeros trimmed.
    ///
    /// `format(3.35e12, .bandwidth) == "3.35 TB/s"`, `format(228 * 1024, .bytes, binary: true) == "228 KiB"`,
    /// `format(4e-6, .time) == "4 us"`. Output uses ASCII units (`us`, `uJ`, `kB`) and always parses back with
    /// `parse`. Past the largest prefix the integer digits are all kept ("3600 s"); below the smallest one the
    /// mantissa drops under 1 ("0.5 fJ"). `binary` only affects `.bytes` and `.bandwidth`. `.number` has no
    /// unit and no prefix, under the same digit rule: "0.607" (also for 0.6070000000000001), "12", "2048",
    /// "1500000000000", "1e-07" (exponent form only below 1e-4 or from 1e21).
    public static func format(_ value: Double, _ dimension: Dimension, binary: Bool = false) -> String {
        guard dimension != .number else { return plainText(value) }
        let units = formatUnits(dimension, binary: binary)
        let base = (binary && (dimension == .bytes || dimension == .bandwidth)) ? 1024.0 : 1000.0
        let oneIndex = units.firstIndex { $0.decimalExponent == 0 && $0.binaryExponent == 0 } ?? 0
        guard value.isFinite, value != 0 else { return "\(plainText(value)) \(units[oneIndex].symbol)" }

        // The largest unit not bigger than the value, then one up if rounding to 4 digits reaches the base
        // (999.96 MB shows as "1 GB", not "1000 MB"). Binary rounding can reach 1024 from 1023.5, where the
        // next unit would show "0.9997": then "1024 KiB" stays, keeping the mantissa at least 1.
        let index = units.lastIndex { abs(value) >= $0.size } ?? 0
        let text = mantissaText(value, in: units[index])
        if index + 1 < units.count, let shown = Double(text), abs(shown) >= base {
            let larger = mantissaText(value, in: units[index + 1])
            if let shownLarger = Double(larger), abs(shownLarger) >= 1 {
                return "\(larger) \(units[index + 1].symbol)"
            }
        }
        return "\(text) \(units[index].symbol)"
    }

    /// A unit used for output and its size in SI units.
    struct FormatUnit {
        var symbol: String
        var decimalExponent = 0
        var binaryExponent = 0
        var size: Double {
            Double(sign: .plus, exponent: binaryExponent, significand: 1)
                * (decimalExponent >= 0 ? powerOfTen(decimalExponent) : 1 / powerOfTen(-decimalExponent))
        }
    }

    /// The output units of a dimension, smallest first.
    static func formatUnits(_ dimension: Dimension, binary: Bool) -> [FormatUnit] {
        func ladder(_ prefixes: [String], from lowest: Int, _ base: String) -> [FormatUnit] {
            prefixes.enumerated().map { FormatUnit(symbol: $1 + base, decimalExponent: lowest + 3 * $0) }
        }
        switch dimension {
        case .bytes, .bandwidth:
            let suffix = dimension == .bandwidth ? "B/s" : "B"
            if binary {
                return ["", "Ki", "Mi", "Gi", "Ti", "Pi"].enumerated().map {
                    FormatUnit(symbol: $1 + suffix, binaryExponent: 10 * $0)
                }
            }
            return ladder(["", "k", "M", "G", "T", "P"], from: 0, suffix)
        case .frequency: return ladder(["", "k", "M", "G", "T"], from: 0, "Hz")
        case .time: return ladder(["p", "n", "u", "m", ""], from: -12, "s")
        case .flopRate: return ladder(["", "k", "M", "G", "T", "P", "E"], from: 0, "FLOP/s")
        case .energy: return ladder(["f", "p", "n", "u", "m", ""], from: -15, "J")
        case .number: return [FormatUnit(symbol: "")]
        }
    }

    /// `value` expressed in `unit`, to 4 significant digits (all integer digits once it reaches 1000).
    /// Dividing by an exact power (multiplying for sub-units) keeps "3.35e12 / 1e12" at 3.35.
    static func mantissaText(_ value: Double, in unit: FormatUnit) -> String {
        var mantissa = value / Double(sign: .plus, exponent: unit.binaryExponent, significand: 1)
        mantissa = unit.decimalExponent >= 0
            ? mantissa / powerOfTen(unit.decimalExponent)
            : mantissa * powerOfTen(-unit.decimalExponent)
        return fourDigits(mantissa)
    }

    /// Up to 4 significant digits with trailing zeros trimmed, but every integer digit from 1000 up, so
    /// large counts are never shown in exponent form or silently rounded.
    static func fourDigits(_ x: Double) -> String {
        abs(x) >= 1000 && abs(x) < 1e21 ? String(format: "%.0f", x) : String(format: "%.4g", x)
    }

    /// 10^k for 0 ≤ k ≤ 22, exact because every intermediate product is an exactly representable integer.
    static func powerOfTen(_ k: Int) -> Double {
        (0..<k).reduce(1.0) { product, _ in product * 10 }
    }

    /// A unitless value: "0" for both zeros, "nan"/"inf"/"-inf" for non-finite values, else `fourDigits`.
    static func plainText(_ value: Double) -> String {
        if value == 0 { return "0" }
        return value.isFinite ? fourDigits(value) : "\(value)"
    }
}

extension Quantity {
    /// A large count with a decimal SI prefix and a unit word: `formatCount(206.2e9, "FLOP") == "206.2 GFLOP"`,
    /// `formatCount(51_539_607_552, "") == "51.54 G"`. Counts below 1000 print in full.
    public static func formatCount(_ value: Double, _ unit: String) -> String {
        let prefixes = ["", "k", "M", "G", "T", "P", "E"]
        guard value.isFinite, abs(value) >= 1000 else {
            return plainText(value) + (unit.isEmpty ? "" : " \(unit)")
        }
        var exponent = 0
        var mantissa = abs(value)
        while mantissa >= 1000 && exponent < prefixes.count - 1 {
            mantissa /= 1000
            exponent += 1
        }
        let sign = value < 0 ? "-" : ""
        return "\(sign)\(fourDigits(mantissa)) \(prefixes[exponent])\(unit)"
    }
}

extension Quantity {
    /// A count for a limit message, precise enough that a refused count reads visibly above its limit: whole
    /// numbers below 10¹⁵ in full with digits grouped by threes (`10 000 256`), larger ones in scientific notation
    /// (`7.834e+30`).
    public static func formatExactCount(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e15 else { return String(format: "%.4g", value) }
        let digits = String(Int64(value.rounded(.up)).magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { grouped.append(" ") }
            grouped.append(digit)
        }
        return (value < 0 ? "-" : "") + grouped
    }
}

extension Quantity {
    /// A size or bandwidth in whichever prefix system writes it more simply, so values read back the way a
    /// data sheet would have written them: 80e9 B → "80 GB", 233_472 B → "228 KiB", 400·2^30 B/s → "400 GiB/s".
    public static func formatNatural(_ value: Double, _ dimension: Dimension) -> String {
        let decimal = format(value, dimension)
        let binary = format(value, dimension, binary: true)
        return binary.count < decimal.count ? binary : decimal
    }
}
