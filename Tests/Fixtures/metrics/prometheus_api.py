"""Asks a Prometheus server's HTTP API one thing, for the tests.

Usage: prometheus_api.py BASE_URL targets      -> the health of each active target, one a line
       prometheus_api.py BASE_URL query EXPR   -> the value of each series of an instant query, one a line
Prints nothing (and exits 0) while the server does not answer yet.
"""
import json
import sys
import urllib.error
import urllib.parse
import urllib.request


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return json.load(response)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def main():
    base, what = sys.argv[1].rstrip("/"), sys.argv[2]
    if what == "targets":
        answer = get(base + "/api/v1/targets")
        for target in (answer or {}).get("data", {}).get("activeTargets", []):
            print(target["health"])
    elif what == "query":
        answer = get(base + "/api/v1/query?" + urllib.parse.urlencode({"query": sys.argv[3]}))
        for series in (answer or {}).get("data", {}).get("result", []):
            print(series["value"][1])


if __name__ == "__main__":
    main()
