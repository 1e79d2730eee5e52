#!/usr/bin/python3
"""A small SMTP server on loopback for the mail tests: it speaks enough ESMTP for libcurl
(EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), and records each message it accepts as one JSON
line in the log ({mail_from, rcpt, message_id, data}) at the moment it answers 250 to the
message. Like a careful relay, it takes responsibility for a message only while its client is
still there: a message whose client has gone before the 250 is sent is dropped.

Usage: smtp_sink.py PORT_FILE LOG [--stall N] [--tempfail N] [--permfail-rcpt ADDR]
  --stall N         the first N messages: after the final ".", write LOG.stalled and wait
                    (up to 30 s) before answering, so that a test can kill the sender then
  --tempfail N      the first N messages are answered 451 (try again later)
  --permfail-rcpt A  RCPT TO:<A> is answered 550 (no such user)
"""
import email
import email.policy
import json
import os
import select
import socket
import sys
import threading
import time

args = sys.argv[1:]
port_file, log_path = args[0], args[1]
opts = {'--stall': 0, '--tempfail': 0, '--permfail-rcpt': ''}
i = 2
while i < len(args):
    opts[args[i]] = type(opts[args[i]])(args[i + 1])
    i += 2
lock = threading.Lock()
counters = {'stall': opts['--stall'], 'tempfail': opts['--tempfail']}


def take(name):
    with lock:
        if counters[name] > 0:
            counters[name] -= 1
            return True
        return False


def client_gone(conn):
    """True when the client closed its end (EOF readable without blocking)."""
    r, _, _ = select.select([conn], [], [], 0)
    if not r:
        return False
    try:
        return conn.recv(1, socket.MSG_PEEK) == b''
    except OSError:
        return True


def serve(conn):
    f = conn.makefile('rb')
    send = lambda s: conn.sendall(s.encode() + b'\r\n')
    send('220 sink.test ESMTP ready')
    mail_from, rcpt = None, []
    try:
        while True:
            line = f.readline()
            if not line:
                return
            cmd = line.decode('utf-8', 'replace').rstrip('\r\n')
            up = cmd.upper()
            if up.startswith('EHLO'):
                conn.sendall(b'250-sink.test\r\n250-8BITMIME\r\n250 SIZE 20000000\r\n')
            elif up.startswith('HELO'):
                send('250 sink.test')
            elif up.startswith('MAIL FROM:'):
                mail_from, rcpt = cmd[10:].strip().split(' ')[0].strip('<>'), []
                send('250 2.1.0 Ok')
            elif up.startswith('RCPT TO:'):
                addr = cmd[8:].strip().strip('<>')
                if opts['--permfail-rcpt'] and addr == opts['--permfail-rcpt']:
                    send('550 5.1.1 <%s>: Recipient address rejected: User unknown' % addr)
                else:
                    rcpt.append(addr)
                    send('250 2.1.5 Ok')
            elif up == 'DATA':
                send('354 End data with <CR><LF>.<CR><LF>')
                lines = []
                while True:
                    l = f.readline()
                    if not l:
                        return
                    if l in (b'.\r\n', b'.\n'):
                        break
                    lines.append(l[1:] if l.startswith(b'..') else l)
                data = b''.join(lines)
                if take('stall'):
                    open(log_path + '.stalled', 'w').close()
                    for _ in range(300):
                        if client_gone(conn):
                            return  # never answered: the message is not ours
                        time.sleep(0.1)
                if take('tempfail'):
                    send('451 4.3.0 Try again later')
                    continue
                if client_gone(conn):
                    return
                msg = email.message_from_bytes(data, policy=email.policy.default)
                rec = {'mail_from': mail_from, 'rcpt': rcpt,
                       'message_id': str(msg['Message-ID'] or ''),
                       'data': data.decode('utf-8', 'replace')}
                send('250 2.0.0 Ok: queued')
                with lock, open(log_path, 'a') as log:
                    log.write(json.dumps(rec) + '\n')
                    log.flush()
                    os.fsync(log.fileno())
            elif up == 'RSET':
                mail_from, rcpt = None, []
                send('250 2.0.0 Ok')
            elif up == 'NOOP':
                send('250 2.0.0 Ok')
            elif up == 'QUIT':
                send('221 2.0.0 Bye')
                return
            else:
                send('502 5.5.2 Error: command not recognized')
    except (ConnectionError, OSError):
        return
    finally:
        conn.close()


s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', 0))
s.listen(16)
with open(port_file + '.tmp', 'w') as pf:
    pf.write(str(s.getsockname()[1]))
os.rename(port_file + '.tmp', port_file)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
