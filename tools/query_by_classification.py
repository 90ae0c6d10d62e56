#!/usr/bin/env python3
"""Searches an index for the movies of a genre, sorted by a label's classification score (highest
first), and prints id, score and title.

Usage: tools/query_by_classification.py http://HOST:PORT/INDEX --label christmas --genre Family [--size 10]
Credentials from ES_USERNAME/ES_PASSWORD or ES_API_KEY, like flowrun.
"""
import argparse
import base64
import json
import os
import re
import sys
import urllib.error
import urllib.request


def request(method, url, body):
    headers = {"Content-Type": "application/json"}
    if os.environ.get("ES_API_KEY"):
        headers["Authorization"] = "ApiKey " + os.environ["ES_API_KEY"]
    elif os.environ.get("ES_USERNAME"):
        token = base64.b64encode(f"{os.environ['ES_USERNAME']}:{os.environ.get('ES_PASSWORD', '')}".encode()).decode()
        headers["Authorization"] = "Basic " + token
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=json.dumps(body).encode(), method=method, headers=headers), timeout=60) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


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
