#!/usr/bin/env python3
"""Indexes a movie JSON Lines file into an Elasticsearch or OpenSearch index with _bulk (`index`
actions, `_id` = the movie's id), creating the index first: `genres` as keyword (for filters),
`classification_*` as float, then refreshes it.

Usage: tools/index_movies.py http://HOST:PORT/INDEX data/movies/tmdb_movies_sample.jsonl
Credentials from ES_USERNAME/ES_PASSWORD or ES_API_KEY, like flowrun.
"""
import base64
import json
import os
import sys
import urllib.error
import urllib.request


def request(method, url, body=None, content_type="application/json"):
    headers = {"Content-Type": content_type}
    if os.environ.get("ES_API_KEY"):
        headers["Authorization"] = "ApiKey " + os.environ["ES_API_KEY"]
    elif os.environ.get("ES_USERNAME"):
        token = base64.b64encode(f"{os.environ['ES_USERNAME']}:{os.environ.get('ES_PASSWORD', '')}".encode()).decode()
        headers["Authorization"] = "Basic " + token
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, method=method, headers=headers), timeout=60) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def main():
    url, path = sys.argv[1].rstrip("/"), sys.argv[2]
    base, index = url.rsplit("/", 1)
    status, body = request("PUT", url, {
        "settings": {"index.mapping.total_fields.limit": 10000},
        "mappings": {
            "dynamic_templates": [{"classification_scores": {"match": "classification_*", "unmatch": "classification_model", "mapping": {"type": "float"}}}],
            "properties": {"id": {"type": "long"}, "genres": {"type": "keyword"}, "title": {"type": "text"}, "overview": {"type": "text"}},
        },
    })
    if status != 200 and "already" not in json.dumps(body):
        sys.exit(f"index_movies: cannot create {url}: {status} {body}")
    movies = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    for start in range(0, len(movies), 500):
        lines = []
        for movie in movies[start:start + 500]:
            lines.append(json.dumps({"index": {"_index": index, "_id": str(movie["id"])}}))
            lines.append(json.dumps(movie))
        status, body = request("POST", base + "/_bulk", ("\n".join(lines) + "\n").encode(), "application/x-ndjson")
        if status != 200 or body.get("errors"):
            failed = [item for item in body.get("items", []) if "error" in next(iter(item.values()))]
            sys.exit(f"index_movies: bulk request failed: {status} {failed[:3] or body}")
    request("POST", url + "/_refresh")
    print(f"indexed {len(movies)} movies into {url}")


if __name__ == "__main__":
    main()
