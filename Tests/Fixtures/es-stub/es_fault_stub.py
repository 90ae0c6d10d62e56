#!/usr/bin/env python3
"""A small Elasticsearch-dialect HTTP stub that injects the faults real test servers cannot
produce, for Flow's connector tests. It speaks just enough of the API for the sinks and for
reading by scroll: GET /, PUT /INDEX, PUT /INDEX/_mapping, POST /_bulk (update and index
actions), POST /INDEX/_refresh, POST /INDEX/_search?scroll=…, POST and DELETE /_search/scroll,
and GET /_stub/applied (what was applied: {id: {field: value}}, how many times each id was
written, how many bulk and scroll requests came, and the path of every request).

Options (all optional):
  --require-auth USER:PASS   401 unless basic auth matches
  --require-api-key KEY      401 unless the header is "Authorization: ApiKey KEY"
  --tls CERT KEY             serve HTTPS with this certificate and key (PEM files)
  --documents FILE           a JSON Lines file of documents (with an id) to be read by scroll;
                             the stub has no point in time, like Elasticsearch before 7.10
  --item-429-rounds N        in the first N bulk requests, every third item answers 429
  --request-503 K            bulk request number K (1-based) answers 503 as a whole
  --drop K                   bulk request number K gets its connection closed with no answer
  --slow K:SECONDS           bulk request number K answers only after SECONDS
  --reject-ids A,B           items for these ids answer 400 mapper_parsing_exception, always
  --odd-ids A,B              items for these ids answer a malformed result ({"update": "odd"}),
                             and are not applied
  --short-reply K            bulk request number K is applied, but its answer lacks the last item
It is strict where the emulators are lax: a bulk body must end with a newline and be sent as
application/x-ndjson.

Usage: es_fault_stub.py PORT [options]   (prints "ready" when listening)
"""
import argparse
import base64
import json
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("port", type=int)
parser.add_argument("--require-auth")
parser.add_argument("--require-api-key")
parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
parser.add_argument("--documents")
parser.add_argument("--slow", default="0:0")
parser.add_argument("--item-429-rounds", type=int, default=0)
parser.add_argument("--request-503", type=int, default=0)
parser.add_argument("--drop", type=int, default=0)
parser.add_argument("--reject-ids", default="")
parser.add_argument("--odd-ids", default="")
parser.add_argument("--short-reply", type=int, default=0)
options = parser.parse_args()
rejected = set(filter(None, options.reject_ids.split(",")))
odd = set(filter(None, options.odd_ids.split(",")))
slow_request, slow_seconds = int(options.slow.split(":")[0]), float(options.slow.split(":")[1])
documents = [json.loads(line) for line in open(options.documents, encoding="utf-8") if line.strip()] if options.documents else []
lock = threading.Lock()
state = {"bulk_requests": 0, "scroll_requests": 0, "applied": {}, "writes": {}, "paths": []}
scrolls = {}  # scroll id -> (sorted hits, next position, page size)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def authorized(self):
        if options.require_auth:
            expected = "Basic " + base64.b64encode(options.require_auth.encode()).decode()
        elif options.require_api_key:
            expected = "ApiKey " + options.require_api_key
        else:
            return True
        if self.headers.get("Authorization") == expected:
            return True
        self.reply(401, {"error": {"root_cause": [{"type": "security_exception", "reason": "unable to authenticate user"}],
                                   "type": "security_exception", "reason": "unable to authenticate user"}, "status": 401})
        return False

    def body(self):
        if self.path != "/_stub/applied":
            with lock:
                state["paths"].append(self.command + " " + self.path)
        return self.rfile.read(int(self.headers.get("Content-Length", 0)))

    def do_GET(self):
        if self.path == "/_stub/applied":
            with lock:
                return self.reply(200, dict(state))
        self.body()
        if not self.authorized():
            return
        self.reply(200, {"name": "stub", "version": {"number": "8.15.0", "build_flavor": "default"}, "tagline": "You Know, for Search"})

    def do_PUT(self):
        self.body()
        if not self.authorized():
            return
        self.reply(200, {"acknowledged": True, "shards_acknowledged": True, "index": self.path.strip("/").split("/")[0]})

    def do_POST(self):
        body = self.body()
        if not self.authorized():
            return
        if self.path.endswith("/_refresh"):
            return self.reply(200, {"_shards": {"total": 1, "successful": 1, "failed": 0}})
        if "/_search" in self.path and "point_in_time" not in self.path:
            return self.search(json.loads(body or b"{}"))
        if self.path != "/_bulk":
            return self.reply(400, {"error": "no handler found for uri [%s]" % self.path, "status": 400})
        if self.headers.get("Content-Type") != "application/x-ndjson":
            return self.reply(406, {"error": "Content-Type header [%s] is not supported" % self.headers.get("Content-Type"), "status": 406})
        if not body.endswith(b"\n"):
            return self.reply(400, {"error": {"type": "illegal_argument_exception", "reason": "The bulk request must be terminated by a newline [\\n]"}, "status": 400})
        with lock:
            state["bulk_requests"] += 1
            number = state["bulk_requests"]
        if number == options.drop:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if number == slow_request:
            time.sleep(slow_seconds)
        if number == options.request_503:
            return self.reply(503, {"error": {"type": "cluster_block_exception", "reason": "blocked by: [SERVICE_UNAVAILABLE/1/state not recovered]"}, "status": 503})
        lines = body.decode().split("\n")[:-1]
        items = []
        for position in range(0, len(lines), 2):
            kind, action = next(iter(json.loads(lines[position]).items()))
            document = json.loads(lines[position + 1])
            document = document["doc"] if kind == "update" else document
            identifier = action["_id"]
            if identifier in rejected:
                items.append({kind: {"_index": action["_index"], "_id": identifier, "status": 400,
                                         "error": {"type": "mapper_parsing_exception", "reason": "failed to parse field [classification] of type [float]"}}})
            elif identifier in odd:
                items.append({kind: "odd"})
            elif number <= options.item_429_rounds and (position // 2) % 3 == 0:
                items.append({kind: {"_index": action["_index"], "_id": identifier, "status": 429,
                                         "error": {"type": "es_rejected_execution_exception", "reason": "rejected execution (queue capacity 200)"}}})
            else:
                with lock:
                    state["applied"].setdefault(identifier, {}).update(document)
                    state["writes"][identifier] = state["writes"].get(identifier, 0) + 1
                items.append({kind: {"_index": action["_index"], "_id": identifier, "status": 200, "result": "updated"}})
        if number == options.short_reply:
            items = items[:-1]
        self.reply(200, {"took": 1, "errors": any("error" in item[kind] for item in items if isinstance(item[kind], dict)), "items": items})

    def search(self, request):
        """A scroll over --documents: the first page (sorted by the request's sort field), then
        the next page for each POST /_search/scroll."""
        with lock:
            state["scroll_requests"] += 1
            if "scroll_id" in request:
                if request["scroll_id"] not in scrolls:
                    return self.reply(404, {"error": {"type": "search_context_missing_exception", "reason": "No search context found"}, "status": 404})
                identifier = request["scroll_id"]
            else:
                field = next(iter(request.get("sort", [{"_doc": {}}])[0]))
                hits = sorted(documents, key=lambda document: document.get(field, 0))
                identifier = "scroll-%d" % len(scrolls)
                scrolls[identifier] = [hits, 0, request.get("size", 10)]
            hits, position, size = scrolls[identifier]
            scrolls[identifier][1] = position + size
        page = [{"_index": "movies", "_id": str(hit["id"]), "_source": hit} for hit in hits[position:position + size]]
        self.reply(200, {"_scroll_id": identifier, "took": 1, "timed_out": False, "hits": {"total": {"value": len(hits), "relation": "eq"}, "hits": page}})

    def do_DELETE(self):
        self.body()
        self.reply(200, {"succeeded": True, "num_freed": 1})


def exit_with_parent(parent):
    # A test that dies without stopping the stub must not leave it running.
    import os
    import time
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


server = ThreadingHTTPServer(("127.0.0.1", options.port), Handler)
if options.tls:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*options.tls)
    server.socket = context.wrap_socket(server.socket, server_side=True)
threading.Thread(target=exit_with_parent, args=(__import__("os").getppid(),), daemon=True).start()
print("ready", flush=True)
server.serve_forever()
