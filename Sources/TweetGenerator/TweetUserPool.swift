/// A tweeting account with its `user` object pre-rendered as JSON.
struct SyntheticTweetUser: Sendable {
    let id: Int64
    let screenName: [UInt8]
    /// Display name as raw UTF-8 (escaped when written into mentions).
    let name: [UInt8]
    /// The complete `{"id":…,"default_profile":…}` user object.
    let json: [UInt8]
    /// The user object of compact logs: id, name, screen name, followers.
    let compactJSON: [UInt8]
}

/// A fixed population of synthetic users; a few post much more than others.
struct TweetUserPool: Sendable {
    let users: [SyntheticTweetUser]
    private let activity: ZipfSampler

    init(count: Int, random: inout SeededRandom) {
        var takenScreenNames = Set<[UInt8]>()
        var users: [SyntheticTweetUser] = []
        users.reserveCapacity(count)
        while users.count < count {
            let screenName = Self.screenName(&random)
            guard takenScreenNames.insert(screenName).inserted else { continue }
            users.append(Self.makeUser(screenName: screenName, random: &random))
        }
        self.users = users
        activity = ZipfSampler(count: count, exponentEighths: 4)
    }

    func sample(_ random: inout SeededRandom) -> Int {
        activity.sample(&random)
    }

    // MARK: - Generation

    private static let nameParts = [
        "Alex", "Sam", "Maria", "John", "Emma", "Liam", "Olivia", "Noah", "Ava", "Lucas", "Mia",
        "Ethan", "Sofia", "Mateo", "Yuki", "Hana", "Jin", "Min-ji", "Elif", "Mehmet", "Νίκος",
        "Σοφία", "Jürgen", "Zoë", "José", "François", "Ayşe", "İbrahim", "さくら", "田中 太郎", "김민준",
        "Smith", "García", "Müller", "Yılmaz", "Kim", "Silva", "O'Brien", "Nguyễn", "Παπαδόπουλος",
    ]
    private static let nameDecorations = [
        " 🌸", " ✨", " 🇧🇷", " (she/her)", " \"the real one\"", " \\(^o^)/", " {BTS}", " 💜", " | News",
    ]
    private static let locations = [
        "London, England", "東京都 渋谷区", "İstanbul, Türkiye", "São Paulo, Brasil", "Los Angeles, CA",
        "Αθήνα, Ελλάδα", "서울", "Berlin/Köln", "Earth 🌍", "she/her", "NYC", "Lagos, Nigeria",
        "Paris, France", "Madrid", "México", "Toronto, Ontario", "Mumbai, India", "🇯🇵", "in my head",
        "\"somewhere\"", "Straße 1, München",
    ]
    private static let nameSyllables = [
        "al", "ex", "jo", "ki", "mar", "ne", "ro", "sa", "ti", "vi", "yu", "zo", "bo", "da", "li",
        "mo", "pe", "ri", "su", "ta", "the", "real", "its", "official", "x", "xx",
    ]

    private static func screenName(_ random: inout SeededRandom) -> [UInt8] {
        var name: [UInt8] = []
        while name.count < 4 || (name.count < 12 && random.chance(0.5)) {
            name += random.element(of: nameSyllables).utf8
            if random.chance(0.15) { name.append(UInt8(ascii: "_")) }
        }
        if random.chance(0.3) {
            for _ in 0..<random.int(in: 1...3) { name.append(UInt8(48 + random.below(10))) }
        }
        if random.chance(0.2), name[0] >= 0x61 { name[0] -= 32 }
        return Array(name.prefix(15))
    }

    private static func displayName(_ random: inout SeededRandom) -> [UInt8] {
        var name = Array(random.element(of: nameParts).utf8)
        if random.chance(0.6) {
            name.append(UInt8(ascii: " "))
            name += random.element(of: nameParts).utf8
        }
        if random.chance(0.15) { name += random.element(of: nameDecorations).utf8 }
        return name
    }

    private static func description(_ random: inout SeededRandom) -> [UInt8] {
        let language = TweetLanguages.all[TweetLanguages.pick(&random)]
        var text: [UInt8] = []
        for i in 0..<random.int(in: 1...8) {
            if i > 0 { text.append(UInt8(ascii: " ")) }
            text += random.chance(0.1) ? random.element(of: TweetLanguages.emoji.words) : random.element(of: language.words)
        }
        if random.chance(0.1) {
            text += " | IG: @".utf8
            text += random.element(of: nameSyllables).utf8
        }
        if random.chance(0.05) { text += "\nlinks ↓ https://linktr.ee/me".utf8 }
        return text
    }

    /// Roughly log-uniform count below 2^maxBits.
    private static func count(_ random: inout SeededRandom, maxBits: Int) -> Int64 {
        Int64(random.below(1 << random.below(maxBits)))
    }

    private static func makeUser(screenName: [UInt8], random: inout SeededRandom) -> SyntheticTweetUser {
        let id: Int64 = random.chance(0.5)
            ? Int64(random.int(in: 10_000_000...4_000_000_000))
            : Int64(random.int(in: 700_000_000_000_000_000...1_340_000_000_000_000_000))
        let name = displayName(&random)
        let escapes = random.chance(0.5)
        let verified = random.chance(0.01)
        var json = TweetJSONWriter()
        json.raw("{\"id\":")
        json.int(id)
        json.raw(",\"id_str\":")
        json.quotedInt(id)
        json.raw(",\"name\":")
        json.string(name, unicodeEscapes: escapes)
        json.raw(",\"screen_name\":")
        json.string(screenName, unicodeEscapes: false)
        json.raw(",\"location\":")
        if random.chance(0.4) {
            json.raw("null")
        } else {
            json.string(Array(random.element(of: locations).utf8), unicodeEscapes: escapes)
        }
        json.raw(",\"url\":null,\"description\":")
        if random.chance(0.3) {
            json.raw("null")
        } else {
            json.string(description(&random), unicodeEscapes: escapes)
        }
        json.raw(",\"protected\":false,\"verified\":")
        json.raw(verified ? "true" : "false")
        json.raw(",\"followers_count\":")
        json.int(count(&random, maxBits: verified ? 25 : 20))
        json.raw(",\"friends_count\":")
        json.int(count(&random, maxBits: 14))
        json.raw(",\"listed_count\":")
        json.int(count(&random, maxBits: 10))
        json.raw(",\"favourites_count\":")
        json.int(count(&random, maxBits: 18))
        json.raw(",\"statuses_count\":")
        json.int(count(&random, maxBits: 19) + 1)
        json.raw(",\"created_at\":")
        json.twitterDate(epochMilliseconds: Int64(random.int(in: 1_167_609_600_000...1_606_780_800_000)))
        json.raw(",\"profile_image_url_https\":\"https:\\/\\/pbs.twimg.com\\/profile_images\\/")
        json.int(Int64(random.int(in: 100_000_000_000_000_000...1_344_000_000_000_000_000)))
        json.raw("\\/")
        TweetShortLinks.appendCode(of: id, length: 8, salt: 7, to: &json.bytes)
        json.raw("_normal.jpg\",\"default_profile\":")
        json.raw(random.chance(0.6) ? "true" : "false")
        json.raw("}")
        let compactEnd = json.bytes.firstRange(of: Array(",\"location\":".utf8))!.lowerBound
        let followers = json.bytes.firstRange(of: Array(",\"followers_count\":".utf8))!.lowerBound
        let followersEnd = json.bytes[followers...].firstRange(of: Array(",\"friends_count\":".utf8))!.lowerBound
        let compactJSON = Array(json.bytes[..<compactEnd]) + Array(json.bytes[followers..<followersEnd]) + Array("}".utf8)
        return SyntheticTweetUser(id: id, screenName: screenName, name: name, json: json.bytes, compactJSON: compactJSON)
    }
}
