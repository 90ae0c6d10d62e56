#!/usr/bin/env python3
"""Writes Tests/Fixtures/tweets/edge_cases.jsonl, a hand-made log of edge cases.

The bytes are exact: lines are built as bytes below (most with json.dumps,
the tricky ones by hand) and joined with the line ends given. Running this
again gives the same file.

Time base T0 = 1600000000000 (2020-09-13T12:26:40Z), a multiple of 10,000.
Times in the comments are offsets from T0 in ms. With the default parameters
(delay 5 s, windows 30 min sliding by 10 s) the story is:
  - a first tweet at a negative time (-12345): windows with negative ends;
  - tweets at +1000..+30000 with most of the parsing cases;
  - max reaches +24999, so W = +19999 and window +20000 has just fired:
    a record at +19999 is late for it, a record at +20000 is not;
  - max reaches +100000 (W = +95000): records at +1000 and +3000 are late
    for the windows ending +10000..+90000 and counted in the later ones;
  - a gap of more than 30 min (to +2500000): every window so far fires,
    then a record at +5000 is late for all of its windows.
"""

import json
import os

T0 = 1600000000000
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tweets", "edge_cases.jsonl")

LF = b"\n"
CRLF = b"\r\n"

lines = []  # (bytes without line end, line end)


def add(raw, end=LF):
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    lines.append((raw, end))


def dumps(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def tags(*texts):
    return {"hashtags": [{"text": t, "indices": [0, 1]} for t in texts]}


def v1(offset, *texts, **extra):
    obj = {"created_at": "ignored", "id_str": str(offset), "text": "t",
           "truncated": False, "entities": tags(*texts),
           "timestamp_ms": str(T0 + offset)}
    obj.update(extra)
    return dumps(obj)


def v2(created_at, *texts):
    data = {"id": "1", "text": "t", "created_at": created_at,
            "entities": {"hashtags": [{"start": 0, "end": 1, "tag": t} for t in texts]}}
    return dumps({"data": data, "includes": {"users": []}})


# --- A negative event time (windows with negative ends, floor division) ----
add(dumps({"timestamp_ms": "-12345", "entities": tags("Negative")}))

# --- Blank lines ----------------------------------------------------------
add(b"")
add(b"   \t  ")
add(b"", CRLF)                # a line holding only "\r"
add(b" \t ", CRLF)

# --- Case folding and Unicode -----------------------------------------------
add(v1(1000, "Swift", "SWIFT", "swift"))                       # swift x3
add(v1(2000, "İstanbul", "ΣΟΦΙΑΣ", "ΟΔΟΣ Σ", "Straße"), CRLF)  # raw UTF-8, CRLF
# \u escapes: a surrogate pair (rocket emoji), U+00C7, U+00DF; escaped "/" too.
add('{"timestamp_ms":"%d","entities":{"hashtags":[{"text":"\\ud83d\\ude80Launch"},'
    '{"text":"\\u00c7ay"},{"text":"Stra\\u00dfe"},{"text":"a\\/b"}]}}' % (T0 + 3000), CRLF)
# Precomposed e-acute vs e + combining acute: two different hashtags (no NFC).
add(v1(4000, "Caf\u00e9", "Cafe\u0301", "CAF\u00c9"))
# Ties across planes: U+FF46 fullwidth f vs U+1F680: UTF-8 order puts ｆ first.
add(v1(5000, "\uff46\uff55\uff4c\uff4c", "\U0001F680", "zeta", "Alpha"))
add(v1(5500, "swift", "İSTANBUL"))

# --- truncated / extended_tweet / retweets ----------------------------------
add(v1(6000, "Short", truncated=True,
       extended_tweet={"full_text": "t", "entities": tags("Extended", "Full")}))
add(v1(6500, "Entities", truncated=False,
       extended_tweet={"full_text": "t", "entities": tags("NotThisOne")}))
add(v1(7000, "EntitiesToo", truncated="true",
       extended_tweet={"entities": tags("NotThisOne")}))          # not JSON true
add(v1(7100, "EntitiesThree", truncated=1,
       extended_tweet={"entities": tags("NotThisOne")}))          # not JSON true
add(v1(7200, "NoFallback", truncated=True))                        # no extended_tweet: no tags
add(v1(7300, "NoFallback", truncated=True, extended_tweet={"entities": {"hashtags": {"text": "x"}}}))
add(v1(8000, "Swift",
       retweeted_status={"timestamp_ms": str(T0), "truncated": False,
                         "entities": tags("RetweetOnly", "Swift")},
       quoted_status={"entities": tags("QuoteOnly")}))

# --- v2 created_at ----------------------------------------------------------
add(v2("2020-09-13T12:26:49Z", "V2", "Swift"))                  # +9000
add(v2("2020-09-13T12:26:49.123Z", "V2Fraction"))               # +9123
add(v2("2020-09-13T12:26:50.5Z", "V2Short"))                    # +10500
add(v2("2020-09-13T12:26:50.999999Z", "V2Long"), CRLF)          # +10999
add(v2("2020-09-13T14:26:51.000+02:00", "V2Offset"))            # +11000
add(v2("2020-09-13T06:56:51.250-05:30", "V2Negative"))          # +11250
add(v2("2020-09-13T12:26:52", "NoZone"))                        # malformed
add(v2("2020-09-13t12:26:52z", "LowerCase"))                    # malformed
add(v2("2020-02-30T12:26:52Z", "Feb30"))                        # malformed
add(v2("2020-09-13T12:26:52.Z", "EmptyFraction"))               # malformed
add(v2(20200913, "NotAString"))                                 # malformed
add(dumps({"data": {"id": "1", "text": "no created_at"}}))      # malformed
add(dumps({"data": [{"created_at": "2020-09-13T12:26:52Z"}]}))  # data not an object: non-tweet
add(dumps({"errors": [{"title": "operational-disconnect"}]}))   # non-tweet

# --- Notices and other non-tweets -------------------------------------------
add(dumps({"delete": {"status": {"id": 1, "id_str": "1"}, "timestamp_ms": str(T0 + 12000)}}))
add(dumps({"limit": {"track": 5, "timestamp_ms": str(T0 + 12000)}}), CRLF)
add('[{"timestamp_ms":"%d","entities":{"hashtags":[{"text":"InArray"}]}}]' % (T0 + 12000))
add('"just a string"')
add("42")
add("null")
# A nested "timestamp_ms" key and one as a string value, but none at top level.
add('{"text":"{\\"timestamp_ms\\":\\"%d\\"} } {","user":{"timestamp_ms":"%d"},'
    '"entities":{"hashtags":[{"text":"NestedOnly"}]}}' % (T0 + 12000, T0 + 12000))

# --- Malformed lines ----------------------------------------------------------
add('{"timestamp_ms":"%d","entities":{"hashtags":[{"text":"Unclosed"}]}' % (T0 + 13000))
add('{"timestamp_ms":"%d","entities":{"hashtags":[{"text":"Garbage"}]}} x' % (T0 + 13000))
add('{"timestamp_ms":"%d","entities":{"hashtags":[{"text":"Bad\\xEscape"}]}}' % (T0 + 13000))
add('{"timestamp_ms":"%d","entities":{"hashtags":[{"text":"Raw\tTab"}]}}' % (T0 + 13000))
add(b'{"timestamp_ms":"%d","entities":{"hashtags":[{"text":"Bad\xff\xfeUtf8"}]}}' % (T0 + 13000))
add('{"timestamp_ms":"%d","score":NaN,"entities":{"hashtags":[{"text":"NaNValue"}]}}' % (T0 + 13000))
add('{"timestamp_ms":"%d","score":-Infinity,"entities":{"hashtags":[{"text":"Inf"}]}}' % (T0 + 13000))
add('{"timestamp_ms":"%d","entities":{"hashtags":[{"text":"Lone\\ud83d"}]}}' % (T0 + 13000))
add('{"timestamp_ms":"%d","us\\ude80er":{},"entities":{"hashtags":[{"text":"LoneInKey"}]}}' % (T0 + 13000))
add('\ufeff{"timestamp_ms":"%d","entities":{"hashtags":[{"text":"Bom"}]}}' % (T0 + 13000))
add('{"timestamp_ms":"%d",}' % (T0 + 13000))
add("{")

# --- Bad timestamp_ms values (malformed) --------------------------------------
add(dumps({"timestamp_ms": "12.5", "entities": tags("BadTs")}))
add('{"timestamp_ms":12.5,"entities":{"hashtags":[{"text":"BadTs"}]}}')
add('{"timestamp_ms":null,"entities":{"hashtags":[{"text":"BadTs"}]}}')
add(dumps({"timestamp_ms": "abc", "entities": tags("BadTs")}))
add('{"timestamp_ms":true,"entities":{"hashtags":[{"text":"BadTs"}]}}')
add('{"timestamp_ms":%d.0,"entities":{"hashtags":[{"text":"BadTs"}]}}' % (T0 + 13000))
add(dumps({"timestamp_ms": "+%d" % (T0 + 13000), "entities": tags("BadTs")}))
add(dumps({"timestamp_ms": "", "entities": tags("BadTs")}))
add(dumps({"timestamp_ms": "9223372036854775808", "entities": tags("BadTs")}))
# timestamp_ms as a JSON number: a valid tweet (+14000).
add('{"entities":{"hashtags":[{"text":"NumberTs"}]},"timestamp_ms":%d}' % (T0 + 14000))

# --- Strings that could fool a scanner ------------------------------------------
add('{"text":"\\"timestamp_ms\\":\\"1\\" {[}] \\\\\\"","quoted_status":{"timestamp_ms":"5",'
    '"entities":{"hashtags":[{"text":"Quoted"}]}},"entities":{"hashtags":'
    '[{"text":"Scanner"}]},"timestamp_ms":"%d"}' % (T0 + 15000))
add(v1(15500, "Brace{}", 'Say"Hi"', "a,b", "line\nbreak", "", "Scanner"))

# --- Hashtag lists with odd elements ----------------------------------------------
add(dumps({"timestamp_ms": str(T0 + 16000), "entities": {"hashtags": [
    "NotADict", 5, None, ["List"], {"txt": "NoText"}, {"text": 5}, {"text": None},
    {"text": "Good", "extra": {"text": "Inner"}}]}}))
add(dumps({"timestamp_ms": str(T0 + 16500), "entities": {"hashtags": {"text": "DictNotList"}}}))
add(dumps({"timestamp_ms": str(T0 + 16600), "entities": [{"hashtags": [{"text": "ListEntities"}]}]}))
add(dumps({"timestamp_ms": str(T0 + 16700)}))                  # tweet without entities

# --- The watermark boundary -----------------------------------------------------
add(v1(24999, "Swift"))         # W = +19999: window +20000 fires now
add(v1(19999, "Edge"), CRLF)    # late for window +20000 (W == E - 1)
add(v1(20000, "Edge"))          # not in window +20000, so not late
add(v1(30000, "Swift", "Later"))

# --- Late records across several windows -------------------------------------------
add(v1(100000, "Jump"))         # W = +95000: windows up to +90000 have fired
add(v1(1000, "Late", "Swift"))  # late for +10000..+90000, counted in +100000..
add(v2("2020-09-13T12:26:43Z", "LateV2"))  # +3000, late too
add(v1(99000, "Swift"))         # behind the max but not late
add(v1(60000))                  # a tweet with no hashtags, behind the max

# --- A gap of more than 30 minutes --------------------------------------------------
add(v1(2500000, "AfterGap", "Swift"))
add(v1(5000, "VeryLate"))       # late for every one of its windows
add(v1(2501000, "AfterGap"))
add(v1(2502000, "swift"), CRLF)
add(v1(2503000, "Last", "Swift"), b"")   # the last line has no line end


def main():
    data = b"".join(raw + end for raw, end in lines)
    with open(OUT, "wb") as f:
        f.write(data)
    print("wrote %s: %d lines, %d bytes" % (os.path.normpath(OUT), len(lines), len(data)))


if __name__ == "__main__":
    main()
