/// Builds tweet texts from words, Zipf-distributed hashtags in random case,
/// mentions, emoji and t.co links, recording Twitter-style entities.
struct TweetTextComposer: Sendable {
    enum TrailingLink {
        case none
        case external(Int64)
        case quote(statusID: Int64, user: Int)
    }

    struct Request {
        var language: Int
        var maxCodePoints: Int
        var targetCodePoints: Int
        var mentionedUser: Int?
        var trailingLink: TrailingLink
        var trendingTag: Int?
    }

    let vocabulary: HashtagVocabulary
    let tagPopularity: ZipfSampler
    let users: TweetUserPool

    init(vocabulary: HashtagVocabulary, users: TweetUserPool) {
        self.vocabulary = vocabulary
        self.tagPopularity = ZipfSampler(count: vocabulary.count, exponentEighths: 9)  // s = 1.125
        self.users = users
    }

    /// 0–4 tags, most tweets 0 or 1; during a burst the trending tag is often included.
    private func planTags(trendingTag: Int?, random: inout SeededRandom) -> [(rank: Int, position: Double)] {
        let roll = random.below(100)
        var count = roll < 55 ? 0 : roll < 82 ? 1 : roll < 93 ? 2 : roll < 98 ? 3 : 4
        let trending = trendingTag != nil && random.chance(0.15)
        if trending && count == 0 { count = 1 }
        var plan: [(rank: Int, position: Double)] = []
        for i in 0..<count {
            let rank = trending && i == 0 ? trendingTag! : tagPopularity.sample(&random)
            let position = random.chance(0.45) ? 1.0 : random.unit()
            var j = plan.count
            plan.append((rank, position))
            while j > 0 && plan[j - 1].position > position {
                plan.swapAt(j, j - 1)
                j -= 1
            }
        }
        return plan
    }

    func compose(into text: inout ComposedTweetText, _ request: Request, random: inout SeededRandom) {
        text.reset()
        let language = TweetLanguages.all[request.language]
        var limit = request.maxCodePoints
        if case .none = request.trailingLink {} else { limit -= TweetShortLinks.tcoCodePoints + 1 }

        if let user = request.mentionedUser { appendMention(of: user, to: &text) }
        let tags = planTags(trendingTag: request.trendingTag, random: &random)
        let wordBudget = max(request.targetCodePoints - tags.count * 10, 0)
        var nextTag = 0
        while true {
            while nextTag < tags.count && tags[nextTag].position * Double(wordBudget) <= Double(text.codePoints) {
                appendHashtag(tags[nextTag].rank, to: &text, limit: limit, random: &random)
                nextTag += 1
            }
            if text.codePoints >= wordBudget { break }
            let isEmoji = random.chance(0.06)
            let pool = isEmoji ? TweetLanguages.emoji : language
            let word = random.below(pool.words.count)
            if text.codePoints + 1 + pool.wordCodePoints[word] > limit { break }
            appendSeparator(to: &text, random: &random)
            text.append(pool.words[word])
            text.markCutPoint()
        }
        while nextTag < tags.count {
            appendHashtag(tags[nextTag].rank, to: &text, limit: limit, random: &random)
            nextTag += 1
        }
        switch request.trailingLink {
        case .none: break
        case .external(let link): appendLink(link, user: -1, isStatus: false, to: &text)
        case .quote(let statusID, let user): appendLink(statusID, user: user, isStatus: true, to: &text)
        }
    }

    private func appendSeparator(to text: inout ComposedTweetText, random: inout SeededRandom) {
        guard !text.utf8.isEmpty else { return }
        text.appendASCII(random.chance(0.04) ? 0x0A : 0x20)
    }

    private func appendMention(of user: Int, to text: inout ComposedTweetText) {
        let start = text.end
        text.appendASCII(UInt8(ascii: "@"))
        text.append(users.users[user].screenName)
        text.mentions.append(TweetTextEntity(
            start: start.codePoints, end: text.codePoints,
            byteStart: start.bytes + 1, byteEnd: text.utf8.count, user: user))
        text.markCutPoint()
    }

    private func appendHashtag(_ rank: Int, to text: inout ComposedTweetText, limit: Int, random: inout SeededRandom) {
        let before = text.end
        appendSeparator(to: &text, random: &random)
        let start = text.end
        text.utf8.append(UInt8(ascii: "#"))
        let tagCodePoints = vocabulary.appendVariant(of: rank, to: &text.utf8, random: &random)
        text.codePoints += 1 + tagCodePoints
        if text.codePoints > limit {
            text.rollBack(to: before)
            return
        }
        text.hashtags.append(TweetTextEntity(
            start: start.codePoints, end: text.codePoints,
            byteStart: start.bytes + 1, byteEnd: text.utf8.count))
        text.markCutPoint()
    }

    private func appendLink(_ link: Int64, user: Int, isStatus: Bool, to text: inout ComposedTweetText) {
        if !text.utf8.isEmpty { text.appendASCII(0x20) }
        let start = text.end
        TweetShortLinks.appendTco(of: link, to: &text.utf8)
        text.codePoints += TweetShortLinks.tcoCodePoints
        text.urls.append(TweetTextEntity(
            start: start.codePoints, end: text.codePoints,
            byteStart: start.bytes, byteEnd: text.utf8.count,
            user: user, link: link, isStatusLink: isStatus))
        text.markCutPoint()
    }
}
