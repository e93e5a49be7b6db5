#!/usr/bin/env python3
"""A management API that never answers some requests, for api_load_test.sh:
`api_hang_http.py PORT_FILE COUNT_FILE`.

Listens on 127.0.0.1 (a free port, written to PORT_FILE). Request 1, 3, 5, ... (in arrival
order) get 200 OK at once; request 2, 4, 6, ... are read and never answered (the connection is
held open for 120 s, until the client gives up). Each time it takes a request it rewrites
COUNT_FILE with "received answered" so the test can compare with what pbxbench counted.
"""
import os
import socket
import sys
import threading
import time

port_file, count_file = sys.argv[1], sys.argv[2]
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", 0))
server.listen(256)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.getsockname()[1]))
os.rename(port_file + ".tmp", port_file)

lock = threading.Lock()
received = 0
answered = 0


def take():
    """Counts a request and says whether it is answered (odd ones in arrival order)."""
    global received, answered
    with lock:
        received += 1
        answer = received % 2 == 1
        if answer:
            answered += 1
        with open(count_file + ".tmp", "w") as f:
            f.write(f"{received} {answered}\n")
        os.rename(count_file + ".tmp", count_file)
        return answer


def read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    return data


def serve(conn):
    conn.settimeout(130)
    try:
        while True:  # keep-alive: several requests may come on one connection
            if read_request(conn) is None:
                return
            answer = take()
            if not answer:
                time.sleep(120)
                return
            body = b'{"result":"ok"}'
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    except OSError:
        pass
    finally:
        conn.close()


while True:
    c, _ = server.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
