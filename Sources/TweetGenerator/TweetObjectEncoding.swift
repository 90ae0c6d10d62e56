/// JSON encoding of v1.1 status objects, fields in the streaming API's order.
extension TweetLogRenderer {
    private static let quote = UInt8(ascii: "\"")
    private static let comma = UInt8(ascii: ",")

    /// Writes a status object. `nested` is the text of the retweeted or quoted
    /// status; only top-level objects carry `timestamp_ms` (last, as in the stream).
    mutating func writeStatus(
        _ header: StatusHeader, text: ComposedTweetText, display: DisplayText,
        retweeted: StatusHeader? = nil, quoted: StatusHeader? = nil,
        nested: ComposedTweetText, topLevel: Bool
    ) {
        let escapes = header.unicodeEscapes
        out.raw("{\"created_at\":")
        out.twitterDate(epochMilliseconds: header.timeMs)
        out.raw(",\"id\":")
        out.int(header.id)
        out.raw(",\"id_str\":")
        out.quotedInt(header.id)
        out.raw(",\"text\":")
        writeText(text, display, escapes: escapes)
        if !compact {
            out.raw(",\"source\":")
            out.raw(TweetSources.encoded[header.source])
        }
        out.raw(display.statusLink != nil ? ",\"truncated\":true" : ",\"truncated\":false")
        if compact {
            out.raw(",\"user\":")
            out.raw(users.users[header.user].compactJSON)
        } else {
            out.raw(",\"in_reply_to_status_id\":null,\"in_reply_to_status_id_str\":null,\"in_reply_to_user_id\":null,\"in_reply_to_user_id_str\":null,\"in_reply_to_screen_name\":null,\"user\":")
            out.raw(users.users[header.user].json)
            out.raw(",\"geo\":null,\"coordinates\":null,\"place\":null,\"contributors\":null")
        }
        if let original = retweeted {
            out.raw(",\"retweeted_status\":")
            writeStatus(original, text: nested, display: ownDisplay(nested, id: original.id), nested: nested, topLevel: false)
        }
        if let quoted {
            out.raw(",\"quoted_status_id\":")
            out.int(quoted.id)
            out.raw(",\"quoted_status_id_str\":")
            out.quotedInt(quoted.id)
            out.raw(",\"quoted_status\":")
            writeStatus(quoted, text: nested, display: ownDisplay(nested, id: quoted.id), nested: nested, topLevel: false)
            out.raw(",\"quoted_status_permalink\":{\"url\":\"https:\\/\\/t.co\\/")
            TweetShortLinks.appendCode(of: quoted.id, length: TweetShortLinks.tcoCodeLength, salt: 1, to: &out.bytes)
            out.raw("\",\"expanded\":\"https:\\/\\/")
            writeStatusPath(quoted.id, user: quoted.user)
            out.raw("\",\"display\":\"")
            writeStatusPath(quoted.id, user: quoted.user)
            out.raw("\"},\"is_quote_status\":true")
        } else {
            out.raw(",\"is_quote_status\":false")
        }
        if display.statusLink != nil {
            let whole = DisplayText(cut: text.end)
            out.raw(",\"extended_tweet\":{\"full_text\":")
            writeText(text, whole, escapes: escapes)
            out.raw(",\"display_text_range\":[0,")
            out.int(text.codePoints)
            out.raw("],\"entities\":")
            writeEntities(text, whole, escapes: escapes)
            out.byte(UInt8(ascii: "}"))
        }
        if topLevel {
            if !compact { out.raw(",\"quote_count\":0,\"reply_count\":0,\"retweet_count\":0,\"favorite_count\":0") }
        } else {
            // Drawn in compact logs too, so that both kinds of log hold the same tweets.
            let counts = [random.below(1 << random.below(8)), random.below(1 << random.below(10)),
                          1 + random.below(1 << random.below(16)), random.below(1 << random.below(18))]
            if !compact {
                let names: [StaticString] = [",\"quote_count\":", ",\"reply_count\":", ",\"retweet_count\":", ",\"favorite_count\":"]
                for (name, count) in zip(names, counts) {
                    out.raw(name)
                    out.int(count)
                }
            }
        }
        out.raw(",\"entities\":")
        writeEntities(text, display, escapes: escapes)
        if !compact {
            out.raw(",\"favorited\":false,\"retweeted\":false")
            if display.statusLink != nil || text.urls.contains(where: { $0.end <= display.cut.codePoints }) {
                out.raw(",\"possibly_sensitive\":false")
            }
            out.raw(",\"filter_level\":\"low\"")
        }
        out.raw(",\"lang\":")
        out.string(TweetLanguages.all[header.language].code, unicodeEscapes: false)
        if topLevel {
            out.raw(",\"timestamp_ms\":")
            out.quotedInt(header.timeMs)
        }
        out.byte(UInt8(ascii: "}"))
    }

    private mutating func writeText(_ text: ComposedTweetText, _ display: DisplayText, escapes: Bool) {
        out.byte(Self.quote)
        if let user = display.retweetedUser {
            out.raw("RT @")
            out.raw(users.users[user].screenName)
            out.raw(": ")
        }
        out.escaped(text.utf8[0..<display.cut.bytes], unicodeEscapes: escapes)
        if display.ellipsis { writeEllipsis(escapes: escapes) }
        if let id = display.statusLink {
            out.raw(" https:\\/\\/t.co\\/")
            TweetShortLinks.appendCode(of: id, length: TweetShortLinks.tcoCodeLength, salt: 1, to: &out.bytes)
        }
        out.byte(Self.quote)
    }

    private mutating func writeEllipsis(escapes: Bool) {
        if escapes { out.raw("\\u2026") } else { out.raw("…") }
    }

    private mutating func writeEntities(_ text: ComposedTweetText, _ display: DisplayText, escapes: Bool) {
        let shift = display.retweetedUser.map { 6 + users.users[$0].screenName.count } ?? 0
        let limit = display.cut.codePoints
        out.raw("{\"hashtags\":[")
        var first = true
        for tag in text.hashtags where tag.end <= limit {
            if !first { out.byte(Self.comma) }
            first = false
            out.raw("{\"text\":")
            out.string(text.utf8[tag.byteStart..<tag.byteEnd], unicodeEscapes: escapes)
            writeIndices(tag.start + shift, tag.end + shift)
        }
        out.raw("],\"urls\":[")
        first = true
        for url in text.urls where url.end <= limit {
            if !first { out.byte(Self.comma) }
            first = false
            writeURLEntity(url, shift: shift)
        }
        if let id = display.statusLink {
            if !first { out.byte(Self.comma) }
            out.raw("{\"url\":\"https:\\/\\/t.co\\/")
            TweetShortLinks.appendCode(of: id, length: TweetShortLinks.tcoCodeLength, salt: 1, to: &out.bytes)
            out.raw("\",\"expanded_url\":\"https:\\/\\/twitter.com\\/i\\/web\\/status\\/")
            out.int(id)
            out.raw("\",\"display_url\":\"twitter.com\\/i\\/web\\/status\\/")
            var leading = id
            while leading >= 10 { leading /= 10 }
            out.int(leading)
            writeEllipsis(escapes: escapes)
            out.byte(Self.quote)
            writeIndices(limit + 2, limit + 2 + TweetShortLinks.tcoCodePoints)
        }
        out.raw("],\"user_mentions\":[")
        first = true
        if let user = display.retweetedUser {
            writeMention(user, start: 3, end: 4 + users.users[user].screenName.count, escapes: escapes)
            first = false
        }
        for mention in text.mentions where mention.end <= limit {
            if !first { out.byte(Self.comma) }
            first = false
            writeMention(mention.user, start: mention.start + shift, end: mention.end + shift, escapes: escapes)
        }
        out.raw("],\"symbols\":[]}")
    }

    /// Writes `,"indices":[start,end]}` closing an entity object.
    private mutating func writeIndices(_ start: Int, _ end: Int) {
        out.raw(",\"indices\":[")
        out.int(start)
        out.byte(Self.comma)
        out.int(end)
        out.raw("]}")
    }

    private mutating func writeMention(_ user: Int, start: Int, end: Int, escapes: Bool) {
        let account = users.users[user]
        out.raw("{\"screen_name\":")
        out.string(account.screenName, unicodeEscapes: false)
        out.raw(",\"name\":")
        out.string(account.name, unicodeEscapes: escapes)
        out.raw(",\"id\":")
        out.int(account.id)
        out.raw(",\"id_str\":")
        out.quotedInt(account.id)
        writeIndices(start, end)
    }

    private mutating func writeURLEntity(_ url: TweetTextEntity, shift: Int) {
        out.raw("{\"url\":\"https:\\/\\/t.co\\/")
        TweetShortLinks.appendCode(of: url.link, length: TweetShortLinks.tcoCodeLength, salt: 1, to: &out.bytes)
        out.raw("\",\"expanded_url\":\"https:\\/\\/")
        writeLinkTarget(url)
        out.raw("\",\"display_url\":\"")
        writeLinkTarget(url)
        out.byte(Self.quote)
        writeIndices(url.start + shift, url.end + shift)
    }

    /// The link target without scheme, escaped, e.g. `github.com\/apple\/Ab3x9QzT`.
    private mutating func writeLinkTarget(_ url: TweetTextEntity) {
        if url.isStatusLink {
            writeStatusPath(url.link, user: url.user)
            return
        }
        let sites = TweetShortLinks.externalSites
        let site = sites[Int(UInt64(bitPattern: url.link) % UInt64(sites.count))]
        out.escaped(site[...], unicodeEscapes: false)
        out.raw("\\/")
        TweetShortLinks.appendCode(of: url.link, length: 8, salt: 2, to: &out.bytes)
    }

    /// `twitter.com\/screen_name\/status\/id`
    private mutating func writeStatusPath(_ id: Int64, user: Int) {
        out.raw("twitter.com\\/")
        out.raw(users.users[user].screenName)
        out.raw("\\/status\\/")
        out.int(id)
    }
}
