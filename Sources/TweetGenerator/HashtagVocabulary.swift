/// About 20,000 hashtags, ordered by popularity rank (rank 0 is the most used).
///
/// Built deterministically (fixed seed) from a curated list of real-looking
/// tags, a few dozen non-ASCII ones and syllable-generated words. Tags are
/// distinct after `lowercased()`, so every case variant maps back to one tag.
struct HashtagVocabulary: Sendable {
    static let shared = HashtagVocabulary(size: 20_000)

    /// Base spelling of each tag as UTF-8.
    let tags: [[UInt8]]
    /// For non-ASCII tags: the base spelling plus those of its upper/lower/
    /// capitalized forms whose `lowercased()` equals the base's (so `STRASSE`
    /// is not a variant of `Straße`). Empty for ASCII tags.
    let nonASCIIVariants: [[[UInt8]]]

    var count: Int { tags.count }

    init(size: Int) {
        var seen = Set<String>()
        var ranked: [String] = []
        func add(_ tag: String) {
            if seen.insert(tag.lowercased()).inserted { ranked.append(tag) }
        }
        for tag in Self.curated { add(tag) }
        var random = SeededRandom(seed: 0x7A65_5EED_0000_2021)
        let target = size - Self.nonASCII.count
        while ranked.count < target { add(Self.generatedTag(&random)) }
        for (k, tag) in Self.nonASCII.enumerated() where seen.insert(tag.lowercased()).inserted {
            ranked.insert(tag, at: min(2 + k * (k + 1) / 2, ranked.count))
        }
        tags = ranked.map { Array($0.utf8) }
        nonASCIIVariants = ranked.map { tag in
            if tag.utf8.allSatisfy({ $0 < 0x80 }) { return [] }
            let key = tag.lowercased()
            var variants: [String] = [tag]
            let capitalized = tag.prefix(1).uppercased() + tag.dropFirst().lowercased()
            for candidate in [tag.uppercased(), tag.lowercased(), capitalized]
            where candidate.lowercased() == key && !variants.contains(candidate) {
                variants.append(candidate)
            }
            return variants.map { Array($0.utf8) }
        }
    }

    /// Appends the tag at `rank` in a random case variant (as-is, lower, UPPER,
    /// Capitalized or mIxEd) and returns the number of code points appended.
    func appendVariant(of rank: Int, to out: inout [UInt8], random: inout SeededRandom) -> Int {
        let variants = nonASCIIVariants[rank]
        if !variants.isEmpty {
            let pick = random.chance(0.5) ? 0 : random.below(variants.count)
            var codePoints = 0
            for b in variants[pick] {
                out.append(b)
                if b & 0xC0 != 0x80 { codePoints += 1 }
            }
            return codePoints
        }
        let tag = tags[rank]
        let style = random.below(100)
        for (i, b) in tag.enumerated() {
            let isLower = b >= 0x61 && b <= 0x7A
            let isUpper = b >= 0x41 && b <= 0x5A
            let upper: Bool
            switch style {
            case 0..<55: out.append(b); continue
            case 55..<75: upper = false
            case 75..<87: upper = true
            case 87..<94: upper = i == 0
            case 94..<97: upper = i & 1 == 1
            default: upper = random.chance(0.5)
            }
            if upper && isLower { out.append(b - 32) } else if !upper && isUpper { out.append(b + 32) } else { out.append(b) }
        }
        return tag.count
    }

    // MARK: - Generated tags

    private static let syllables = [
        "ka", "lo", "mi", "ra", "ten", "sol", "vex", "dor", "pa", "zen", "ri", "mo", "lu", "tor",
        "bel", "fi", "gan", "ho", "jin", "qua", "sta", "trix", "ve", "won", "xa", "yu", "zor", "an",
        "el", "is", "on", "ur", "bra", "cle", "dri", "fla", "glo", "pri", "sky", "sno", "nu", "tek",
    ]
    private static let suffixes = [
        "Day", "Life", "Fans", "TV", "Live", "News", "Club", "Gang", "Vibes", "2021", "Nation",
        "Official", "Army", "Talk", "Week", "Challenge", "Art", "Squad", "Time", "World",
    ]
    private static let prefixes = ["Team", "Save", "Free", "Justice4", "Vote", "I", "We", "Go", "Stop", "Love"]

    private static func syllableWord(_ random: inout SeededRandom, count: Int) -> String {
        var word = ""
        for _ in 0..<count { word += random.element(of: syllables) }
        return word
    }

    private static func capitalized(_ word: String) -> String {
        word.prefix(1).uppercased() + word.dropFirst()
    }

    private static func generatedTag(_ random: inout SeededRandom) -> String {
        let word = syllableWord(&random, count: random.int(in: 2...3))
        switch random.below(100) {
        case 0..<35: return capitalized(word)
        case 35..<60: return capitalized(word) + random.element(of: suffixes)
        case 60..<75: return word + String(random.int(in: 1...99))
        case 75..<85: return random.element(of: prefixes) + capitalized(word)
        case 85..<95: return word + "_" + syllableWord(&random, count: 2)
        default: return word.uppercased() + (random.chance(0.5) ? String(random.int(in: 1...30)) : "")
        }
    }

    // MARK: - Fixed tags

    private static let curated = [
        "NowPlaying", "BTS", "COVID19", "Swift", "Bitcoin", "HappyNewYear", "NFL", "Music", "Love",
        "Giveaway", "Anime", "NBA", "Crypto", "NFT", "Art", "Photography", "Travel", "Food", "Fitness",
        "News", "Breaking", "Vaccine", "Tokyo2020", "WorldCup", "PremierLeague", "ChampionsLeague",
        "Netflix", "Kpop", "Gaming", "Twitch", "Fortnite", "Minecraft", "NewYear", "HappyNewYear2021",
        "ThrowbackThursday", "TBT", "MondayMotivation", "FollowFriday", "FF", "StayHome", "WearAMask",
        "Python", "JavaScript", "AI", "MachineLearning", "DataScience", "100DaysOfCode", "iOS", "Apple",
        "Android", "Tesla", "SpaceX", "Climate", "Election2020", "BlackLivesMatter", "Ethereum", "Dogecoin",
        "Stocks", "Trading", "Business", "Marketing", "SEO", "Startup", "Bollywood", "IPL", "Cricket",
        "Football", "Soccer", "F1", "MotoGP", "Tennis", "Golf", "UFC", "WWE", "Oscars", "Grammys",
        "GameOfThrones", "StarWars", "Marvel", "DC", "Pokemon", "Nintendo", "PS5", "Xbox", "Steam",
        "Coffee", "Cats", "Dogs", "Nature", "Sunset", "Beach", "Weekend", "Friday", "Sunday", "Mood",
        "Quote", "Motivation", "Health", "Yoga", "Vegan", "Recipe", "Fashion", "Style", "Beauty",
        "Makeup", "Books", "Reading", "Writing", "Poetry", "Podcast", "YouTube", "TikTok", "Instagram",
        "Blessed", "Goals", "Family", "Wedding", "Birthday", "Christmas", "Halloween", "Thanksgiving",
        "Ramadan", "Eid", "Diwali", "LunarNewYear", "Valentines", "MothersDay", "PrideMonth", "Olympics",
    ]

    private static let nonASCII = [
        "東京", "拡散希望", "ポケモン", "相互フォロー", "おはようございます", "今日の一枚", "鬼滅の刃",
        "방탄소년단", "트와이스", "서울", "뉴스", "엑소",
        "ΟΔΟΣ", "ΣΟΦΙΑ", "Ελλάδα", "ΑΘΗΝΑ", "Κύπρος", "ΣΑΒΒΑΤΟ",
        "İstanbul", "Türkiye", "İzmir", "Güneş", "Çanakkale", "ŞAMPİYON", "Işık",
        "Straße", "Fußball", "Grüße", "Köln", "München",
        "Café", "AñoNuevo", "Ação", "Français", "Niño", "SãoPaulo", "Crème", "Noël", "Zürich",
        "Москва", "Россия", "新年快乐", "رمضان",
    ]
}
