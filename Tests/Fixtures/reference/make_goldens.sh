#!/bin/sh
# Regenerates Tests/Fixtures/tweets/edge_cases.jsonl and every golden file in
# Tests/Fixtures/golden/ (plus SUMMARIES.md) with the Python reference
# trending_reference.py. Deterministic: running it twice gives the same bytes.
# Needs python3 and the zstd command (for the .zst fixture).
# Run from anywhere: sh Tests/Fixtures/reference/make_goldens.sh
set -eu

REF_DIR=$(cd "$(dirname "$0")" && pwd)
FIXTURES=$(cd "$REF_DIR/.." && pwd)
TWEETS="$FIXTURES/tweets"
GOLDEN="$FIXTURES/golden"
REF="$REF_DIR/trending_reference.py"
export PYTHONDONTWRITEBYTECODE=1

mkdir -p "$GOLDEN"
python3 "$REF_DIR/make_edge_cases.py"
python3 "$REF_DIR/test_reference.py" >/dev/null

SUMMARY_ROWS=""

# golden NAME INPUT [reference options...]
golden() {
    name=$1
    input=$2
    shift 2
    summary=$(python3 "$REF" "$TWEETS/$input" "$@" --out "$GOLDEN/$name.csv" 2>&1 >/dev/null)
    echo "$name.csv: $summary"
    options=${*:-defaults}
    counts=$(echo "$summary" | sed 's/[a-z_]*=//g; s/ / | /g')
    SUMMARY_ROWS="$SUMMARY_ROWS| $name.csv | \`$input\` | $options | $counts |
"
}


golden edge_cases edge_cases.jsonl
golden edge_cases.small-windows edge_cases.jsonl --delay-ms 0 --size-ms 20000 --slide-ms 5000 --k 3
golden twitter_v1_insight_challenge_2015_sample twitter_v1_insight_challenge_2015_sample.jsonl
golden twitter_v1_insight_2015 twitter_v1_insight_2015.jsonl.gz
golden twitter_v2_search_sample twitter_v2_search_sample.jsonl
golden twitter_v2_filtered_stream_sample twitter_v2_filtered_stream_sample.jsonl
golden twitter_v1_2021_head twitter_v1_2021_head.jsonl.zst

# The plain and the gzip copy of the 2015 sample must give the same output.
cmp "$GOLDEN/twitter_v1_insight_challenge_2015_sample.csv" "$GOLDEN/twitter_v1_insight_2015.csv"

{
    echo "# Summary counts of the golden runs"
    echo
    echo "Made by \`Tests/Fixtures/reference/make_goldens.sh\` with \`trending_reference.py\`."
    echo "Options other than the defaults (delay 5000 ms, size 1800000 ms, slide 10000 ms, k 20) are shown."
    echo "\"records\" counts every hashtag occurrence of every tweet (late ones included);"
    echo "\"late\" counts the records that were late for at least one window;"
    echo "\"windows\" counts the windows emitted (fired with at least one hashtag)."
    echo
    echo "| golden | input | options | tweets | non-tweet | malformed | blank | records | late | windows |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    printf "%s" "$SUMMARY_ROWS"
} > "$GOLDEN/SUMMARIES.md"
echo "wrote $GOLDEN/SUMMARIES.md"
