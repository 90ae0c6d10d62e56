#!/usr/bin/env python3
"""Trending hashtags: the independent Python reference implementation.

This script is the reference that makes the golden files in Tests/Fixtures/golden/.
Flow's Swift output must match its output byte for byte. It is written to be
checked by eye, not to be fast. Standard library only.

Rules (brief):

Input
  A JSON Lines file (plain, .gz, or .zst via `zstd -dc`) or a directory of such
  files, read in byte order of file names, as one stream. Each file is split on
  b"\\n" on its own (a file's unterminated last line ends at the end of the file;
  the empty piece after a final b"\\n" is not a line). One trailing b"\\r" is
  stripped from each line.

Each line is one of
  blank      only JSON whitespace bytes (space, tab, CR) or empty.
  malformed  not strict UTF-8; not JSON (json.loads, with NaN/Infinity/-Infinity
             rejected); any string (key or value) holding a lone surrogate
             U+D800..U+DFFF; a tweet whose event time is missing or invalid.
  non-tweet  valid JSON but not a tweet (not an object, delete/limit notices,
             errors...).
  tweet      v1.1: top-level key "timestamp_ms" whose value is a JSON integer
             (not a bool, not a float) or a string matching -?[0-9]+, within
             signed 64 bits. Event time = that value (epoch ms).
             v2 (only if no "timestamp_ms" key): "data" is an object whose
             "created_at" is YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM).
             Event time = epoch ms (UTC; fraction truncated/padded to ms).

Hashtags
  v1.1: if obj["truncated"] is JSON true: obj.extended_tweet.entities.hashtags,
  else obj.entities.hashtags; each element that is an object with a string
  "text" gives one hashtag. v2: data.entities.hashtags[i].tag, same rules. A
  missing step or wrong type gives no hashtags. Each hashtag is lowercased with
  str.lower() (nothing else). Every occurrence is one record at the tweet's
  event time.

Windows
  Watermark W = (max event time of tweets so far) - delay; -infinity before any
  tweet. Sliding windows [E - size, E) for every E that is a multiple of slide.
  Window E fires when W >= E - 1. For each tweet: each record at time t is
  counted in every window E with E - size <= t < E that has not fired yet; a
  record that hits at least one already fired window counts once as late. Then
  the max event time is updated (also for tweets without hashtags) and every
  window with E - 1 <= W fires, in increasing E. At end of input every window
  left with counts fires, in increasing E.

Allowed lateness L (--lateness-ms, default 0)
  Window E closes when W >= E - 1 + L; a record is counted in every window of
  its time that is not closed, and is late if it hits a closed one. A window
  that fired and then took records fires again with its new top k. Firing
  happens when (W + 1) // g grows, g = gcd(slide, L) (the watermark steps Flow
  acts on; for L = 0 that is the same as firing after every tweet): first the
  windows fired again, in increasing E, then the newly fired ones. At end of
  input: those fired again, then every window never fired.

Output
  Each fired window with at least one hashtag emits its top k rows, ordered by
  (-count, hashtag as UTF-8 bytes). CSV with header
  window_end_ms,rank,hashtag,count and "\\n" line ends; a hashtag is quoted
  (RFC 4180) only if it holds , " CR or LF.

Usage
  python3 trending_reference.py INPUT [--delay-ms 5000] [--size-ms 1800000]
      [--slide-ms 10000] [--k 20] [--lateness-ms 0] [--out FILE]
  A summary of counts is printed to stderr.
"""

import argparse
import datetime
import gzip
import json
import math
import os
import re
import subprocess
import sys
from collections import Counter

# Valid JSON may hold integers with more than 4300 digits; don't let Python's
# int-conversion guard turn such lines into errors.
if hasattr(sys, "set_int_max_str_digits"):
    sys.set_int_max_str_digits(0)

INT64_MIN = -(2 ** 63)
INT64_MAX = 2 ** 63 - 1

TIMESTAMP_STRING_RE = re.compile(r"-?[0-9]+")
CREATED_AT_RE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"T([0-9]{2}):([0-9]{2}):([0-9]{2})"
    r"(?:\.([0-9]+))?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})"
)
BLANK_BYTES = b" \t\r"


# ---------------------------------------------------------------------------
# Reading input
# ---------------------------------------------------------------------------

def read_file_bytes(path):
    """The decompressed bytes of one input file."""
    if path.endswith(".gz"):
        with gzip.open(path, "rb") as f:
            return f.read()
    if path.endswith(".zst"):
        result = subprocess.run(["zstd", "-dc", path], stdout=subprocess.PIPE, check=True)
        return result.stdout
    with open(path, "rb") as f:
        return f.read()


def input_files(path):
    """One file, or the regular, non-hidden files of a directory in byte order of names."""
    if not os.path.isdir(path):
        return [path]
    names = [n for n in os.listdir(path) if not n.startswith(".")]
    names.sort(key=os.fsencode)
    files = []
    for name in names:
        full = os.path.join(path, name)
        if os.path.isfile(full):
            files.append(full)
    return files


def lines_of(data):
    """Split bytes into lines: on b"\\n", then strip one trailing b"\\r"."""
    pieces = data.split(b"\n")
    if pieces[-1] == b"":
        # The piece after the final "\n" (or an empty file) is not a line.
        pieces.pop()
    lines = []
    for piece in pieces:
        if piece.endswith(b"\r"):
            piece = piece[:-1]
        lines.append(piece)
    return lines


def input_lines(path):
    for file_path in input_files(path):
        for line in lines_of(read_file_bytes(file_path)):
            yield line


# ---------------------------------------------------------------------------
# Classifying a line
# ---------------------------------------------------------------------------

class Malformed(Exception):
    pass


def reject_constant(name):
    raise Malformed("non-finite number " + name)


def has_lone_surrogate(value):
    """True if any string in value (dict keys included) holds U+D800..U+DFFF."""
    if isinstance(value, str):
        return any(0xD800 <= ord(ch) <= 0xDFFF for ch in value)
    if isinstance(value, dict):
        return any(has_lone_surrogate(k) or has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_lone_surrogate(v) for v in value)
    return False


def parse_json_line(line):
    """The parsed value of a non-blank line; raises Malformed."""
    try:
        text = line.decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        raise Malformed("invalid UTF-8")
    try:
        value = json.loads(text, parse_constant=reject_constant)
    except (ValueError, RecursionError):
        raise Malformed("invalid JSON")
    if has_lone_surrogate(value):
        raise Malformed("lone surrogate")
    return value


def v1_event_time(value):
    """Epoch ms from a timestamp_ms value; raises Malformed."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and TIMESTAMP_STRING_RE.fullmatch(value):
        number = int(value)
    else:
        raise Malformed("bad timestamp_ms")
    if not (INT64_MIN <= number <= INT64_MAX):
        raise Malformed("timestamp_ms out of 64-bit range")
    return number


def v2_event_time(created_at):
    """Epoch ms from a v2 created_at string; raises Malformed."""
    if not isinstance(created_at, str):
        raise Malformed("created_at missing or not a string")
    m = CREATED_AT_RE.fullmatch(created_at)
    if m is None:
        raise Malformed("bad created_at")
    year, month, day, hour, minute, second = (int(m.group(i)) for i in range(1, 7))
    fraction = m.group(7) or ""
    zone = m.group(8)
    try:
        # Only to check the ranges (years 1..9999, real month days, hour < 24...).
        datetime.datetime(year, month, day, hour, minute, second)
    except ValueError:
        raise Malformed("created_at out of range")
    millis = int((fraction + "000")[:3])
    if zone == "Z":
        offset_minutes = 0
    else:
        offset_hours = int(zone[1:3])
        offset_mins = int(zone[4:6])
        if offset_hours > 23 or offset_mins > 59:
            raise Malformed("bad UTC offset")
        offset_minutes = offset_hours * 60 + offset_mins
        if zone[0] == "-":
            offset_minutes = -offset_minutes
    days = datetime.date(year, month, day).toordinal() - datetime.date(1970, 1, 1).toordinal()
    seconds = ((days * 24 + hour) * 60 + minute) * 60 + second
    # Local time = UTC + offset, so UTC = local time - offset.
    seconds -= offset_minutes * 60
    return seconds * 1000 + millis


def hashtags_from(container, path, field):
    """Follow the keys in path from container to a list; take element[field] strings."""
    node = container
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return []
        node = node[key]
    if not isinstance(node, list):
        return []
    tags = []
    for element in node:
        if isinstance(element, dict) and isinstance(element.get(field), str):
            tags.append(element[field])
    return tags


def classify(line):
    """("blank"|"malformed"|"non-tweet", None, None) or ("tweet", event_time, [tags])."""
    if all(byte in BLANK_BYTES for byte in line):
        return ("blank", None, None)
    try:
        obj = parse_json_line(line)
        if not isinstance(obj, dict):
            return ("non-tweet", None, None)
        if "timestamp_ms" in obj:
            event_time = v1_event_time(obj["timestamp_ms"])
            if obj.get("truncated") is True:
                tags = hashtags_from(obj, ["extended_tweet", "entities", "hashtags"], "text")
            else:
                tags = hashtags_from(obj, ["entities", "hashtags"], "text")
        elif isinstance(obj.get("data"), dict):
            data = obj["data"]
            event_time = v2_event_time(data.get("created_at"))
            tags = hashtags_from(data, ["entities", "hashtags"], "tag")
        else:
            return ("non-tweet", None, None)
    except Malformed:
        return ("malformed", None, None)
    return ("tweet", event_time, [tag.lower() for tag in tags])


# ---------------------------------------------------------------------------
# Windows
# ---------------------------------------------------------------------------

def window_ends(t, size, slide):
    """Every E, a multiple of slide, with E - size <= t < E, increasing."""
    first = (t // slide + 1) * slide  # smallest multiple of slide that is > t
    ends = []
    e = first
    while e - size <= t:
        ends.append(e)
        e += slide
    return ends


def top_k(counter, k):
    ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0].encode("utf-8")))
    return ranked[:k]


def csv_field(text):
    if any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def run(lines, delay, size, slide, k, lateness=0):
    """Returns (output rows [(E, rank, tag, count)], stats dict)."""
    stats = Counter(tweets=0, non_tweet=0, malformed=0, blank=0, records=0, late=0, windows=0)
    rows = []
    counts = {}            # E -> Counter(tag -> count), for windows not closed yet
    fired = set()          # windows fired and not closed
    changed = set()        # fired windows that took records since they fired
    step = math.gcd(slide, lateness)
    max_event_time = None  # None: no tweet yet, W = -infinity

    def watermark():
        return None if max_event_time is None else max_event_time - delay

    def is_closed(e):
        # W never goes down, so window E is closed exactly when E - 1 + L <= W now.
        w = watermark()
        return w is not None and e - 1 + lateness <= w

    def emit(e):
        for rank, (tag, count) in enumerate(top_k(counts[e], k), start=1):
            rows.append((e, rank, tag, count))

    def fire(limit):
        for e in sorted(changed):
            emit(e)
        changed.clear()
        for e in sorted(counts):
            if e - 1 <= limit and e not in fired:
                stats["windows"] += 1
                emit(e)
                fired.add(e)

    for line in lines:
        kind, t, tags = classify(line)
        if kind == "blank":
            stats["blank"] += 1
            continue
        if kind == "malformed":
            stats["malformed"] += 1
            continue
        if kind == "non-tweet":
            stats["non_tweet"] += 1
            continue
        stats["tweets"] += 1

        for tag in tags:
            stats["records"] += 1
            late = False
            for e in window_ends(t, size, slide):
                if is_closed(e):
                    late = True
                else:
                    counts.setdefault(e, Counter())[tag] += 1
                    if e in fired:
                        changed.add(e)
            if late:
                stats["late"] += 1

        before = None if max_event_time is None else (watermark() + 1) // step
        if max_event_time is None or t > max_event_time:
            max_event_time = t
        if before is None or (watermark() + 1) // step > before:
            fire(watermark())
            for e in [e for e in counts if is_closed(e)]:
                del counts[e]
                fired.discard(e)

    fire(float("inf"))
    if lateness == 0:
        # Windows fire in increasing E (W never goes down), so rows are in order.
        assert rows == sorted(rows, key=lambda r: (r[0], r[1]))
    return rows, stats


def render_csv(rows):
    out = ["window_end_ms,rank,hashtag,count\n"]
    for e, rank, tag, count in rows:
        out.append("%d,%d,%s,%d\n" % (e, rank, csv_field(tag), count))
    return "".join(out).encode("utf-8")


def summary_text(stats):
    return ("tweets=%d non_tweet=%d malformed=%d blank=%d records=%d late=%d windows=%d"
            % (stats["tweets"], stats["non_tweet"], stats["malformed"], stats["blank"],
               stats["records"], stats["late"], stats["windows"]))


def main(argv=None):
    parser = argparse.ArgumentParser(description="Trending hashtags reference implementation.")
    parser.add_argument("input")
    parser.add_argument("--delay-ms", type=int, default=5000)
    parser.add_argument("--size-ms", type=int, default=1800000)
    parser.add_argument("--slide-ms", type=int, default=10000)
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--lateness-ms", type=int, default=0)
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    if args.delay_ms < 0 or args.size_ms <= 0 or args.slide_ms <= 0 or args.k <= 0 or args.lateness_ms < 0:
        parser.error("need delay >= 0, size > 0, slide > 0, k > 0, lateness >= 0")

    rows, stats = run(input_lines(args.input), args.delay_ms, args.size_ms, args.slide_ms, args.k, args.lateness_ms)
    data = render_csv(rows)
    if args.out:
        with open(args.out, "wb") as f:
            f.write(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    print(summary_text(stats), file=sys.stderr)


if __name__ == "__main__":
    main()
