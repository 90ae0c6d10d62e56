"""Scrapes a running flowrun's metrics endpoint the way a monitoring system would, for the tests.

Usage: scrape.py BASE_URL
Prints one JSON object: the HTTP status of /healthz and /ready, and every sample of /metrics as
parsed by the Prometheus Python client's own parser (prometheus_client.parser), which refuses text
that is not in the exposition format.
"""
import json
import sys
import urllib.error
import urllib.request

from prometheus_client.parser import text_string_to_metric_families


def status(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def main():
    base = sys.argv[1].rstrip("/")
    with urllib.request.urlopen(base + "/metrics", timeout=10) as response:
        content_type = response.headers.get("Content-Type", "")
        text = response.read().decode("utf-8")
    samples = []
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples.append({"family": family.name, "type": family.type, "name": sample.name,
                            "labels": sample.labels, "value": sample.value})
    print(json.dumps({"healthz": status(base + "/healthz"), "ready": status(base + "/ready"),
                      "content_type": content_type, "samples": samples}))


if __name__ == "__main__":
    main()
