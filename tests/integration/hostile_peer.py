#!/usr/bin/env python3
"""A hostile SIP UAS on loopback UDP, for tests/integration/hostile_peer_test.sh.

hostile_peer.py MODE PORT_FILE LOG_FILE CORPUS_DIR [SEED]

Binds 127.0.0.1:0, writes its port to PORT_FILE, then answers every INVITE (and BYE, ACK,
CANCEL) it receives according to MODE:
  correct     100, 180, 200 with SDP; 200 to BYE and CANCEL (plus 487 to the INVITE)
  garbage     bytes from the fuzz corpus, truncated or with flipped bytes, or random bytes
              (one call in six is answered, and its BYE gets the garbage)
  malformed   broken status lines, missing Via/CSeq/Call-ID, wrong CSeq method, bad
              Content-Length, an SDP that does not parse
  misordered  200 before 180, 180 after 200, a 200 for an unknown Call-ID or branch, a BYE
              response before the BYE, two To tags; ringing until CANCEL, then the 487 before
              the CANCEL's 200, or a 200 to the INVITE racing the CANCEL
  duplicated  every response 3 times, the 2xx to the INVITE 10 more times
  oversized   60+ KB responses (up to the UDP maximum) and headers with huge values
  mixed       a per-call choice (seeded by SEED and the call's index) among the above and
              correct
One line per call goes to LOG_FILE: "INDEX MODE CALL-ID". Runs until SIGTERM.
"""
import os
import random
import select
import signal
import socket
import sys
import time

MAX_UDP = 65507
MODES = ["correct", "garbage", "malformed", "misordered", "duplicated", "oversized"]

mode, port_file, log_file, corpus_dir = sys.argv[1:5]
seed = int(sys.argv[5]) if len(sys.argv) > 5 else 1
corpus = [open(os.path.join(corpus_dir, f), "rb").read() for f in sorted(os.listdir(corpus_dir))]

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
sock.bind(("127.0.0.1", 0))
with open(port_file + ".tmp", "w") as f:
    f.write(str(sock.getsockname()[1]))
os.rename(port_file + ".tmp", port_file)
log = open(log_file, "a", buffering=1)

running = True


def stop(*_):
    global running
    running = False


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)

pending = []  # (due, seq, bytes, addr): sends scheduled for later
seq = 0


def send(data, addr, delay=0.0):
    global seq
    seq += 1
    pending.append((time.monotonic() + delay, seq, data[:MAX_UDP], addr))


def parse(data):
    """Method, headers (lower-case name -> first value) and the raw text, or None."""
    try:
        text = data.decode("utf-8", "replace")
        head = text.split("\r\n\r\n", 1)[0]
        lines = head.split("\r\n")
        method = lines[0].split(" ", 1)[0]
        if lines[0].startswith("SIP/2.0"):
            return None
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers.setdefault(name.strip().lower(), value.strip())
        return method, headers
    except Exception:
        return None


SDP = ("v=0\r\no=peer 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
       "m=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n")


def response(req, code, reason, tag="peer1", body="", drop=(), override=None, extra="",
             content_length=None, status_line=None):
    """A response to req (method, headers); drop: header names to leave out; override: header
    name -> value."""
    _, h = req
    hdrs = [("Via", h.get("via", "")), ("From", h.get("from", "")),
            ("To", h.get("to", "") + (";tag=" + tag if tag and "tag=" not in h.get("to", "") else "")),
            ("Call-ID", h.get("call-id", "")), ("CSeq", h.get("cseq", "")),
            ("Contact", "<sip:peer@127.0.0.1:%d>" % sock.getsockname()[1])]
    if body:
        hdrs.append(("Content-Type", "application/sdp"))
    out = [status_line or "SIP/2.0 %d %s" % (code, reason)]
    for name, value in hdrs:
        if name in drop:
            continue
        out.append("%s: %s" % (name, (override or {}).get(name, value)))
    if extra:
        out.append(extra)
    cl = len(body.encode()) if content_length is None else content_length
    out.append("Content-Length: %s" % cl)
    return ("\r\n".join(out) + "\r\n\r\n" + body).encode()


def cseq_num(req):
    try:
        return int(req[1].get("cseq", "1").split()[0])
    except ValueError:
        return 1


def mutate(rng, data):
    data = bytearray(data)
    kind = rng.randrange(5)
    if kind == 0:  # truncated
        data = data[:rng.randrange(1, max(2, len(data)))]
    elif kind == 1:  # byte flips
        for _ in range(rng.randrange(1, 20)):
            i = rng.randrange(len(data))
            data[i] = rng.randrange(256)
    elif kind == 2:  # random bytes
        data = bytearray(rng.randbytes(rng.randrange(1, 2000)))
    elif kind == 3:  # a status line glued to a request's bytes
        data = bytearray(b"SIP/2.0 200 OK\r\n") + data[data.find(b"\n") + 1:]
    else:  # NULs and a cut header
        data = data[:len(data) // 2] + b"\x00\x00\r\nVia\r\n\r\n"
    return bytes(data)


calls = {}  # Call-ID -> (index, mode)


def call_mode(call_id):
    if call_id not in calls:
        index = len(calls)
        m = mode
        if mode == "mixed":
            m = random.Random(seed * 1000003 + index).choice(MODES + ["correct"])
        calls[call_id] = (index, m)
        log.write("%d %s %s\n" % (index, m, call_id))
    return calls[call_id]


def answer_invite(req, addr, m, index):
    rng = random.Random(seed * 7919 + index)
    trying = response(req, 100, "Trying", tag="")
    ringing = response(req, 180, "Ringing")
    ok = response(req, 200, "OK", body=SDP)
    v = int(os.environ.get("HOSTILE_VARIANT", index)) % 6  # HOSTILE_VARIANT: one variant for every call
    if m == "correct":
        send(trying, addr); send(ringing, addr); send(ok, addr, 0.05)
    elif m == "garbage" and v == 5:  # answered, then garbage to the BYE
        send(trying, addr); send(ringing, addr); send(ok, addr, 0.02)
    elif m == "garbage":
        for _ in range(3):
            send(mutate(rng, rng.choice(corpus)), addr)
        if v == 0:
            send(corpus[1], addr)  # the corpus's 200: a stray for a call we never placed
    elif m == "malformed":
        h = req[1]
        variants = [
            [response(req, 200, "OK", body=SDP, status_line="SIP/2.0 2OO OK")],
            [response(req, 200, "OK", body=SDP, status_line="SIP/2.0 200"), response(req, 180, "Ringing", status_line="SIP/3.0 180 Ringing")],
            [response(req, 200, "OK", body=SDP, drop=("Via",)), response(req, 200, "OK", body=SDP, drop=("CSeq",)),
             response(req, 200, "OK", body=SDP, drop=("Call-ID",))],
            [response(req, 200, "OK", body=SDP, override={"CSeq": "%d BYE" % cseq_num(req)}),
             response(req, 200, "OK", body=SDP, override={"CSeq": "abc INVITE"})],
            [response(req, 200, "OK", body=SDP, content_length=len(SDP) + 500),
             response(req, 200, "OK", body=SDP, content_length="-5"),
             response(req, 200, "OK", body=SDP, content_length="1e9")],
            [response(req, 180, "Ringing"),
             response(req, 200, "OK", body="v=banana\r\nm=audio x RTP/AVP\r\nc=IN IP9\r\n\x00\xff")],
        ]
        for msg in variants[v]:
            send(msg, addr)
    elif m == "misordered" and v >= 4:  # ringing until CANCEL (see handle)
        send(ringing, addr)
    elif m == "misordered":
        if v % 4 == 0:  # 200 before 180, and a 180 after the 200
            send(ok, addr); send(ringing, addr); send(ringing, addr, 0.05)
        elif v % 4 == 1:  # a 200 for an unknown Call-ID and one for an unknown branch, then right
            other = (req[0], dict(req[1]))
            other[1]["call-id"] = "unknown-" + h_get(req, "call-id")
            send(response(other, 200, "OK", body=SDP), addr)
            other = (req[0], dict(req[1]))
            other[1]["via"] = h_get(req, "via").replace("branch=", "branch=z9hG4bKnotours")
            send(response(other, 200, "OK", body=SDP), addr)
            send(ringing, addr); send(ok, addr, 0.02)
        elif v % 4 == 2:  # a 200 to a BYE not yet sent
            bye = (req[0], dict(req[1]))
            bye[1]["cseq"] = "%d BYE" % (cseq_num(req) + 1)
            send(ok, addr); send(response(bye, 200, "OK"), addr)
        else:  # 200 with one tag, then 180 and 200 with another
            send(response(req, 200, "OK", body=SDP, tag="a"), addr)
            send(response(req, 180, "Ringing", tag="b"), addr)
            send(response(req, 200, "OK", body=SDP, tag="b"), addr, 0.02)
    elif m == "duplicated":
        for msg in (trying, ringing, ok):
            for _ in range(3):
                send(msg, addr)
        for i in range(10):
            send(ok, addr, 0.02 * (i + 1))
    elif m == "oversized":
        huge = "x" * 60000
        if v % 4 == 0:  # a 60 KB header in the 180, then a normal 200
            send(response(req, 180, "Ringing", extra="X-Huge: " + huge), addr); send(ok, addr, 0.02)
        elif v % 4 == 1:  # a 200 whose SDP is 62 KB
            body = SDP + "".join("a=x-pad:%05d%s\r\n" % (i, "y" * 50) for i in range(1000))
            send(response(req, 200, "OK", body=body), addr)
        elif v % 4 == 2:  # a huge To display name and Via parameter, past the UDP maximum
            send(response(req, 200, "OK", body=SDP,
                          override={"To": '"%s" %s;tag=big' % ("n" * 40000, h_get(req, "to")),
                                    "Via": h_get(req, "via") + ";x=" + "v" * 30000}), addr)
        else:  # a datagram of exactly the UDP maximum
            msg = response(req, 200, "OK", body=SDP, extra="X-Pad: ")
            send(msg.replace(b"X-Pad: ", b"X-Pad: " + b"p" * (MAX_UDP - len(msg))), addr)


def h_get(req, name):
    return req[1].get(name, "")


def handle(data, addr):
    req = parse(data)
    if req is None:
        return
    method, h = req
    call_id = h.get("call-id", "")
    index, m = call_mode(call_id)
    if method == "INVITE":
        answer_invite(req, addr, m, index)
    elif method in ("BYE", "CANCEL"):
        if m == "garbage":
            send(mutate(random.Random(seed + index), corpus[index % len(corpus)]), addr)
            return
        ok = response(req, 200, "OK")
        copies = 3 if m == "duplicated" else 1
        for _ in range(copies):
            send(ok, addr)
        if method == "CANCEL":
            invite = (req[0], dict(h))
            invite[1]["cseq"] = "%d INVITE" % cseq_num(req)
            variant = int(os.environ.get("HOSTILE_VARIANT", index)) % 6
            if m == "misordered" and variant == 4:  # the 487 before the CANCEL's 200
                pending.pop()
                send(response(invite, 487, "Request Terminated"), addr)
                send(ok, addr, 0.01)
            elif m == "misordered" and variant == 5:  # answered while the CANCEL is on its way
                pending.pop()
                send(response(invite, 200, "OK", body=SDP), addr)
                send(ok, addr, 0.01)
            else:
                send(response(invite, 487, "Request Terminated"), addr)
    elif method == "ACK":
        pass


while running:
    now = time.monotonic()
    pending.sort()
    while pending and pending[0][0] <= now:
        _, _, data, addr = pending.pop(0)
        try:
            sock.sendto(data, addr)
        except OSError as e:
            print("hostile_peer: send of %d bytes: %s" % (len(data), e), file=sys.stderr)
    timeout = max(0.0, pending[0][0] - now) if pending else 0.2
    try:
        ready, _, _ = select.select([sock], [], [], timeout)
    except InterruptedError:
        continue
    if ready:
        data, addr = sock.recvfrom(MAX_UDP + 1)
        handle(data, addr)
