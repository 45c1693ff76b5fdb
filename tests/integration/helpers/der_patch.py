#!/usr/bin/env python3
"""der_patch.py: rewrites INTEGERs inside a DER (or PEM) structure and
re-encodes every enclosing length, so that tests can make files that no
tool would write (a keystore whose KDF iteration count is 2^31-1) without
spending the cost of making them honestly.

  der_patch.py IN OUT OLD NEW [NTH]

replaces the NTH (1-based; 0 = every) INTEGER whose value is OLD by NEW,
walking constructed values and OCTET STRINGs that hold DER (PKCS#12 keeps
its safes inside OCTET STRINGs). PEM input is written back as PEM with the
same label. Exits 1 when no INTEGER matched.
"""
import base64
import re
import sys


def read_tlv(b, i):
    tag = b[i]
    i += 1
    n = b[i]
    i += 1
    if n & 0x80:
        k = n & 0x7F
        if k == 0:
            raise ValueError("indefinite length")
        n = int.from_bytes(b[i:i + k], "big")
        i += k
    if tag & 0x1F == 0x1F or i + n > len(b):
        raise ValueError("not DER")
    return tag, b[i:i + n], i + n


def is_der(b):
    """Whether b is wholly DER (constructed values checked inside)."""
    try:
        items = parse_all(b)
    except (ValueError, IndexError):
        return False
    return bool(items) and all(not t & 0x20 or is_der(v) or not v
                               for t, v in items)


def enc_len(n):
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def enc_int(v):
    raw = v.to_bytes(max(1, (v.bit_length() + 8) // 8), "big", signed=True)
    return raw


def parse_all(b):
    out, i = [], 0
    while i < len(b):
        tag, val, i = read_tlv(b, i)
        out.append((tag, val))
    return out


class Patcher:
    def __init__(self, old, new, nth):
        self.old, self.new, self.nth, self.seen, self.done = old, new, nth, 0, 0

    def walk(self, b):
        res = b""
        for tag, val in parse_all(b):
            if tag == 0x02 and int.from_bytes(val, "big", signed=True) == self.old:
                self.seen += 1
                if self.nth in (0, self.seen):
                    val = enc_int(self.new)
                    self.done += 1
            elif tag & 0x20:
                val = self.walk(val)
            elif tag == 0x04 and val and val[0] == 0x30 and is_der(val):
                val = self.walk(val)
            res += bytes([tag]) + enc_len(len(val)) + val
        return res


def main():
    src, dst, old, new = sys.argv[1:5]
    nth = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    data = open(src, "rb").read()
    m = re.search(rb"-----BEGIN ([^-]+)-----(.*?)-----END \1-----", data, re.S)
    der = base64.b64decode(b"".join(m.group(2).split())) if m else data
    p = Patcher(int(old), int(new), nth)
    out = p.walk(der)
    if p.done == 0:
        sys.exit("der_patch: no INTEGER %s found" % old)
    if m:
        b64 = base64.b64encode(out).decode()
        lines = [b64[i:i + 64] for i in range(0, len(b64), 64)]
        label = m.group(1).decode()
        out = ("-----BEGIN %s-----\n%s\n-----END %s-----\n"
               % (label, "\n".join(lines), label)).encode()
    open(dst, "wb").write(out)


if __name__ == "__main__":
    main()
