#!/usr/bin/env python3
"""Plain-assert self-checks of trending_reference.py on tiny inline inputs.

Run: python3 Tests/Fixtures/reference/test_reference.py
"""

import json
import os
import sys

sys.dont_write_bytecode = True  # keep the fixture folder clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import trending_reference as ref  # noqa: E402


def tweet(t, *tags):
    return json.dumps({"timestamp_ms": str(t),
                       "entities": {"hashtags": [{"text": x} for x in tags]}},
                      ensure_ascii=False).encode("utf-8")


def run(lines, delay=0, size=20, slide=5, k=3):
    rows, stats = ref.run(lines, delay, size, slide, k)
    return ref.render_csv(rows).decode("utf-8"), stats


def test_window_alignment():
    # [E - size, E) holds t; E a multiple of slide, floor division for negatives.
    assert ref.window_ends(0, 20, 5) == [5, 10, 15, 20]
    assert ref.window_ends(4, 20, 5) == [5, 10, 15, 20]
    assert ref.window_ends(5, 20, 5) == [10, 15, 20, 25]
    assert ref.window_ends(-1, 20, 5) == [0, 5, 10, 15]
    assert ref.window_ends(-5, 20, 5) == [0, 5, 10, 15]
    assert ref.window_ends(-6, 20, 5) == [-5, 0, 5, 10]
    assert ref.window_ends(-12345, 1800000, 10000)[0] == -10000
    assert ref.window_ends(-12345, 1800000, 10000)[-1] == 1780000
    # size not a multiple of slide
    assert ref.window_ends(0, 7, 5) == [5]
    assert ref.window_ends(3, 7, 5) == [5, 10]


def test_lowercasing():
    kind, t, tags = ref.classify(tweet(1, "İstanbul", "ΣΟΦΙΑΣ", "ΟΔΟΣ Σ", "Straße", "SWIFT", "Cafe\u0301"))
    assert kind == "tweet" and t == 1
    assert tags == ["i\u0307stanbul", "σοφιας", "οδος σ", "straße", "swift", "cafe\u0301"]


def test_tie_order_and_top_k():
    # counts: b 2, a 2, c 1, d 1; ties by UTF-8 bytes (U+FF46 before U+1F680).
    lines = [tweet(1, "b", "a", "B", "A", "d", "c")]
    csv, _ = run(lines, k=3)
    assert csv.splitlines()[:4] == ["window_end_ms,rank,hashtag,count",
                                    "5,1,a,2", "5,2,b,2", "5,3,c,1"]
    csv, _ = run([tweet(1, "\U0001F680", "\uff46", "z")], size=5, k=20)
    assert csv == "window_end_ms,rank,hashtag,count\n5,1,z,1\n5,2,\uff46,1\n5,3,\U0001F680,1\n"


def test_fire_rule_and_late():
    # delay 0: a tweet at 4 gives W = 4 >= 5 - 1, so window 5 fires right away,
    # including the tweet's own record (it is counted before W moves).
    csv, stats = run([tweet(4, "x"), tweet(4, "y"), tweet(3, "z")], size=5, slide=5)
    assert csv == "window_end_ms,rank,hashtag,count\n5,1,x,1\n"
    assert stats["late"] == 2 and stats["records"] == 3 and stats["windows"] == 1
    # with delay 1, W = 3 after the first tweet; window 5 waits.
    csv, stats = run([tweet(4, "x"), tweet(4, "y")], delay=1, size=5, slide=5)
    assert csv == "window_end_ms,rank,hashtag,count\n5,1,x,1\n5,2,y,1\n"
    assert stats["late"] == 0
    # late for some windows only: counted in the others, counted once as late.
    csv, stats = run([tweet(0, "a"), tweet(12, "b"), tweet(1, "c")], size=20, slide=5)
    # after t=12: W = 12, windows 5 and 10 fired; c at 1 goes to 15 and 20.
    assert stats["late"] == 1
    rows = csv.splitlines()[1:]
    assert rows == ["5,1,a,1", "10,1,a,1", "15,1,a,1", "15,2,b,1", "15,3,c,1",
                    "20,1,a,1", "20,2,b,1", "20,3,c,1", "25,1,b,1", "30,1,b,1"]
    # a tweet without hashtags still moves the watermark.
    csv, stats = run([tweet(0, "a"), tweet(100), tweet(1, "b")], size=5, slide=5)
    assert csv.splitlines()[1:] == ["5,1,a,1"] and stats["late"] == 1


def test_negative_and_zero_times():
    csv, stats = run([tweet(-6, "n"), tweet(0, "z")], delay=100, size=10, slide=5)
    assert csv.splitlines()[1:] == ["-5,1,n,1", "0,1,n,1", "5,1,z,1", "10,1,z,1"]
    assert stats["tweets"] == 2


def test_line_classes():
    assert ref.lines_of(b"a\r\nb\n\r\r\nc") == [b"a", b"b", b"\r", b"c"]
    assert ref.lines_of(b"a\n") == [b"a"]
    assert ref.lines_of(b"") == []
    assert ref.lines_of(b"\n") == [b""]
    assert ref.classify(b" \t\r")[0] == "blank"
    assert ref.classify(b"\x0c")[0] == "malformed"
    assert ref.classify(b'{"timestamp_ms":"1","x":NaN}')[0] == "malformed"
    assert ref.classify(b'{"timestamp_ms":"1","x":"\\ud800"}')[0] == "malformed"
    assert ref.classify(b'{"timestamp_ms":"1","x":"\\ud83d\\ude80"}')[0] == "tweet"
    assert ref.classify(b'{"timestamp_ms":"1","x":"\xff"}')[0] == "malformed"
    assert ref.classify(b'{"timestamp_ms":12.5}')[0] == "malformed"
    assert ref.classify(b'{"timestamp_ms":true}')[0] == "malformed"
    assert ref.classify(b'{"timestamp_ms":"-9223372036854775808"}')[1] == -2 ** 63
    assert ref.classify(b'{"timestamp_ms":9223372036854775808}')[0] == "malformed"
    assert ref.classify(b'{"delete":{"timestamp_ms":"1"}}')[0] == "non-tweet"
    assert ref.classify(b'[{"timestamp_ms":"1"}]')[0] == "non-tweet"
    assert ref.classify(b'{"data":[]}')[0] == "non-tweet"
    assert ref.classify(b'{"data":{}}')[0] == "malformed"


def test_hashtag_paths():
    line = json.dumps({"timestamp_ms": 5, "truncated": True,
                       "entities": {"hashtags": [{"text": "A"}]},
                       "extended_tweet": {"entities": {"hashtags": [{"text": "B"}, "C", {"text": 1}]}}})
    assert ref.classify(line.encode()) == ("tweet", 5, ["b"])
    line = json.dumps({"timestamp_ms": 5, "truncated": False,
                       "entities": {"hashtags": [{"text": "A"}, {"text": "A"}]},
                       "extended_tweet": {"entities": {"hashtags": [{"text": "B"}]}}})
    assert ref.classify(line.encode()) == ("tweet", 5, ["a", "a"])
    line = json.dumps({"data": {"created_at": "1970-01-01T00:00:00Z",
                                "entities": {"hashtags": [{"tag": "V2"}, {"text": "no"}]}}})
    assert ref.classify(line.encode()) == ("tweet", 0, ["v2"])


def test_v2_times():
    assert ref.v2_event_time("1970-01-01T00:00:00Z") == 0
    assert ref.v2_event_time("1970-01-01T00:00:00.5Z") == 500
    assert ref.v2_event_time("1970-01-01T00:00:00.1239Z") == 123
    assert ref.v2_event_time("1970-01-01T02:00:00+02:00") == 0
    assert ref.v2_event_time("1969-12-31T23:59:59.999Z") == -1
    assert ref.v2_event_time("1969-12-31T18:30:00-05:30") == 0
    assert ref.v2_event_time("2021-04-01T15:52:31.000Z") == 1617292351000
    for bad in ["1970-01-01T00:00:00", "1970-01-01 00:00:00Z", "1970-13-01T00:00:00Z",
                "1970-01-01T24:00:00Z", "1970-01-01T00:00:00.Z", "1970-01-01T00:00:00+0200",
                "1970-01-01T00:00:60Z", "0000-01-01T00:00:00Z", "1970-01-01T00:00:00+24:00",
                "\uff11970-01-01T00:00:00Z"]:
        try:
            ref.v2_event_time(bad)
        except ref.Malformed:
            continue
        raise AssertionError("accepted " + bad)


def test_csv_quoting():
    assert ref.csv_field("plain") == "plain"
    assert ref.csv_field("") == ""
    assert ref.csv_field("a,b") == '"a,b"'
    assert ref.csv_field('say"hi"') == '"say""hi"""'
    assert ref.csv_field("a\nb") == '"a\nb"'
    assert ref.csv_field("a\rb") == '"a\rb"'


def main():
    tests = [(name, fn) for name, fn in sorted(globals().items()) if name.startswith("test_")]
    for name, fn in tests:
        fn()
        print("ok", name)
    print("all %d checks passed" % len(tests))


if __name__ == "__main__":
    main()
