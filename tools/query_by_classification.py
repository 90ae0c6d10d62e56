#!/usr/bin/env python3
"""Searches an index for the movies of a genre, sorted by a label's classification score (highest
first), and prints id, score and title.

Usage: tools/query_by_classification.py http://HOST:PORT/INDEX --label christmas --genre Family [--size 10]
"""
import argparse
import json
import re
import sys

sys.path.insert(0, __import__("os").path.dirname(__file__))
from index_movies import request  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--label", required=True)
    parser.add_argument("--genre", required=True)
    parser.add_argument("--size", type=int, default=10)
    args = parser.parse_args()
    field = "classification_" + re.sub(r"[^a-z0-9_]", "", args.label.lower())
    status, body = request("POST", args.url.rstrip("/") + "/_search", {
        "size": args.size,
        "query": {"bool": {"filter": [{"terms": {"genres": [args.genre]}}]}},
        "sort": [{field: {"order": "desc", "missing": "_last", "unmapped_type": "float"}}, {"id": {"order": "asc"}}],
        "_source": ["id", "title", field],
    })
    if status != 200:
        sys.exit(f"query_by_classification: {status} {json.dumps(body)[:300]}")
    for hit in body["hits"]["hits"]:
        source = hit["_source"]
        print(f"{source.get('id')}\t{source.get(field)}\t{source.get('title')}")


if __name__ == "__main__":
    main()
