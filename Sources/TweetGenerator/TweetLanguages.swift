/// Word lists per tweet language, as raw UTF-8 with code point counts.
///
/// Some words deliberately contain characters that need JSON escaping
/// (quotes, backslashes, slashes, braces) or non-ASCII text.
struct TweetLanguage: Sendable {
    let code: [UInt8]
    let words: [[UInt8]]
    let wordCodePoints: [Int]

    init(_ code: String, _ words: [String]) {
        self.code = Array(code.utf8)
        self.words = words.map { Array($0.utf8) }
        self.wordCodePoints = words.map { $0.unicodeScalars.count }
    }
}

enum TweetLanguages {
    static let all: [TweetLanguage] = [
        TweetLanguage("en", [
            "the", "a", "I", "you", "is", "it's", "so", "this", "that", "and", "to", "of", "in", "for",
            "my", "me", "just", "not", "be", "on", "with", "what", "all", "have", "love", "get", "like",
            "can't", "don't", "know", "we", "they", "today", "new", "good", "people", "time", "really",
            "lol", "omg", "thank", "please", "game", "best", "day", "night", "vote", "watch", "live",
            "now", "need", "happy", "year", "first", "last", "never", "always", "thread", "check", "out",
            "\"literally\"", "\"fine\"", "and/or", "24/7", "w/", "50/50", "{thread}", "{1/3}", "\\o/",
            "¯\\_(ツ)_/¯", "C:\\Users", "café", "naïve", "—", "“wow”", "it’s", "3.5%", "$20", "&amp;",
            "&gt;", "via", "RT", "tbh", "idk", "fr", "ngl", "wait", "what?!", "(again)", "yes!!",
        ]),
        TweetLanguage("ja", [
            "今日は", "ありがとう", "本当に", "楽しかった", "おはよう", "お疲れ様です", "かわいい", "すごい",
            "明日", "ライブ", "最高", "です", "ます", "！", "？", "w", "草", "【拡散希望】", "「まじか」",
            "東京", "新年", "あけおめ", "ことよろ", "フォロー", "よろしく", "お願いします", "…", "〜",
        ]),
        TweetLanguage("es", [
            "hola", "feliz", "año", "nuevo", "que", "de", "la", "el", "por", "qué", "más", "mañana",
            "gracias", "amigo", "mi", "corazón", "vamos", "¡Sí!", "¿Cómo", "estás?", "jajaja", "niño",
        ]),
        TweetLanguage("pt", [
            "bom", "dia", "obrigado", "não", "você", "ação", "coração", "feliz", "ano", "novo", "que",
            "muito", "amor", "São", "Paulo", "kkkkk", "mãe", "irmã", "é", "até",
        ]),
        TweetLanguage("ko", [
            "안녕하세요", "사랑해", "오늘", "진짜", "감사합니다", "새해", "복", "많이", "받으세요", "ㅋㅋㅋ",
            "너무", "좋아", "방탄", "콘서트", "최고",
        ]),
        TweetLanguage("tr", [
            "merhaba", "günaydın", "İstanbul", "çok", "güzel", "teşekkürler", "yeni", "yıl", "kutlu",
            "olsun", "şimdi", "ılık", "İYİ", "akşamlar", "ve", "bir", "ğ",
        ]),
        TweetLanguage("el", [
            "καλημέρα", "ΟΔΟΣ", "Σοφία", "ευχαριστώ", "καλή", "χρονιά", "ΣΗΜΕΡΑ", "και", "το", "πολύ",
            "ωραίος", "Αθήνα", "ΣΣ",
        ]),
        TweetLanguage("de", [
            "Guten", "Morgen", "Straße", "groß", "Grüße", "aus", "Köln", "und", "ich", "bin", "müde",
            "heute", "Fußball", "schön", "Frohes", "neues", "Jahr", "für", "Spaß",
        ]),
        TweetLanguage("fr", [
            "bonjour", "merci", "très", "café", "crème", "à", "Noël", "c'est", "génial", "bonne",
            "année", "l'été", "où", "ça", "va",
        ]),
        TweetLanguage("und", ["😂", "❤️", "🔥", "🙏", "😭", "✨", "👍", "🎉", "😍", "🥺", "💯", "👀"]),
    ]

    /// Relative frequencies matching `all`, roughly like the sample stream.
    private static let weights = [50, 15, 9, 6, 4, 4, 2, 3, 3, 4]
    private static let totalWeight = weights.reduce(0, +)

    static func pick(_ random: inout SeededRandom) -> Int {
        var r = random.below(totalWeight)
        for (index, weight) in weights.enumerated() {
            if r < weight { return index }
            r -= weight
        }
        return 0
    }

    /// Emoji sprinkled into any language (several outside the BMP → surrogate pairs).
    static let emoji = TweetLanguage("", [
        "😂", "❤️", "🔥", "🙏", "😭", "✨", "👍", "🎉", "😍", "🥺", "💯", "👀", "🤔", "♥", "☀️", "🇯🇵",
    ])
}
