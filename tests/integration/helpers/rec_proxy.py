#!/usr/bin/env python3
"""rec_proxy.py: a small forwarding HTTP proxy that records every request
it is given, so that a test can tell whether (and for what) a proxy was
used. CONNECT tunnels are relayed as they are; absolute-form requests
(plain http through a proxy) are forwarded, and their header lines are
logged too (they are what a proxy sees of a plain-http exchange).

  rec_proxy.py LOG PORTFILE

Writes its port to PORTFILE once it listens; appends one line per request
line and, for plain requests, one per header line ("  Name: value") to LOG.
"""
import os
import select
import socket
import socketserver
import sys
import threading

LOG, PORTFILE = sys.argv[1], sys.argv[2]
lock = threading.Lock()


def log(line):
    with lock, open(LOG, "a") as f:
        f.write(line + "\n")


def relay(a, b):
    socks = [a, b]
    while True:
        r, _, _ = select.select(socks, [], [], 30)
        if not r:
            return
        for s in r:
            data = s.recv(65536)
            if not data:
                return
            (b if s is a else a).sendall(data)


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        c = self.request
        head = b""
        while b"\r\n\r\n" not in head:
            d = c.recv(65536)
            if not d:
                return
            head += d
        head, _, rest = head.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, version = lines[0].split(" ", 2)
        log(lines[0])
        if method == "CONNECT":
            host, port = target.rsplit(":", 1)
            up = socket.create_connection((host, int(port)), timeout=10)
            c.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            if rest:
                up.sendall(rest)
            relay(c, up)
            up.close()
            return
        for h in lines[1:]:
            log("  " + h)
        # http://host[:port]/path -> origin form, one exchange, then close
        hostport, _, path = target[len("http://"):].partition("/")
        host, _, port = hostport.partition(":")
        up = socket.create_connection((host, int(port or 80)), timeout=10)
        kept = [h for h in lines[1:]
                if not h.lower().startswith(("proxy-", "connection:"))]
        req = "\r\n".join(["%s /%s %s" % (method, path, version)] + kept +
                          ["Connection: close", "", ""])
        up.sendall(req.encode("latin-1") + rest)
        relay(c, up)
        up.close()


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


srv = Server(("127.0.0.1", 0), Handler)
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(PORTFILE + ".tmp", PORTFILE)
srv.serve_forever()
