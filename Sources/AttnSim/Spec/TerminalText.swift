extension String {
    /// The text with control characters (C0 but newline and tab, DEL, C1) written as Swift escapes (`\u{1B}`), so a
    /// name from a file cannot move the cursor, recolour or clear the terminal it is printed on. Used where text
    /// meets the terminal: tables (`TextTable`) and error lines.
    public var escapingControlCharacters: String {
        guard unicodeScalars.contains(where: \.isTerminalControl) else { return self }
        var result = ""
        for scalar in unicodeScalars {
            if scalar.isTerminalControl {
                result += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}

extension Unicode.Scalar {
    var isTerminalControl: Bool {
        (value < 0x20 && value != 0x0A && value != 0x09) || (0x7F...0x9F).contains(value)
    }
}
