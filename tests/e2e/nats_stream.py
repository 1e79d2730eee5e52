"""Read the JetStream stream DEALWRIGHT from outside, over the NATS protocol (no client
library): the tests count its messages by message id.

    nats_stream.py PORT dump      one line per message: STREAM_SEQ MSG_ID DW_SEQ SUBJECT
    nats_stream.py PORT info      the stream's state (JSON)
    nats_stream.py PORT consumer  the webhook consumer's state (JSON)
"""
import base64, json, socket, sys


class Nats:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.f = self.s.makefile("rb")
        self.f.readline()  # INFO
        self.s.sendall(b'CONNECT {"verbose":false,"pedantic":false,"headers":true,'
                       b'"no_responders":true}\r\nSUB _INBOX.dwtest 1\r\n')

    def request(self, subject, payload=b""):
        self.s.sendall(b"PUB %s _INBOX.dwtest %d\r\n%s\r\n" % (subject.encode(), len(payload), payload))
        while True:
            line = self.f.readline()
            if not line:
                raise SystemExit("nats: connection closed")
            if line.startswith(b"PING"):
                self.s.sendall(b"PONG\r\n")
                continue
            if line.startswith(b"-ERR"):
                raise SystemExit("nats: " + line.decode())
            parts = line.split()
            if parts and parts[0] in (b"MSG", b"HMSG"):
                total = int(parts[-1])
                body = self.f.read(total + 2)[:total]
                if parts[0] == b"HMSG":
                    body = body[int(parts[-2]):]
                return json.loads(body) if body else {}


def headers(raw):
    out = {}
    for line in raw.decode().split("\r\n")[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            out[k.strip()] = v.strip()
    return out


def main():
    port, what = int(sys.argv[1]), sys.argv[2]
    n = Nats(port)
    if what == "info":
        print(json.dumps(n.request("$JS.API.STREAM.INFO.DEALWRIGHT")))
    elif what == "consumer":
        print(json.dumps(n.request("$JS.API.CONSUMER.INFO.DEALWRIGHT.dealwright-webhooks")))
    elif what == "dump":
        st = n.request("$JS.API.STREAM.INFO.DEALWRIGHT")["state"]
        if st["messages"] == 0:
            return
        for seq in range(st["first_seq"], st["last_seq"] + 1):
            m = n.request("$JS.API.STREAM.MSG.GET.DEALWRIGHT", json.dumps({"seq": seq}).encode())
            if "message" not in m:
                continue
            h = headers(base64.b64decode(m["message"].get("hdrs", "")))
            print(seq, h.get("Nats-Msg-Id", "-"), h.get("Dw-Seq", "-"), m["message"]["subject"])


main()
