#!/usr/bin/env python3
"""A health endpoint that misbehaves, for the chaos test: `chaos_http.py MODE PORT_FILE`.

Listens on 127.0.0.1 (a free port, written to PORT_FILE) and answers every request:
  hang     accepts and reads the request, never answers (until the client gives up)
  garbage  200 OK with a body that is neither JSON nor UTF-8
  slow     a valid JSON-RPC reply ({"result": {"all": 0}}) after 0.7 s (within the 1 s request timeout)
  slower   the same after 1.5 s (past it)
"""
import os
import socket
import sys
import threading
import time

mode, port_file = sys.argv[1], sys.argv[2]
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", 0))
server.listen(64)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.getsockname()[1]))
os.rename(port_file + ".tmp", port_file)


def reply(body, status="200 OK"):
    return (f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\n"
            "Content-Type: application/json\r\nConnection: close\r\n\r\n").encode() + body


def serve(conn):
    try:
        conn.settimeout(30)
        conn.recv(65536)
        if mode == "hang":
            time.sleep(30)
        elif mode == "garbage":
            conn.sendall(reply(b"\xff\xfe{\"result\": \xc3\x28 not json\x00\x01"))
        elif mode in ("slow", "slower"):
            time.sleep(0.7 if mode == "slow" else 1.5)
            conn.sendall(reply(b'{"jsonrpc":"2.0","result":{"all":0},"id":1}'))
    except OSError:
        pass
    finally:
        conn.close()


while True:
    c, _ = server.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
