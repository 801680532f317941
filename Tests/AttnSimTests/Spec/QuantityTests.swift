import Testing
@testable import AttnSim

// Expected values come from the unit definitions, not from the code under test:
// SI prefixes k = 10^3, M = 10^6, G = 10^9, T = 10^12, P = 10^15, E = 10^18, m = 10^-3, u/µ = 10^-6, n = 10^-9,
// p = 10^-12, f = 10^-15 (SI Brochure, 9th ed.); binary prefixes Ki = 2^10, Mi = 2^20, Gi = 2^30, Ti = 2^40,
// Pi = 2^50 and 1 byte = 8 bit (IEC 80000-13); 1 min = 60 s, 1 h = 3600 s.
// A Swift literal such as 3.35e12 is the correctly rounded double of that exact decimal, which is what the
// parser must return; binary expectations are written as exact integers or powers of two.

private let Ki = 1024.0
private let Mi = 1_048_576.0
private let Gi = 1_073_741_824.0
private let Ti = 1_099_511_627_776.0
private let Pi = 1_125_899_906_842_624.0

private func parse(_ text: String, _ dimension: Dimension) -> Double? {
    try? Quantity.parse(text, as: dimension)
}

private func failure(_ text: String, _ dimension: Dimension) -> QuantityError? {
    do {
        let value = try Quantity.parse(text, as: dimension)
        Issue.record("\"\(text)\" parsed as \(value) but should have been rejected")
        return nil
    } catch {
        return error
    }
}

@Suite struct QuantityTests {
    // MARK: - Values required by the spec

    @Test func requiredExactValues() {
        #expect(parse("3.35 TB/s", .bandwidth) == 3.35e12)
        #expect(parse("400 GiB/s", .bandwidth) == 400.0 * 1_073_741_824)
        #expect(parse("400 GiB/s", .bandwidth) == 429_496_729_600)
        #expect(parse("228 KiB", .bytes) == 233_472)
        #expect(parse("16 bit", .bytes) == 2)
        #expect(parse("1 Gbit/s", .bandwidth) == 125_000_000)
        #expect(parse("1.2 PFLOP/s", .flopRate) == 1.2e15)
        #expect(parse("989.4 TFLOP/s", .flopRate) == 989.4e12)
        #expect(parse("1.83 GHz", .frequency) == 1.83e9)
        #expect(parse("4 us", .time) == 4e-6)
        #expect(parse("17.1645 pJ", .energy) == 17.1645e-12)
        #expect(parse("16 MiB", .bytes) == 16_777_216)
        #expect(parse("80 GB", .bytes) == 80e9)
    }

    /// 4.1 × 1e9 is 4099999999.9999995 in doubles; the parser must give the exact 4.1e9 = 4100000000.
    @Test func decimalPrefixIsExactWhereMultiplicationIsNot() {
        #expect(4.1 * 1e9 != 4.1e9)  // the trap this test is about
        #expect(parse("4.1 GHz", .frequency) == 4_100_000_000)
        #expect(parse("4.1 GB", .bytes) == 4_100_000_000)
        #expect(parse("4.1 GB/s", .bandwidth) == 4_100_000_000)
        #expect(parse("4.1 GFLOP/s", .flopRate) == 4_100_000_000)
        #expect(parse("4.1e-3 THz", .frequency) == 4_100_000_000)
    }

    // MARK: - Every unit family

    @Test(arguments: [
        // decimal bytes
        ("1 B", 1.0), ("1 kB", 1e3), ("1 KB", 1e3), ("2.5 MB", 2.5e6), ("80 GB", 80e9), ("3.2 TB", 3.2e12),
        ("1.5 PB", 1.5e15), ("0 B", 0),
        // binary bytes
        ("1 KiB", Ki), ("228 KiB", 228 * Ki), ("16 MiB", 16 * Mi), ("80 GiB", 80 * Gi), ("2 TiB", 2 * Ti),
        ("1.5 PiB", 1.5 * Pi), ("0.5 KiB", 512),
        // bits, 8 bits = 1 byte
        ("8 bit", 1), ("16 bit", 2), ("16 bits", 2), ("1 b", 0.125), ("8 b", 1),
        ("1 Kbit", 125), ("1 kbit", 125), ("1 Mbit", 125_000), ("1 Gbit", 125_000_000),
        ("1 Tbit", 125_000_000_000), ("1 Pbit", 125_000_000_000_000),
        ("1 Kb", 125), ("1 Mb", 125_000), ("1 Gb", 125_000_000), ("1 Tb", 125_000_000_000),
        ("8 Kibit", Ki), ("8 Mibit", Mi), ("8 Gibit", Gi), ("1 Gibit", Gi / 8), ("8 Tibit", Ti), ("8 Pibits", Pi),
    ] as [(String, Double)])
    func parsesBytes(text: String, expected: Double) {
        #expect(parse(text, .bytes) == expected)
    }

    @Test(arguments: [
        ("1 B/s", 1.0), ("1 kB/s", 1e3), ("1 KB/s", 1e3), ("900 MB/s", 900e6), ("64 GB/s", 64e9),
        ("3.35 TB/s", 3.35e12), ("8 TB/s", 8e12), ("1.2 PB/s", 1.2e15),
        ("1 KiB/s", Ki), ("1 MiB/s", Mi), ("400 GiB/s", 400 * Gi), ("2 TiB/s", 2 * Ti), ("1 PiB/s", Pi),
        ("1 bit/s", 0.125), ("8 bits/s", 1), ("1 b/s", 0.125), ("1 Kbit/s", 125), ("1 kbit/s", 125),
        ("100 Mbit/s", 12_500_000), ("1 Gbit/s", 125_000_000), ("400 Gb/s", 50e9), ("1.6 Tbit/s", 200e9),
        ("1 Tb/s", 125e9), ("8 Gibit/s", Gi), ("1 Mb/s", 125_000),
    ] as [(String, Double)])
    func parsesBandwidth(text: String, expected: Double) {
        #expect(parse(text, .bandwidth) == expected)
    }

    @Test(arguments: [
        ("1 Hz", 1.0), ("32 kHz", 32e3), ("32 KHz", 32e3), ("500 MHz", 500e6), ("1.83 GHz", 1.83e9),
        ("1.755 GHz", 1.755e9), ("1 THz", 1e12),
    ] as [(String, Double)])
    func parsesFrequency(text: String, expected: Double) {
        #expect(parse(text, .frequency) == expected)
    }

    @Test(arguments: [
        ("2 s", 2.0), ("1.5 ms", 1.5e-3), ("4 us", 4e-6), ("4 \u{00B5}s", 4e-6), ("4 \u{03BC}s", 4e-6),
        ("100 ns", 100e-9), ("0.7 ns", 0.7e-9), ("250 ps", 250e-12), ("2 min", 120), ("1.5 min", 90),
        ("1 h", 3600), ("0.5 h", 1800),
    ] as [(String, Double)])
    func parsesTime(text: String, expected: Double) {
        #expect(parse(text, .time) == expected)
    }

    @Test(arguments: [
        ("1 FLOP/s", 1.0), ("5 kFLOP/s", 5e3), ("5 KFLOP/s", 5e3), ("7 MFLOP/s", 7e6), ("360 GFLOP/s", 360e9),
        ("989.4 TFLOP/s", 989.4e12), ("1.2 PFLOP/s", 1.2e15), ("1.1 EFLOP/s", 1.1e18),
        ("2 TFLOPS", 2e12), ("3 Tflop/s", 3e12), ("4 Gflops", 4e9),
        ("360 GOP/s", 360e9), ("2 TOPS", 2e12), ("1 POPS", 1e15), ("5 Mops/s", 5e6), ("6 kop/s", 6e3),
        ("10 OPS", 10), ("1 EOPS", 1e18),
    ] as [(String, Double)])
    func parsesFlopRate(text: String, expected: Double) {
        #expect(parse(text, .flopRate) == expected)
    }

    @Test(arguments: [
        ("1 J", 1.0), ("2.5 mJ", 2.5e-3), ("3 uJ", 3e-6), ("3 \u{00B5}J", 3e-6), ("3 \u{03BC}J", 3e-6),
        ("0.4 nJ", 0.4e-9), ("17.1645 pJ", 17.1645e-12), ("80 fJ", 80e-15),
    ] as [(String, Double)])
    func parsesEnergy(text: String, expected: Double) {
        #expect(parse(text, .energy) == expected)
    }

    @Test(arguments: [
        ("12", 12.0), ("0.607", 0.607), ("1e-3", 1e-3), ("1E3", 1000), ("2.5e+2", 250), ("-2", -2),
        ("+3", 3), (".5", 0.5), ("5.", 5), ("007", 7), ("0", 0), ("-0.25", -0.25),
    ] as [(String, Double)])
    func parsesNumber(text: String, expected: Double) {
        #expect(parse(text, .number) == expected)
    }

    // MARK: - Number syntax around units

    @Test func spacingAndExponents() {
        #expect(parse("3.35TB/s", .bandwidth) == 3.35e12)
        #expect(parse("  3.35 TB/s  ", .bandwidth) == 3.35e12)
        #expect(parse("3.35\tTB/s", .bandwidth) == 3.35e12)
        #expect(parse("3.35   TB/s", .bandwidth) == 3.35e12)
        #expect(parse("\u{00A0}80\u{202F}GB", .bytes) == 80e9)  // no-break and narrow no-break spaces
        #expect(parse("3.35e3 GB/s", .bandwidth) == 3.35e12)
        #expect(parse("335e-2 TB/s", .bandwidth) == 3.35e12)
        #expect(parse("1.5e3 KiB", .bytes) == 1500 * Ki)
        #expect(parse("2e3EFLOP/s", .flopRate) == 2e21)  // "E" after the exponent digits is the exa prefix
        #expect(parse("2EFLOP/s", .flopRate) == 2e18)   // "E" not followed by a digit is the exa prefix too
        #expect(parse("+80 GB", .bytes) == 80e9)
        #expect(parse("1e-400 J", .energy) == 0)  // underflows to zero, which is not an error
    }

    // MARK: - Errors

    @Test func missingUnit() throws {
        let error = try #require(failure("80", .bytes))
        #expect(error.message.contains("missing unit"))
        #expect(error.message.contains("80 GB"))
        #expect(error.offset == 2)
        let padded = try #require(failure("  1.83  ", .frequency))
        #expect(padded.message.contains("missing unit"))
        #expect(padded.message.contains("frequency"))
        #expect(padded.offset == 6)
    }

    @Test func wrongKindOfUnit() throws {
        let frequency = try #require(failure("3.35 GHz", .bandwidth))
        #expect(frequency.message.contains("looks like a frequency"))
        #expect(frequency.message.contains("a bandwidth is needed"))
        #expect(frequency.message.contains("3.35 TB/s"))
        #expect(frequency.offset == 5)

        let size = try #require(failure("80 GB", .bandwidth))
        #expect(size.message.contains("looks like a size in bytes"))
        #expect(size.offset == 3)

        let rate = try #require(failure("3.35 TB/s", .bytes))
        #expect(rate.message.contains("looks like a bandwidth"))
        #expect(rate.offset == 5)

        let seconds = try #require(failure("4 us", .energy))
        #expect(seconds.message.contains("looks like a time"))
        #expect(seconds.message.contains("an energy"))

        let energy = try #require(failure("2 pJ", .time))
        #expect(energy.message.contains("looks like an energy"))

        let flops = try #require(failure("2 TFLOP/s", .frequency))
        #expect(flops.message.contains("looks like an operation rate"))
        #expect(flops.message.contains("1.83 GHz"))

        let hertz = try #require(failure("1 GHz", .flopRate))
        #expect(hertz.message.contains("looks like a frequency"))
        #expect(hertz.message.contains("989.4 TFLOP/s"))
    }

    @Test func unknownUnit() throws {
        let error = try #require(failure("3 TB/sec", .bandwidth))
        #expect(error.message.contains("unknown unit \"TB/sec\" for a bandwidth"))
        #expect(error.message.contains("expected a byte unit per second such as \"3.35 TB/s\" or \"400 GiB/s\""))
        #expect(error.offset == 2)

        let caseHint = try #require(failure("80 gb", .bytes))
        #expect(caseHint.message.contains("case-sensitive"))
        #expect(caseHint.message.contains("\"GB\""))
        #expect(caseHint.message.contains("\"Gb\""))
        #expect(caseHint.offset == 3)

        let ambiguous = try #require(failure("8 kb", .bytes))  // kilobit or kilobyte? refused on purpose
        #expect(ambiguous.message.contains("unknown unit \"kb\""))

        let ghz = try #require(failure("1.83 ghz", .frequency))
        #expect(ghz.message.contains("\"GHz\""))
        #expect(ghz.offset == 5)

        #expect(failure("1 Ms", .time)?.message.contains("unknown unit") == true)  // M is mega, not milli
        #expect(failure("1 sec", .time)?.message.contains("4 us") == true)
        #expect(failure("1 kJ", .energy)?.offset == 2)
        #expect(failure("1 EB", .bytes)?.message.contains("unknown unit") == true)
    }

    @Test func unitOnPlainNumber() throws {
        let error = try #require(failure("12 GB", .number))
        #expect(error.message.contains("plain number takes no unit"))
        #expect(error.message.contains("looks like a size in bytes"))
        #expect(error.message.contains("\"12\""))
        #expect(error.offset == 3)
        let unknown = try #require(failure("0.607x", .number))
        #expect(unknown.message.contains("no unit"))
        #expect(unknown.offset == 5)
    }

    @Test(arguments: Dimension.allCases)
    func emptyText(dimension: Dimension) throws {
        for text in ["", "   ", "\t"] {
            let error = try #require(failure(text, dimension))
            #expect(error.message.contains("empty value"))
            #expect(error.message.contains("expected"))
            #expect(error.offset == 0)
        }
    }

    @Test func notANumber() throws {
        let words = try #require(failure("fast GB/s", .bandwidth))
        #expect(words.message.contains("\"fast GB/s\" does not start with a number"))
        #expect(words.message.contains("3.35 TB/s"))
        #expect(words.offset == 0)

        let unitOnly = try #require(failure("  GHz", .frequency))
        #expect(unitOnly.message.contains("does not start with a number"))
        #expect(unitOnly.offset == 2)
        #expect(failure(" fast  ", .time)?.message.hasPrefix("\"fast\" does not start with a number;") == true)

        for text in [".", "-", "+", ". GB", "e3 GB", "0x10 GB", "1.2.3 GB", "1e GB", "1-2 GB", "1 2 GB", "--1 GB"] {
            #expect(failure(text, .bytes) != nil, "\(text)")
        }
        #expect(failure("1.2.3 GB", .bytes)?.message.contains("malformed number \"1.2.3\"") == true)
        #expect(failure("1 2 GB", .bytes)?.offset == 2)
        #expect(failure("0x10", .number)?.message.contains("no unit") == true)
    }

    @Test func digitSeparatorsAreRejected() throws {
        let error = try #require(failure("1_000", .number))
        #expect(error.message.contains("digit separators"))
        #expect(error.offset == 1)
        #expect(failure("1,000 GB", .bytes)?.message.contains("digit separators") == true)
    }

    @Test(arguments: [Dimension.bytes, .bandwidth, .frequency, .time, .flopRate, .energy])
    func negativeValuesAreRejected(dimension: Dimension) throws {
        let unit = Quantity.formatUnits(dimension, binary: false).last?.symbol ?? ""
        let error = try #require(failure(" -1 \(unit)", dimension))
        #expect(error.message.contains("cannot be negative"))
        #expect(error.message.contains(dimension.kindName))
        #expect(error.message.contains("expected"))
        #expect(error.offset == 1)
        #expect(failure("-0 \(unit)", dimension) != nil)
    }

    @Test func negativeGigabytesMessage() throws {
        let error = try #require(failure("-1 GB", .bytes))
        #expect(error.message.contains("a size in bytes cannot be negative"))
        #expect(error.message.contains("80 GB"))
        #expect(parse("-1", .number) == -1)  // numbers may be negative; the caller checks the range
    }

    @Test func nonFiniteValuesAreRejected() throws {
        for text in ["nan", "NaN", "inf", "-inf", ".inf", "-.inf", "Infinity", "nan GB", "inf TB/s"] {
            let dimension: Dimension = text.contains(" ") ? (text.contains("/") ? .bandwidth : .bytes) : .number
            let error = try #require(failure(text, dimension), "\(text)")
            #expect(error.message.contains("NaN and infinity are not allowed"), "\(text)")
            #expect(error.offset == 0)
        }
        let huge = try #require(failure("1e308 PiB", .bytes))
        #expect(huge.message.contains("too large"))
        #expect(failure("1e400", .number)?.message.contains("too large") == true)
        #expect(failure("1e99999999999999999999 GB", .bytes)?.message.contains("too large") == true)
    }

    @Test func trailingGarbage() throws {
        let error = try #require(failure("3.35 TB/s fast", .bandwidth))
        #expect(error.message.contains("unexpected \"fast\" after \"3.35 TB/s\";"))
        #expect(error.message.contains("3.35 TB/s"))
        #expect(error.offset == 10)

        let split = try #require(failure("80 GB s", .bytes))
        #expect(split.offset == 6)

        let number = try #require(failure("12 13", .number))
        #expect(number.message.contains("unexpected \"13\""))
        #expect(number.offset == 3)

        // A unit glued to punctuation is not a known unit.
        #expect(failure("80 GB,", .bytes)?.message.contains("unknown unit \"GB,\"") == true)
    }

    @Test func offsetsCountUnicodeScalars() throws {
        // "µs" is one scalar for the prefix, so the stray text after it starts at scalar 5.
        let error = try #require(failure("4 \u{00B5}s x", .time))
        #expect(error.offset == 5)
        let unknown = try #require(failure("4 \u{00B5}m", .bandwidth))
        #expect(unknown.offset == 2)
    }

    @Test func errorDescriptionIsTheMessage() throws {
        let error = try #require(failure("3 TB/sec", .bandwidth))
        #expect(error.description == error.message)
        #expect(error == QuantityError(message: error.message, offset: 2))
    }

    // MARK: - Formatting

    @Test func formatRequiredExamples() {
        #expect(Quantity.format(3.35e12, .bandwidth) == "3.35 TB/s")
        #expect(Quantity.format(228 * 1024, .bytes, binary: true) == "228 KiB")
        #expect(Quantity.format(1.83e9, .frequency) == "1.83 GHz")
        #expect(Quantity.format(989.4e12, .flopRate) == "989.4 TFLOP/s")
        #expect(Quantity.format(4e-6, .time) == "4 us")
        #expect(Quantity.format(17.1645e-12, .energy) == "17.16 pJ")
        #expect(Quantity.format(12, .number) == "12")
        #expect(Quantity.format(0.607, .number) == "0.607")
    }

    @Test(arguments: [
        (80e9, Dimension.bytes, false, "80 GB"), (1500, .bytes, false, "1.5 kB"), (999, .bytes, false, "999 B"),
        (16 * Mi, .bytes, true, "16 MiB"), (80 * Gi, .bytes, true, "80 GiB"), (1000 * Ki, .bytes, true, "1000 KiB"), (1023.7 * Ki, .bytes, true, "1024 KiB"),
        (1023.99 * Mi, .bandwidth, true, "1 GiB/s"), (1024 * Mi, .bandwidth, true, "1 GiB/s"), (-3 * Gi, .bytes, true, "-3 GiB"),
        (1.5 * Pi, .bytes, true, "1.5 PiB"), (0.5, .bytes, false, "0.5 B"), (0, .bytes, false, "0 B"),
        (400 * Gi, .bandwidth, true, "400 GiB/s"), (125e6, .bandwidth, false, "125 MB/s"),
        (999.96e6, .bandwidth, false, "1 GB/s"), (123_456_789, .bandwidth, false, "123.5 MB/s"),
        (2e18, .bandwidth, false, "2000 PB/s"),
        (32e3, .frequency, false, "32 kHz"), (1.755e9, .frequency, false, "1.755 GHz"), (1, .frequency, false, "1 Hz"),
        (1.5e-3, .time, false, "1.5 ms"), (250e-12, .time, false, "250 ps"), (2, .time, false, "2 s"),
        (3600, .time, false, "3600 s"), (0, .time, false, "0 s"),
        (1.2e15, .flopRate, false, "1.2 PFLOP/s"), (1.1e18, .flopRate, false, "1.1 EFLOP/s"),
        (360e9, .flopRate, false, "360 GFLOP/s"), (5e3, .flopRate, false, "5 kFLOP/s"),
        (2.5e-3, .energy, false, "2.5 mJ"), (3e-6, .energy, false, "3 uJ"), (80e-15, .energy, false, "80 fJ"),
        (0.5e-15, .energy, false, "0.5 fJ"), (1, .energy, false, "1 J"),
        (1e-3, .number, false, "0.001"), (-2, .number, false, "-2"), (1.25, .number, false, "1.25"),
        (0.1 + 0.2, .number, false, "0.3"), (3.14159, .number, false, "3.142"), (2048, .number, false, "2048"),
        (1.5e12, .number, false, "1500000000000"), (-0.0, .number, false, "0"), (1e-7, .number, false, "1e-07"),
    ] as [(Double, Dimension, Bool, String)])
    func formats(value: Double, dimension: Dimension, binary: Bool, expected: String) {
        #expect(Quantity.format(value, dimension, binary: binary) == expected)
    }

    /// Whatever `format` prints, `parse` reads back to within the 4 significant digits shown.
    @Test(arguments: Dimension.allCases)
    func formatParsesBack(dimension: Dimension) throws {
        for value in [1.0, 3.35e12, 429_496_729_600, 233_472, 1.83e9, 17.1645e-12, 4e-6, 0.125, 7.3e17] {
            for binary in [false, true] {
                let text = Quantity.format(value, dimension, binary: binary)
                let back = try Quantity.parse(text, as: dimension)
                #expect(abs(back - value) <= value * 5e-4, "\(text)")
            }
        }
    }

    // MARK: - Tables

    @Test func unitTablesHaveNoCrossDimensionClashes() {
        // "looks like a ..." relies on every symbol belonging to one dimension only.
        var owner: [String: Dimension] = [:]
        for dimension in Dimension.allCases {
            for unit in dimension.unitTable.keys {
                #expect(owner[unit] == nil, "\(unit) is in both \(owner[unit].map(\.rawValue) ?? "") and \(dimension)")
                owner[unit] = dimension
            }
        }
        #expect(Dimension.number.unitTable.isEmpty)
    }
}

@Suite struct NaturalFormatTests {
    /// Data sheets write 80 GB and 3.35 TB/s (decimal, NVIDIA) but 228 KiB and 400 GiB/s (binary, references.md
    /// [H100-3eyedtech], [FuseMax-artifact]); printing a value back picks the system that writes it exactly and
    /// shortest.
    @Test func picksThePrefixSystemOfTheSource() {
        #expect(Quantity.formatNatural(80e9, .bytes) == "80 GB")
        #expect(Quantity.formatNatural(228 * 1024, .bytes) == "228 KiB")
        #expect(Quantity.formatNatural(400 * 1_073_741_824, .bandwidth) == "400 GiB/s")
        #expect(Quantity.formatNatural(3.35e12, .bandwidth) == "3.35 TB/s")
    }

    @Test func countsWithPrefixes() {
        #expect(Quantity.formatCount(206_158_430_208, "FLOP") == "206.2 GFLOP")
        #expect(Quantity.formatCount(999, "") == "999")
        #expect(Quantity.formatCount(51_539_607_552, "") == "51.54 G")
    }
}
