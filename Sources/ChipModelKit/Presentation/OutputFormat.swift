import Foundation

/// The three output formats every command accepts.
public enum OutputFormat: String, Sendable, CaseIterable {
    case table, json, csv
}
