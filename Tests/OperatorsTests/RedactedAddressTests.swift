@testable import Elasticsearch
@testable import Operators
import Testing

/// Addresses in messages and plans never show credentials, however they are written (issue 14).
struct RedactedAddressTests {
    @Test(arguments: [
        ("redis://:pw@host:6379", "redis://…@host:6379"),
        ("redis://user:pw@host:6379/2", "redis://…@host:6379/2"),
        ("user:pw@host:6379", "…@host:6379"),
        ("http://u:p/w@d@host:9200/movies", "http://…@host:9200/movies"),
        ("http://host:9200/movies", "http://host:9200/movies"),
        ("unix:///run/redis.sock", "unix:///run/redis.sock"),
    ])
    func credentialsAreCutOut(address: String, shown: String) {
        #expect(RedactedAddress.redacted(address) == shown)
    }

    @Test(arguments: [("movies", nil), ("café", nil), ("movies?pretty", "holds \"?\""), ("Movies", "has capitals"), ("-x", "starts with -"),
                      ("..", "is .."), ("a:b", "holds \":\""), ("a\u{7}", "holds \"\\u{7}\""), (String(repeating: "é", count: 128), "is 256 bytes long (at most 255)")])
    func indexNames(name: String, problem: String?) {
        #expect(ElasticsearchIndexName.problem(with: name) == problem)
    }

    @Test func indexPathsArePercentEncoded() throws {
        #expect(try ElasticsearchEndpoint(url: "http://h:9200/caf%C3%A9%25", environment: [:]).indexPath == "/caf%C3%A9%25")
        #expect(try ElasticsearchEndpoint(url: "http://h:9200/movies", environment: [:]).indexPath == "/movies")
    }
}
