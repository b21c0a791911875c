import JSON
import Testing

@testable import WorkloadEmulator

@Suite struct TimestampTests {
    @Test func formatsMilliseconds() {
        #expect(Timestamp.format(0) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.format(ManualClock.defaultStart) == "2026-01-01T00:00:00.000Z")
        #expect(Timestamp.format(1_795_341_600_123) == "2026-11-22T10:00:00.123Z")
        #expect(Timestamp.format(951_782_400_000) == "2000-02-29T00:00:00.000Z")
        #expect(Timestamp.format(-1) == "1969-12-31T23:59:59.999Z")
    }

    @Test func parsesWhatItFormatsAndOffsets() {
        for ms: Int64 in [0, 1, 951_782_400_000, 1_795_341_600_123, 4_102_444_799_999, -86_400_001] {
            #expect(Timestamp.parse(Timestamp.format(ms)) == ms)
        }
        #expect(Timestamp.parse("2026-11-22T10:00:00Z") == 1_795_341_600_000)
        #expect(Timestamp.parse("2026-11-22T12:00:00.5+02:00") == 1_795_341_600_500)
        #expect(Timestamp.parse("2026-11-22T10:00:00.123456Z") == 1_795_341_600_123)
    }

    @Test(arguments: [
        "", "2026-11-22", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-22T24:00:00Z", "2026-11-22T10:00:00",
        "2026-11-22T10:00:00.Z", "x026-11-22T10:00:00Z", "2026-11-22T10:00:00Zjunk",
    ])
    func rejectsInvalid(_ text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test func civilRoundTripOverFourCenturies() {
        var day: Int64 = -146_097
        while day < 146_097 * 2 {
            let (y, m, d) = Timestamp.civil(fromDays: day)
            #expect(Timestamp.daysFromCivil(y, m, d) == day)
            day += 37
        }
    }
}
