/// Parses the timestamps of Twitter API v2 (`2021-04-01T15:52:31.000Z`) into epoch milliseconds.
///
/// Accepted: `YYYY-MM-DDTHH:MM:SS`, an optional fraction (milliseconds kept, further digits
/// dropped), then `Z` or `±HH:MM`. The date must exist (years 1–9999); anything else is nil.
enum ISO8601Timestamp {
    static func milliseconds(_ text: some Collection<UInt8>) -> Int64? {
        let b = Array(text)
        guard b.count >= 20, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"),
              b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
              let year = number(b, 0, 4), let month = number(b, 5, 2), let day = number(b, 8, 2),
              let hour = number(b, 11, 2), let minute = number(b, 14, 2), let second = number(b, 17, 2)
        else { return nil }
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour <= 23, minute <= 59, second <= 59 else { return nil }
        var i = 19
        var millis: Int64 = 0
        if b[i] == UInt8(ascii: ".") {
            i += 1
            let digitsStart = i
            while i < b.count, b[i] &- UInt8(ascii: "0") < 10 {
                if i - digitsStart < 3 { millis = millis * 10 + Int64(b[i] - UInt8(ascii: "0")) }
                i += 1
            }
            let digits = i - digitsStart
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 3) { millis *= 10 }
        }
        guard i < b.count, let offset = offsetMinutes(b, from: i) else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = ((days * 24 + hour) * 60 + minute) * 60 + second - offset * 60
        return seconds * 1000 + millis
    }

    private static func offsetMinutes(_ b: [UInt8], from i: Int) -> Int64? {
        if b[i] == UInt8(ascii: "Z") { return i + 1 == b.count ? 0 : nil }
        guard b.count == i + 6, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-"), b[i + 3] == UInt8(ascii: ":"),
              let hours = number(b, i + 1, 2), let minutes = number(b, i + 4, 2), hours <= 23, minutes <= 59 else { return nil }
        let total = hours * 60 + minutes
        return b[i] == UInt8(ascii: "-") ? -total : total
    }

    private static func number(_ b: [UInt8], _ start: Int, _ length: Int) -> Int64? {
        var value: Int64 = 0
        for i in start..<(start + length) {
            let digit = b[i] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value * 10 + Int64(digit)
        }
        return value
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
