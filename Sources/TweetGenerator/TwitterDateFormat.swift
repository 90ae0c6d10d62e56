extension TweetJSONWriter {
    private static let weekdays: [StaticString] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
    private static let months: [StaticString] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]

    /// Appends a quoted `created_at` value such as `"Fri Jan 01 07:29:00 +0000 2021"`
    /// for the second containing `epochMilliseconds` (UTC, integer arithmetic only).
    mutating func twitterDate(epochMilliseconds: Int64) {
        let seconds = epochMilliseconds >= 0 ? epochMilliseconds / 1000 : (epochMilliseconds - 999) / 1000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400

        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        let weekday = Int(((days % 7) + 7) % 7)  // 1970-01-01 was a Thursday

        byte(UInt8(ascii: "\""))
        raw(Self.weekdays[weekday])
        byte(UInt8(ascii: " "))
        raw(Self.months[Int(month) - 1])
        byte(UInt8(ascii: " "))
        twoDigits(day)
        byte(UInt8(ascii: " "))
        twoDigits(secondOfDay / 3600)
        byte(UInt8(ascii: ":"))
        twoDigits(secondOfDay / 60 % 60)
        byte(UInt8(ascii: ":"))
        twoDigits(secondOfDay % 60)
        raw(" +0000 ")
        int(year)
        byte(UInt8(ascii: "\""))
    }

    private mutating func twoDigits(_ value: Int64) {
        byte(UInt8(truncatingIfNeeded: value / 10) &+ 48)
        byte(UInt8(truncatingIfNeeded: value % 10) &+ 48)
    }
}
