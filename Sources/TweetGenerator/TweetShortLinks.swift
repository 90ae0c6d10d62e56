/// Deterministic t.co-style link codes and link targets derived from a number.
enum TweetShortLinks {
    static let tcoPrefix = Array("https://t.co/".utf8)
    static let tcoCodeLength = 10
    /// Code points of a full `https://t.co/XXXXXXXXXX` link.
    static let tcoCodePoints = 23

    private static let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)

    static let externalSites: [[UInt8]] = [
        "youtu.be", "www.instagram.com/p", "bit.ly", "www.nytimes.com/2021/01/01/world",
        "github.com/apple", "open.spotify.com/track", "www.twitch.tv", "www.bbc.co.uk/news",
    ].map { Array($0.utf8) }

    /// Appends `length` base-62 characters derived only from `value` and `salt`.
    static func appendCode(of value: Int64, length: Int, salt: UInt64, to out: inout [UInt8]) {
        var z: UInt64 = 0
        for i in 0..<length {
            if i % 10 == 0 { z = mix(UInt64(bitPattern: value) &+ (salt &+ UInt64(i)) &* 0x9E37_79B9_7F4A_7C15) }
            out.append(alphabet[Int(z % 62)])
            z /= 62
        }
    }

    /// SplitMix64's finalizer.
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Appends the raw `https://t.co/…` link text for `value`.
    static func appendTco(of value: Int64, to out: inout [UInt8]) {
        out.append(contentsOf: tcoPrefix)
        appendCode(of: value, length: tcoCodeLength, salt: 1, to: &out)
    }
}
