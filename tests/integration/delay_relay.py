#!/usr/bin/env python3
"""A transparent UDP relay that holds every datagram for a fixed time: test-only ground truth
for RTT, since netem is not available. nftables TPROXY steers datagrams to it (port
--port); it learns each one's original destination (IP_RECVORIGDSTADDR) and, --delay-ms
later, sends it on from the original source address (IP_TRANSPARENT), so the receiver sees
the same 5-tuple as without the relay (symmetric RTP latching stays correct).

Runs until SIGTERM/SIGINT, then prints "relayed N" on stderr."""
import argparse
import heapq
import select
import signal
import socket
import struct
import sys
import time

IP_TRANSPARENT = 19
IP_RECVORIGDSTADDR = 20
IP_ORIGDSTADDR = 20


def transparent_socket(bind):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_IP, IP_TRANSPARENT, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(bind)
    return s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--delay-ms", type=float, default=20.0)
    args = ap.parse_args()
    delay = args.delay_ms / 1000.0

    listener = transparent_socket(("0.0.0.0", args.port))
    listener.setsockopt(socket.SOL_IP, IP_RECVORIGDSTADDR, 1)
    listener.setblocking(False)
    senders = {}  # original source address -> a socket bound to it
    queue = []    # (due, seq, data, src, dst)
    seq = 0
    relayed = 0
    running = True

    def stop(*_):
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("ready", flush=True)
    while running:
        timeout = max(0.0, queue[0][0] - time.monotonic()) if queue else 0.5
        try:
            readable, _, _ = select.select([listener], [], [], timeout)
        except InterruptedError:
            continue
        if readable:
            while True:
                try:
                    data, anc, _, src = listener.recvmsg(2048, 64)
                except BlockingIOError:
                    break
                dst = None
                for level, kind, value in anc:
                    if level == socket.SOL_IP and kind == IP_ORIGDSTADDR:
                        port, = struct.unpack("!H", value[2:4])
                        dst = (socket.inet_ntoa(value[4:8]), port)
                if dst is None:
                    continue
                heapq.heappush(queue, (time.monotonic() + delay, seq, data, src, dst))
                seq += 1
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, data, src, dst = heapq.heappop(queue)
            sender = senders.get(src)
            if sender is None:
                sender = senders[src] = transparent_socket(src)
            sender.sendto(data, dst)
            relayed += 1
    print(f"relayed {relayed}", file=sys.stderr)


if __name__ == "__main__":
    main()
