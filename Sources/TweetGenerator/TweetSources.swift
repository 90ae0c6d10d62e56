/// The `source` values (client HTML anchors), pre-encoded as JSON strings
/// with escaped `\"` and `\/` exactly like the streaming API.
enum TweetSources {
    private static let clients: [(name: String, url: String, weight: Int)] = [
        ("Twitter for iPhone", "http://twitter.com/download/iphone", 34),
        ("Twitter for Android", "http://twitter.com/download/android", 33),
        ("Twitter Web App", "https://mobile.twitter.com", 20),
        ("Twitter for iPad", "http://twitter.com/#!/download/ipad", 4),
        ("TweetDeck", "https://about.twitter.com/products/tweetdeck", 4),
        ("Instagram", "http://instagram.com", 2),
        ("IFTTT", "https://ifttt.com", 2),
        ("Buffer", "https://buffer.com", 1),
    ]
    private static let totalWeight = clients.reduce(0) { $0 + $1.weight }

    static let encoded: [[UInt8]] = clients.map { client in
        var json = TweetJSONWriter()
        json.string(Array("<a href=\"\(client.url)\" rel=\"nofollow\">\(client.name)</a>".utf8), unicodeEscapes: false)
        return json.bytes
    }

    static func pick(_ random: inout SeededRandom) -> Int {
        var r = random.below(totalWeight)
        for (index, client) in clients.enumerated() {
            if r < client.weight { return index }
            r -= client.weight
        }
        return 0
    }
}
