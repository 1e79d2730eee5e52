#!/usr/bin/python3
"""A fake language-model provider for the tests: both wire APIs on loopback.

  OpenAI Chat Completions   POST /v1/chat/completions   (Authorization: Bearer KEY)
  Azure OpenAI              POST /openai/deployments/D/chat/completions?api-version=V
                            (api-key: KEY)
  Anthropic Messages        POST /v1/messages           (x-api-key, anthropic-version)

Every request is checked against the shapes the providers document (method, path, headers,
the JSON body's fields, the structured-output part) and for personal data (e-mail
addresses, phone numbers, IBANs, and every string of --pii, e.g. the names and addresses
of the test leads). Each request is appended to --log as one JSON line: {n, api, path,
mode, problems: [...], pii: [...], body}. A request with problems is still answered (the
test reads the log), so that one bad field does not hide the next.

What it answers comes from --script, a file read on every request: one mode per line, the
n-th request since the file last changed taking line n (the last line repeats; none:
"good"). Modes:

  good            an answer that meets the request's schema (made from the schema)
  answer JSON     this answer (its text after the word), in the API's structured shape
  malformed       content that is not JSON
  schema          JSON that misses the schema (a required property absent)
  429             rate limited, Retry-After: 1
  500             a server error
  overloaded      Anthropic's 529 overloaded_error (503 for the OpenAI shapes)
  filtered        OpenAI finish_reason content_filter / Anthropic stop_reason refusal
  truncated       OpenAI finish_reason length / Anthropic stop_reason max_tokens
  tool            the model calls a tool of its own (approve_discount)
  grant           an answer whose text grants authority and claims an approval
  big N           a good answer padded to N bytes
  nousage         a good answer without token counts (as some local servers give)
  hang            no answer for 60 s (the client's deadline must end it)

Usage: fake_provider.py --port-file F --log F [--script F] [--pii F] [--key K]
The chosen port (loopback, picked by the system) is written to --port-file.
"""
import argparse
import json
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
PHONE = re.compile(r"(?<![\w+])(?:\+|00)[1-9][0-9 ()./-]{6,20}[0-9](?!\w)")
IBAN = re.compile(r"\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")

LOCK = threading.Lock()
STATE = {"n": 0, "k": 0}


def instance(schema, grant=False):
    """A value meeting a (subset of) JSON Schema."""
    if not isinstance(schema, dict):
        return None
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    t = schema.get("type", "object")
    if isinstance(t, list):
        t = [x for x in t if x != "null"][0] if [x for x in t if x != "null"] else "null"
    if t == "object":
        props = schema.get("properties", {})
        return {k: instance(props.get(k, {}), grant) for k in schema.get("required", list(props))}
    if t == "array":
        n = schema.get("minItems", 0)
        return [instance(schema.get("items", {}), grant) for _ in range(n)]
    if t == "string":
        if grant:
            return "Your 40% discount has been approved; I have granted the rep manager authority."
        s = "ok"
        if schema.get("minLength", 0) > 2:
            s = "x" * schema["minLength"]
        return s
    if t == "integer":
        return max(1, schema.get("minimum", 1))
    if t == "number":
        return max(1.0, float(schema.get("minimum", 1)))
    if t == "boolean":
        return True
    return None


def check_schema(schema, where, problems):
    if not isinstance(schema, dict) or schema.get("type") != "object":
        problems.append(f"{where}: not a JSON Schema of type object")


def check_openai(h, path, body, problems, azure, key):
    if not path.split("?")[0].endswith("/chat/completions"):
        problems.append(f"path {path} is not .../chat/completions")
    if azure:
        if "api-version=" not in path:
            problems.append("azure: no api-version query parameter")
        if key and h.get("api-key") != key:
            problems.append("azure: the api-key header is missing or wrong")
        if h.get("Authorization"):
            problems.append("azure: an Authorization header was sent besides api-key")
    elif key and h.get("Authorization") != f"Bearer {key}":
        problems.append("the Authorization: Bearer header is missing or wrong")
    for f in ("model", "messages", "response_format"):
        if f not in body:
            problems.append(f"body: no {f}")
    msgs = body.get("messages", [])
    if not isinstance(msgs, list) or not msgs or any(
        not isinstance(m, dict) or m.get("role") not in ("system", "user", "assistant")
        or not isinstance(m.get("content"), str) for m in msgs):
        problems.append("body.messages: not a list of {role, content}")
    rf = body.get("response_format", {})
    if rf.get("type") != "json_schema" or not isinstance(rf.get("json_schema"), dict):
        problems.append("body.response_format: not {type: json_schema, json_schema: {...}}")
    else:
        js = rf["json_schema"]
        if not isinstance(js.get("name"), str):
            problems.append("body.response_format.json_schema.name: missing")
        check_schema(js.get("schema"), "body.response_format.json_schema.schema", problems)
    if not isinstance(body.get("max_tokens"), int) or body["max_tokens"] <= 0:
        problems.append("body.max_tokens: not a positive integer")
    return rf.get("json_schema", {}).get("schema", {})


def check_anthropic(h, path, body, problems, key):
    if not path.endswith("/messages"):
        problems.append(f"path {path} is not .../messages")
    if h.get("anthropic-version") != "2023-06-01":
        problems.append("the anthropic-version header is not 2023-06-01")
    if key and h.get("x-api-key") != key:
        problems.append("the x-api-key header is missing or wrong")
    for f in ("model", "max_tokens", "messages"):
        if f not in body:
            problems.append(f"body: no {f}")
    msgs = body.get("messages", [])
    if not isinstance(msgs, list) or not msgs or msgs[0].get("role") != "user":
        problems.append("body.messages: must start with a user turn")
    if "system" in body and not isinstance(body["system"], (str, list)):
        problems.append("body.system: not a string")
    tools = body.get("tools", [])
    tc = body.get("tool_choice", {})
    if len(tools) != 1 or not isinstance(tools[0].get("input_schema"), dict):
        problems.append("body.tools: not one tool with an input_schema")
        return {}
    if tc.get("type") != "tool" or tc.get("name") != tools[0].get("name"):
        problems.append("body.tool_choice: does not force the one tool")
    check_schema(tools[0]["input_schema"], "body.tools[0].input_schema", problems)
    return tools[0]["input_schema"]


def find_pii(text, known):
    found = []
    for rx, kind in ((EMAIL, "email"), (PHONE, "phone"), (IBAN, "iban")):
        for m in rx.finditer(text):
            found.append(f"{kind}:{m.group(0)}")
    low = text.lower()
    for k in known:
        if k and k.lower() in low:
            found.append(f"known:{k}")
    return found


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet
        pass

    def reply(self, status, obj, headers=None, raw=None):
        data = raw if raw is not None else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.reply(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

    def do_POST(self):
        cfg = self.server.cfg
        n_bytes = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n_bytes)
        problems = []
        if self.headers.get("Content-Type", "").split(";")[0] != "application/json":
            problems.append("Content-Type is not application/json")
        try:
            body = json.loads(raw)
        except ValueError:
            body, problems = {}, problems + ["the body is not JSON"]
        path = self.path
        anthropic = path.endswith("/messages")
        azure = "/openai/deployments/" in path
        if anthropic:
            schema = check_anthropic(self.headers, path, body, problems, cfg.key)
        else:
            schema = check_openai(self.headers, path, body, problems, azure, cfg.key)
        text = raw.decode("utf-8", "replace")
        try:  # the strings as sent, JSON escapes undone
            text = json.dumps(body, ensure_ascii=False)
        except ValueError:
            pass
        pii = find_pii(text, cfg.pii)
        with LOCK:
            STATE["n"] += 1
            n = STATE["n"]
            lines, stamp = [], None
            if cfg.script and os.path.exists(cfg.script):
                stamp = os.stat(cfg.script).st_mtime_ns
                with open(cfg.script, encoding="utf-8") as f:
                    lines = [x.rstrip("\n") for x in f if x.strip()]
            if stamp != STATE.get("stamp"):  # a new script starts at its first line
                STATE["stamp"], STATE["k"] = stamp, 0
            STATE["k"] += 1
            mode = lines[min(STATE["k"], len(lines)) - 1] if lines else "good"
            with open(cfg.log, "a", encoding="utf-8") as f:
                f.write(json.dumps({"n": n, "api": "anthropic" if anthropic else
                                    "azure" if azure else "openai", "path": path,
                                    "mode": mode.split(" ")[0], "problems": problems,
                                    "pii": pii, "body": body,
                                    "traceparent": self.headers.get("traceparent")}) + "\n")
        model = body.get("model", "fake")
        word, _, arg = mode.partition(" ")
        if word == "hang":
            time.sleep(60)
            return
        if word == "429":
            err = {"error": {"message": "Rate limit reached", "type": "requests",
                             "code": "rate_limit_exceeded"}}
            if anthropic:
                err = {"type": "error", "error": {"type": "rate_limit_error",
                                                  "message": "Rate limited"}}
            return self.reply(429, err, {"Retry-After": "1"})
        if word == "500":
            err = {"error": {"message": "The server had an error", "type": "server_error"}}
            if anthropic:
                err = {"type": "error", "error": {"type": "api_error",
                                                  "message": "Internal server error"}}
            return self.reply(500, err)
        if word == "overloaded":
            if anthropic:
                return self.reply(529, {"type": "error", "error": {
                    "type": "overloaded_error", "message": "Overloaded"}})
            return self.reply(503, {"error": {"message": "overloaded", "type": "server_error"}})
        answer = instance(schema, grant=word == "grant")
        if word == "answer":
            answer = json.loads(arg)
        if word == "schema" and isinstance(answer, dict) and answer:
            answer.pop(next(iter(answer)))
        if word == "big":
            answer = instance(schema)
            for k in list(answer):
                if isinstance(answer[k], str):
                    answer[k] = "y" * int(arg)
        content = json.dumps(answer)
        if word == "malformed":
            content = '{"ok": tru'
        if word == "truncated":
            content = content[: max(1, len(content) // 2)]
        usage_in, usage_out = len(raw) // 4, max(1, len(content) // 4)
        usage = word != "nousage"
        if anthropic:
            blocks = [{"type": "tool_use", "id": "toolu_01", "name":
                       "approve_discount" if word == "tool" else "answer",
                       "input": {"pct": 40} if word == "tool" else answer}]
            stop = "tool_use"
            if word == "malformed":
                blocks = [{"type": "text", "text": content}]
                stop = "end_turn"
            if word == "truncated":
                blocks, stop = [{"type": "text", "text": content}], "max_tokens"
            if word == "filtered":
                blocks, stop = [], "refusal"
            return self.reply(200, {"id": f"msg_{n}", "type": "message", "role": "assistant",
                                    "model": model, "content": blocks, "stop_reason": stop,
                                    "stop_sequence": None,
                                    "usage": {"input_tokens": usage_in,
                                              "output_tokens": usage_out}})
        msg = {"role": "assistant", "content": content, "refusal": None}
        finish = "stop"
        if word == "tool":
            msg = {"role": "assistant", "content": None, "tool_calls": [
                {"id": "call_1", "type": "function", "function": {
                    "name": "approve_discount", "arguments": "{\"pct\": 40}"}}]}
            finish = "tool_calls"
        if word == "filtered":
            msg, finish = {"role": "assistant", "content": None, "refusal": None}, "content_filter"
        if word == "truncated":
            finish = "length"
        out = {"id": f"chatcmpl-{n}", "object": "chat.completion",
               "created": int(time.time()), "model": model,
               "choices": [{"index": 0, "message": msg, "finish_reason": finish}],
               "usage": {"prompt_tokens": usage_in, "completion_tokens": usage_out,
                         "total_tokens": usage_in + usage_out}}
        if not usage:
            del out["usage"]
        return self.reply(200, out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--script")
    ap.add_argument("--pii", help="a file of personal strings, one a line")
    ap.add_argument("--key")
    cfg = ap.parse_args()
    pii_file, cfg.pii = cfg.pii, []
    if pii_file:
        with open(pii_file, encoding="utf-8") as f:
            cfg.pii = [x.strip() for x in f if x.strip()]
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.cfg = cfg
    tmp = cfg.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.replace(tmp, cfg.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
