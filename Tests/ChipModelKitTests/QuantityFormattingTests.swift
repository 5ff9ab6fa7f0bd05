import Testing
@testable import ChipModelKit

/// Numbers for people: below 0.001 four significant digits with an exponent, never Swift's
/// full-precision description ("3.101349285111993e-05").
@Suite struct QuantityFormattingTests {
    @Test func smallValuesGetFourSignificantDigits() {
        #expect(formatQuantity(3.101349285111993e-05) == "3.101e-05")
        #expect(formatQuantity(-2.5e-7) == "-2.5e-07")
        #expect(formatQuantity(9.99996e-4) == "1e-03")
        #expect(formatQuantity(1e-12) == "1e-12")
        #expect(formatQuantity(0.0012345) == "0.0012")
    }
}
