#!/usr/bin/env python3
# A test-only RTP echo: returns every datagram to its source on each of the given UDP ports
# and, on SIGTERM, writes "PORT COUNT" lines (datagrams echoed per port) to the output file.
import selectors, signal, socket, sys

out = sys.argv[1]
ports = [int(p) for p in sys.argv[2:]]
counts = {p: 0 for p in ports}
sel = selectors.DefaultSelector()
for p in ports:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", p))
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ, p)

def finish(*_):
    with open(out, "w") as f:
        for p in ports:
            f.write(f"{p} {counts[p]}\n")
    sys.exit(0)

signal.signal(signal.SIGTERM, finish)
open(out + ".ready", "w").close()
while True:
    for key, _ in sel.select(timeout=1):
        while True:
            try:
                data, src = key.fileobj.recvfrom(2048)
            except BlockingIOError:
                break
            key.fileobj.sendto(data, src)
            counts[key.data] += 1
