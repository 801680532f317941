public enum AttnSimVersion { public static let string = "0.1.0" }
