#!/usr/bin/env python3
"""A small Elasticsearch-dialect HTTP stub that injects the faults real test servers cannot
produce, for Flow's sink tests. It speaks just enough of the API for the score sink:
GET /, PUT /INDEX, PUT /INDEX/_mapping, POST /_bulk (update actions), POST /INDEX/_refresh, and
GET /_stub/applied (what was applied: {id: {field: value}} and how many times each id was written).

Faults (all optional):
  --require-auth USER:PASS   401 unless basic auth matches
  --item-429-rounds N        in the first N bulk requests, every third item answers 429
  --request-503 K            bulk request number K (1-based) answers 503 as a whole
  --drop K                   bulk request number K gets its connection closed with no answer
  --reject-ids A,B           items for these ids answer 400 mapper_parsing_exception, always
It is strict where the emulators are lax: a bulk body must end with a newline and be sent as
application/x-ndjson.

Usage: es_fault_stub.py PORT [faults]   (prints "ready" when listening)
"""
import argparse
import base64
import json
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("port", type=int)
parser.add_argument("--require-auth")
parser.add_argument("--item-429-rounds", type=int, default=0)
parser.add_argument("--request-503", type=int, default=0)
parser.add_argument("--drop", type=int, default=0)
parser.add_argument("--reject-ids", default="")
options = parser.parse_args()
rejected = set(filter(None, options.reject_ids.split(",")))
lock = threading.Lock()
state = {"bulk_requests": 0, "applied": {}, "writes": {}}


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
        if not options.require_auth:
            return True
        expected = "Basic " + base64.b64encode(options.require_auth.encode()).decode()
        if self.headers.get("Authorization") == expected:
            return True
        self.reply(401, {"error": {"root_cause": [{"type": "security_exception", "reason": "unable to authenticate user"}],
                                   "type": "security_exception", "reason": "unable to authenticate user"}, "status": 401})
        return False

    def body(self):
        return self.rfile.read(int(self.headers.get("Content-Length", 0)))

    def do_GET(self):
        if self.path == "/_stub/applied":
            with lock:
                return self.reply(200, {"applied": state["applied"], "writes": state["writes"], "bulk_requests": state["bulk_requests"]})
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
        if number == options.request_503:
            return self.reply(503, {"error": {"type": "cluster_block_exception", "reason": "blocked by: [SERVICE_UNAVAILABLE/1/state not recovered]"}, "status": 503})
        lines = body.decode().split("\n")[:-1]
        items = []
        for position in range(0, len(lines), 2):
            action = json.loads(lines[position])["update"]
            document = json.loads(lines[position + 1])["doc"]
            identifier = action["_id"]
            if identifier in rejected:
                items.append({"update": {"_index": action["_index"], "_id": identifier, "status": 400,
                                         "error": {"type": "mapper_parsing_exception", "reason": "failed to parse field [classification] of type [float]"}}})
            elif number <= options.item_429_rounds and (position // 2) % 3 == 0:
                items.append({"update": {"_index": action["_index"], "_id": identifier, "status": 429,
                                         "error": {"type": "es_rejected_execution_exception", "reason": "rejected execution (queue capacity 200)"}}})
            else:
                with lock:
                    state["applied"].setdefault(identifier, {}).update(document)
                    state["writes"][identifier] = state["writes"].get(identifier, 0) + 1
                items.append({"update": {"_index": action["_index"], "_id": identifier, "status": 200, "result": "updated"}})
        self.reply(200, {"took": 1, "errors": any("error" in item["update"] for item in items), "items": items})


def exit_with_parent(parent):
    # A test that dies without stopping the stub must not leave it running.
    import os
    import time
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


server = ThreadingHTTPServer(("127.0.0.1", options.port), Handler)
threading.Thread(target=exit_with_parent, args=(__import__("os").getppid(),), daemon=True).start()
print("ready", flush=True)
server.serve_forever()
