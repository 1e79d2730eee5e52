#!/usr/bin/python3
"""An OpenTelemetry collector on loopback for the trace tests: it takes OTLP/HTTP with the JSON
encoding (POST /v1/traces, Content-Type: application/json), checks each request against the
protocol's ExportTraceServiceRequest shape, and appends every span it accepts as one JSON line
to the log, with its resource's service.name beside it. A request that is not what the
protocol says is answered 400 and written to LOG.bad with the reason, so that a test fails on
it; anything else is answered 200 with an empty ExportTraceServiceResponse.

Usage: otlp_sink.py PORT_FILE LOG [--status CODE:N]
  --status CODE:N  answer the first N export requests with CODE (a retryable 503, say)
"""
import http.server
import json
import re
import sys
import threading

port_file, log_path = sys.argv[1], sys.argv[2]
forced = [0, 0]
if len(sys.argv) > 4 and sys.argv[3] == '--status':
    code, n = sys.argv[4].split(':')
    forced = [int(code), int(n)]
lock = threading.Lock()
HEX32 = re.compile(r'^[0-9a-f]{32}$')
HEX16 = re.compile(r'^[0-9a-f]{16}$')
DIGITS = re.compile(r'^[0-9]+$')


def check_value(v):
    if not isinstance(v, dict) or len(v) != 1:
        return 'an attribute value is one of stringValue, intValue, ...'
    k, x = next(iter(v.items()))
    if k == 'stringValue' and isinstance(x, str):
        return None
    if k == 'intValue' and isinstance(x, str) and re.match(r'^-?[0-9]+$', x):
        return None
    if k in ('boolValue',) and isinstance(x, bool):
        return None
    return 'attribute value %r' % (v,)


def check_attrs(attrs):
    if not isinstance(attrs, list):
        return 'attributes is a list'
    for a in attrs:
        if not isinstance(a, dict) or not isinstance(a.get('key'), str) or 'value' not in a:
            return 'an attribute is {key, value}'
        why = check_value(a['value'])
        if why:
            return why
    return None


def check_span(s):
    if not HEX32.match(s.get('traceId', '')) or s['traceId'] == '0' * 32:
        return 'traceId is 32 lowercase hex digits, not all zero'
    if not HEX16.match(s.get('spanId', '')) or s['spanId'] == '0' * 16:
        return 'spanId is 16 lowercase hex digits, not all zero'
    if 'parentSpanId' in s and not HEX16.match(s['parentSpanId']):
        return 'parentSpanId is 16 lowercase hex digits'
    if not isinstance(s.get('name'), str) or not s['name']:
        return 'a span has a name'
    if s.get('kind') not in (1, 2, 3, 4, 5):
        return 'kind is a SpanKind number'
    for k in ('startTimeUnixNano', 'endTimeUnixNano'):
        if not isinstance(s.get(k), str) or not DIGITS.match(s[k]):
            return '%s is a decimal string' % k
    if int(s['endTimeUnixNano']) < int(s['startTimeUnixNano']):
        return 'a span ends after it starts'
    why = check_attrs(s.get('attributes', []))
    if why:
        return why
    st = s.get('status', {})
    if not isinstance(st, dict) or st.get('code', 0) not in (0, 1, 2):
        return 'status.code is 0, 1 or 2'
    for link in s.get('links', []):
        if not HEX32.match(link.get('traceId', '')) or not HEX16.match(link.get('spanId', '')):
            return 'a link has hex traceId and spanId'
    return None


def check(req):
    if not isinstance(req, dict) or not isinstance(req.get('resourceSpans'), list):
        return 'the body is an ExportTraceServiceRequest {resourceSpans: [...]}', []
    out = []
    for rs in req['resourceSpans']:
        attrs = rs.get('resource', {}).get('attributes', [])
        why = check_attrs(attrs)
        if why:
            return why, []
        service = None
        for a in attrs:
            if a['key'] == 'service.name':
                service = a['value'].get('stringValue')
        if not service:
            return 'the resource names service.name', []
        for ss in rs.get('scopeSpans', []):
            if not isinstance(ss.get('scope', {}).get('name'), str):
                return 'a scope has a name', []
            for s in ss.get('spans', []):
                why = check_span(s)
                if why:
                    return why, []
                out.append(dict(s, service=service))
    return None, out


class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get('Content-Length', '0'))
        body = self.rfile.read(n)
        with lock:
            if forced[1] > 0:
                forced[1] -= 1
                with open(log_path + '.forced', 'a') as f:
                    f.write('%d\n' % forced[0])
                self.send_response(forced[0])
                self.end_headers()
                return
        why = None
        if self.path != '/v1/traces':
            why = 'path %s is not /v1/traces' % self.path
        elif (self.headers.get('Content-Type') or '').split(';')[0].strip() != 'application/json':
            why = 'Content-Type %r is not application/json' % self.headers.get('Content-Type')
        spans = []
        if not why:
            try:
                why, spans = check(json.loads(body))
            except ValueError as e:
                why = 'not JSON: %s' % e
        with lock:
            if why:
                with open(log_path + '.bad', 'a') as f:
                    f.write(why + '\n')
            else:
                with open(log_path, 'a') as f:
                    for s in spans:
                        f.write(json.dumps(s, sort_keys=True) + '\n')
        self.send_response(400 if why else 200)
        self.send_header('Content-Type', 'application/json')
        self.end_headers()
        self.wfile.write(b'{}')

    def log_message(self, *a):
        pass


srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)
with open(port_file + '.tmp', 'w') as f:
    f.write(str(srv.server_address[1]))
import os  # noqa: E402
os.rename(port_file + '.tmp', port_file)
srv.serve_forever()
