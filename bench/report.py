#!/usr/bin/env python3
"""report.py: turns bench/run.sh's results (one JSON object per line) into
docs/performance.md: the machine and date, the figures (medians) with the
ratios measured in the same run, the emulator's request and connection
counts next to the physical limit, and the performance goals with met /
not met. Also prints the report to stdout."""
import argparse
import datetime
import json
import math
import os
import platform
import statistics
import subprocess
import sys


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True,
                              text=True).stdout.strip()
    except OSError:
        return ""


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def us(v):
    if v is None:
        return "—"
    if v >= 10000:
        return "%.1f ms" % (v / 1000)
    if v >= 1000:
        return "%.2f ms" % (v / 1000)
    return "%.0f µs" % v


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fmt_ratio(r):
    return "—" if r is None else "%.2fx" % r


class Results:
    def __init__(self, path):
        self.rows = []
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    self.rows.append(json.loads(line))

    def one(self, name):
        for r in self.rows:
            if r["scenario"] == name and "not_measured" not in r:
                return r
        return None

    def all(self, name):
        return [r for r in self.rows
                if r["scenario"] == name and "not_measured" not in r]

    def missing(self, prefix):
        for r in self.rows:
            if r["scenario"].startswith(prefix) and "not_measured" in r:
                return r["not_measured"]
        return None


def med(r):
    return None if r is None else r.get("median_us")


class Report:
    def __init__(self):
        self.lines = []
        self.checks = []  # (scenario, what, measured, limit)

    def out(self, s=""):
        self.lines.append(s)

    def table(self, head, rows):
        self.out("| " + " | ".join(head) + " |")
        self.out("|" + "|".join("---" for _ in head) + "|")
        for r in rows:
            self.out("| " + " | ".join(str(c) for c in r) + " |")
        self.out()

    def check(self, scenario, what, measured, limit):
        self.checks.append((scenario, what, measured, limit))
        return "%s (limit %s)%s" % (measured, limit,
                                    "" if measured == limit else " **≠**")


COEX_WORK = ["RSA key, `PEM_read_bio_PrivateKey`",
             "EC key, `PEM_read_bio_PrivateKey`",
             "certificate, `PEM_read_bio_X509`",
             "certificate, `OSSL_STORE` `file:`"]
COEX_CTX = ["off-last", "off-first", "on-last", "on-first"]


def coexist_table(R, rep, where):
    """The table for one OpenSSL; returns the worst (time, instructions)
    ratio with uri_pem off and on, or None when nothing was measured."""
    worst = {"off": [0.0, 0.0], "on": [0.0, 0.0]}
    rows = []
    for w, label in enumerate(COEX_WORK):
        base = R.one("%s.coexist.%d.default" % (where, w))
        ibase = R.one("%s.coexist_ir.%d.default" % (where, w))
        if base is None:
            continue
        row = [label, "%.1f µs" % base["median_us"]]
        for c in COEX_CTX:
            t = R.one("%s.coexist.%d.%s" % (where, w, c))
            i = R.one("%s.coexist_ir.%d.%s" % (where, w, c))
            tr = t["ratio"] if t else None
            ir = (i["instructions"] / ibase["instructions"]
                  if i and ibase and ibase["instructions"] else None)
            cell = "—" if tr is None else "%.2fx" % tr
            if ir is not None:
                cell += " (%.3fx)" % ir
            row.append(cell)
            mode = c.split("-")[0]
            if tr is not None:
                worst[mode][0] = max(worst[mode][0], tr)
            if ir is not None:
                worst[mode][1] = max(worst[mode][1], ir)
        rows.append(row)
    if not rows:
        return None
    rep.table(["load (median, default provider alone)", "reference",
               "uri_pem off, hwcloud last", "off, first", "uri_pem on, last",
               "on, first"], rows)
    return worst


def coexist_section(R, rep, goals):
    out = rep.out
    out("## Cost to programs that never name an hwcloud URI")
    out()
    out("`bench/coexist.sh`: ordinary PEM keys and certificates loaded the "
        "ways servers load them, in library contexts that differ only in "
        "their providers: the default provider alone, and with hwcloud "
        "activated last or first, `uri_pem` off or on. Rounds are "
        "interleaved; each cell is the median time's ratio to the default "
        "provider alone, and in brackets the ratio of instructions per load "
        "under callgrind (the same from run to run whatever else the "
        "machine does, so small differences can be read on a busy "
        "machine; the goals below are judged on them). With `uri_pem` off hwcloud offers no decoder, and its "
        "key management, signature, cipher and encoders only from the "
        "first KMS key a process loads.")
    out()
    for where, name in (("host", "this machine's OpenSSL (%s)" %
                         sh("openssl version")),
                        ("deb13", "Debian 13's OpenSSL (%s)" % (
                            (R.one("deb13.openssl") or {}).get(
                                "version", "?")))):
        if R.one("%s.coexist.0.default" % where) is None:
            if where == "host":
                out("not measured: %s" % (R.missing("host.coexist")
                                          or "no result"))
                out()
            continue
        out("### %s" % name)
        out()
        worst = coexist_table(R, rep, where)
        out()
        if worst is None:
            continue
        # Judged on instructions: on a shared machine the medians of
        # microsecond loads move by more than the few percent allowed.
        for mode, limit in (("off", 1.03), ("on", 1.10)):
            t, i = worst[mode]
            goals.append(("%s, `uri_pem` %s: loading ordinary PEM keys and "
                          "certificates within %.2fx of the default provider "
                          "alone (judged on instructions per load)" % (
                              name.split(" (")[0], mode, limit),
                          "worst %.3fx in instructions (time %.2fx)" % (i, t),
                          i <= limit))
    out("With `uri_pem = yes` the decoders that read wrapped URIs take part "
        "in the decodes of the process that has it on; the three hand-off "
        "decoders declare that they only ever give a private key, so "
        "OpenSSL leaves them out of the decode of every certificate's "
        "public key. OpenSSL 3.0 and 3.1 build a decoder chain over every "
        "decoder and every key management's names for each key and "
        "certificate they parse, so each decoder and key management a "
        "provider offers costs a few percent there; OpenSSL 3.2 and later "
        "cache the chains of PEM_read_bio_PrivateKey and the like "
        "(openssl/openssl pull request 21426), while the `file:` store "
        "still builds one per file it opens. Hence `uri_pem = yes` belongs "
        "only in the openssl.cnf of the servers that read wrapped keys "
        "(docs/configuration.md), where it costs microseconds at start-up, "
        "never in the system-wide one.")
    out()


def _pool_words(R):
    """What the warm-up left in the engine's pool (bench/async.sh)."""
    k = R.one("conc.haproxy.kms.rsa@0")
    if k is None or "pool_connections" not in k:
        return "the warm-up is not counted"
    return ("the warm-up adds %d ms of KMS latency so that every client "
            "waits on KMS at once: it opened %d connections, the pool the "
            "measured runs reuse" % (k["warm_delay_ms"],
                                     k["pool_connections"]))


def _cpu_ms(r, key):
    """CPU milliseconds per handshake of one process in one run."""
    if r is None or key not in r or not r.get("handshakes"):
        return None
    return 1000.0 * r[key] / r["handshakes"]


def cpu_section(R, rep, d):
    """Where the CPU of a handshake goes: server, emulator, clients."""
    out = rep.out
    rows, extra = [], {}
    for spec, label in (("rsa", "RSA 2048"), ("ec", "EC P-256")):
        for dl in (0, d):
            cells = []
            for key in ("kms", "file"):
                r = R.one("conc.haproxy.%s.%s@%d" % (key, spec, dl))
                parts = [_cpu_ms(r, k) for k in
                         ("server_cpu_s", "emulator_cpu_s", "cpu_s")]
                if r is None or parts[0] is None or parts[2] is None:
                    cells = None
                    break
                parts[1] = parts[1] or 0.0
                cells.append(parts)
            if cells is None:
                continue
            (ks, ke, kc), (fs, fe, fc) = cells
            extra[(spec, dl)] = (ks - fs, ke - fe, kc - fc)
            rows.append([label, "%d ms" % dl,
                         "%.2f / %.2f" % (ks, fs), "%.2f / %.2f" % (ke, fe),
                         "%.2f / %.2f" % (kc, fc),
                         "%.2f / %.2f" % (ks + ke + kc, fs + fe + fc)])
    if not rows:
        return
    out("CPU per handshake in the same runs (ms; `kms:` / file key): HAProxy "
        "(its thread and the provider's), the emulator (the KMS stand-in) "
        "and the 64 clients, all on this machine's %s cores. When they are "
        "busy, a rate is the inverse of the total, so the file key's rate "
        "is the ceiling for the `kms:` key's." % _ncpu())
    out()
    rep.table(["key", "added latency", "HAProxy", "emulator", "clients",
               "total"], rows)
    ec = extra.get(("ec", 0))
    sv = R.one("sign.ec.curl_sign_verify@0")
    sb = R.one("sign.ec.curl_sign@0")
    if ec is not None:
        words = ("An EC P-256 `kms:` handshake costs %.2f ms more CPU than "
                 "with the file key: HAProxy +%.2f ms, the emulator +%.2f ms, "
                 "the clients %+.2f ms." % (sum(ec), ec[0], ec[1], ec[2]))
        if sv is not None and sb is not None:
            words += (" Of HAProxy's share, decoding and verifying KMS's "
                      "signature locally (docs/security.md) takes about "
                      "%s (the signature figures above: bare request "
                      "plus verification against the bare request)."
                      % us(med(sv) - med(sb)))
        words += (" An EC handshake is cheap, so these fractions of a "
                  "millisecond are a large part of it; on a server whose "
                  "KMS is elsewhere and whose clients are remote, only "
                  "HAProxy's share remains.")
        out(words)
        out()


def _ncpu():
    return str(os.cpu_count() or "?")


def conc_section(R, rep, goals, d):
    """64 clients at once: HAProxy ssl-mode-async, and nginx (bench/async.sh)."""
    out = rep.out
    out("## Many clients at once: HAProxy `ssl-mode-async`")
    out()
    out("64 clients at once (`tests/integration/helpers/tls_load`, one thread "
        "each: connect, full handshake, no session cache and no tickets on "
        "either side, close, again) against HAProxy 2.6 with "
        "`ssl-mode-async` and `nbthread 1`, for %s s per figure after a "
        "warm-up. One HAProxy serves a `kms:` key (a PEM-wrapped URI) and a "
        "local key file of the same type, each with its certificate; the "
        "file-key figure is taken right after the `kms:` one, in the same "
        "HAProxy. Inside HAProxy's jobs the provider sends the KMS sign "
        "request without blocking and the job pauses until the answer is "
        "in (docs/haproxy.md); without `ssl-mode-async` each signature "
        "blocks HAProxy's one thread. Counts: sign requests against "
        "handshakes, new TLS connections to KMS once the engine's pool is "
        "warm (%s), and the most sign requests the emulator had in flight "
        "at once." % (_conc_seconds(R), _pool_words(R)))
    out()
    rows = []
    for spec, label in (("rsa", "RSA 2048"), ("ec", "EC P-256")):
        for dl in (0, d):
            k = R.one("conc.haproxy.kms.%s@%d" % (spec, dl))
            f = R.one("conc.haproxy.file.%s@%d" % (spec, dl))
            goal = 0.9 if dl == 0 else 0.8
            if k is None or f is None:
                why = R.missing("conc") or "no result"
                rows.append([label, "%d ms" % dl, "not measured: %s" % why,
                             "", "", "", "", ""])
                goals.append(("HAProxy ssl-mode-async, 64 clients, %s at %d "
                              "ms: at least %.1fx of the file key's rate" % (
                                  label, dl, goal), "not measured", False))
                continue
            r = ratio(k["per_second"], f["per_second"])
            rows.append([
                label, "%d ms" % dl, "%.0f" % k["per_second"],
                "%.0f" % f["per_second"], fmt_ratio(r),
                "%.0f ms / %.0f ms" % (k["median_ms"], f["median_ms"]),
                "%s; %s" % (
                    rep.check(k["scenario"], "sign requests", k["signs"],
                              k["handshakes"]),
                    rep.check(k["scenario"], "new connections",
                              k["new_connections"], 0)),
                "%d" % k["in_flight_peak"]])
            goals.append(("HAProxy ssl-mode-async, 64 clients, %s at %d ms: "
                          "at least %.1fx of the file key's rate" % (
                              label, dl, goal),
                          "%s (%.0f vs %.0f handshakes/s)" % (
                              fmt_ratio(r), k["per_second"], f["per_second"]),
                          r is not None and r >= goal))
    sync = R.one("conc.haproxy_sync.kms.rsa@%d" % d)
    if sync is not None:
        f = R.one("conc.haproxy.file.rsa@%d" % d)
        rows.append([
            "RSA 2048, **without** `ssl-mode-async`", "%d ms" % d,
            "%.0f" % sync["per_second"],
            "%.0f" % f["per_second"] if f else "—",
            fmt_ratio(ratio(sync["per_second"],
                            f["per_second"] if f else None)),
            "%.0f ms" % sync["median_ms"],
            rep.check(sync["scenario"], "sign requests", sync["signs"],
                      sync["handshakes"]),
            "%d" % sync["in_flight_peak"]])
    rep.table(["key", "added latency", "`kms:` handshakes/s",
               "file key handshakes/s", "ratio", "median handshake "
               "(kms / file)", "sign requests; new TLS connections (limit)",
               "sign requests in flight (peak)"], rows)
    cpu_section(R, rep, d)
    hk = R.one("conc.haproxy.kms.rsa@%d" % d)
    if hk is not None and sync is not None and sync["per_second"] > 0:
        out("When to turn `ssl-mode-async` on: whenever a HAProxy with "
            "`kms:` keys makes more full handshakes per thread than one KMS "
            "round trip allows (1000/latency in ms per second: %.0f at %d "
            "ms). Here it bought %.1fx the handshakes of the same HAProxy "
            "without it (%.0f against %.0f per second, RSA 2048 at %d ms, "
            "one thread). It buys nothing for `scm:` keys (their key is "
            "local once loaded) or resumed sessions (no signature), and "
            "costs one provider thread per provider instance, an eventfd "
            "per handshake in progress and up to `max_connections` "
            "connections to KMS (docs/haproxy.md)." % (
                1000.0 / d if d else 0, d,
                hk["per_second"] / sync["per_second"], hk["per_second"],
                sync["per_second"], d))
        out()
    ng = R.all("conc.nginx.kms.rsa@%d" % d)
    if ng:
        out("nginx 1.22 has no async mode: a `kms:` signature blocks its "
            "worker for the round trip. RSA 2048 `kms:` key, %d ms, the same "
            "64 clients; the second run has the workers the first says are "
            "needed for the async HAProxy's rate:" % d)
        out()
        nrows = []
        for r in sorted(ng, key=lambda r: r["workers"]):
            nrows.append([str(r["workers"]), "%.0f" % r["per_second"],
                          "%.1f" % (r["per_second"] / r["workers"]),
                          rep.check(r["scenario"] + ".w%d" % r["workers"],
                                    "sign requests", r["signs"],
                                    r["handshakes"])])
        rep.table(["nginx workers", "handshakes/s", "per worker",
                   "sign requests (limit)"], nrows)
        one = [r for r in ng if r["workers"] == 1]
        if one and hk is not None and one[0]["per_second"] > 0:
            need = math.ceil(hk["per_second"] / one[0]["per_second"])
            out("One nginx worker: %.0f handshakes/s at %d ms (at most "
                "1000/%d = %.0f per worker, whatever the CPU); the async "
                "HAProxy's %.0f handshakes/s on one thread take %d workers "
                "(docs/nginx.md)." % (one[0]["per_second"], d, d,
                                       1000.0 / d if d else 0,
                                       hk["per_second"], need))
            out()


def h2_section(R, rep, d):
    """A pool of HTTP/1.1 connections against HTTP/2 streams (bench/h2.sh)."""
    out = rep.out
    out("## 64 KMS requests in flight: HTTP/1.1 pool or HTTP/2")
    out()
    out("What the provider's engine does for ASYNC jobs, with libcurl's "
        "multi handle alone (`tests/integration/helpers/emu_burst`): 64 EC "
        "P-256 sign requests in flight, each answered one sent, over 64 "
        "kept-alive HTTP/1.1 connections or as HTTP/2 streams of one "
        "connection. The emulator speaks HTTP/1.1 only, so both go through "
        "the same nginx in front of it (HTTP/2 by ALPN, kept-alive HTTP/1.1 "
        "to the emulator); the first round (connections made) is not "
        "counted. Median of the rounds.")
    out()
    rows = []
    for dl in (0, d):
        got = {}
        for mode in ("http1", "http2"):
            runs = R.all("h2.%s@%d" % (mode, dl))
            if runs:
                got[mode] = (statistics.median(r["per_second"] for r in runs),
                             statistics.median(r["median_ms"] for r in runs),
                             sum(r["connections"] for r in runs),
                             sum(r["http2_answers"] for r in runs),
                             sum(r["requests"] for r in runs))
        if len(got) < 2:
            rows.append(["%d ms" % dl, "not measured: %s" % (
                R.missing("h2") or "no result"), "", "", ""])
            continue
        h1, h2 = got["http1"], got["http2"]
        rows.append(["%d ms" % dl, "%.0f/s, median %.1f ms, %d new "
                     "connections" % (h1[0], h1[1], h1[2]),
                     "%.0f/s, median %.1f ms, %d new connections, %d of %d "
                     "answers over HTTP/2" % (h2[0], h2[1], h2[2], h2[3],
                                              h2[4]),
                     fmt_ratio(ratio(h2[0], h1[0]))])
    rep.table(["added latency", "HTTP/1.1, 64 connections",
               "HTTP/2, one connection", "HTTP/2 / HTTP/1.1"], rows)
    out("The engine takes both: HTTP/2 streams of one connection where the "
        "KMS endpoint negotiates HTTP/2 (a request waits for that "
        "connection rather than open another), else a pool of at most "
        "`max_connections` kept-alive HTTP/1.1 connections.")
    out()


def _conc_seconds(R):
    r = R.one("conc.haproxy.kms.rsa@0")
    return "%.0f" % r["seconds"] if r else "—"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--loadavg", default="")
    ap.add_argument("--loadavg-end", default="")
    ap.add_argument("--quick", default="0")
    ap.add_argument("--params", default="")
    ap.add_argument("--delay", type=int, default=20)
    a = ap.parse_args()
    R = Results(a.results)
    rep = Report()
    out = rep.out
    d = a.delay
    goals = []  # (goal, measured, met)

    out("# Performance")
    out()
    out("Written by `bench/run.sh` (run it after `bash scripts/build.sh`; "
        "`--quick` for a smoke run, `--help` for the iteration counts). "
        "The cloud is the bundled emulator on the same machine, so a "
        "\"round trip\" is a loopback HTTPS exchange plus the latency the "
        "emulator is told to add. Times are medians; every ratio compares "
        "figures measured in the same run, scenarios interleaved in rounds. "
        "Nothing here is asserted by the tests (they assert request counts: "
        "`tests/integration/test_request_economy.sh`).")
    out()
    out("## Machine")
    out()
    rep.table(["", ""], [
        ["date", datetime.datetime.now(datetime.timezone.utc)
         .strftime("%Y-%m-%d %H:%M UTC")],
        ["CPU", "%s, %s cores (nproc)" % (cpu_model(), os.cpu_count())],
        ["kernel", platform.release()],
        ["OpenSSL", sh("openssl version")],
        ["libcurl", sh("curl --version | head -1")],
        ["nginx", sh("nginx -v 2>&1") or "not installed"],
        ["load average (1/5/15 min) at start / end",
         "%s / %s" % (a.loadavg, a.loadavg_end)],
        ["parameters", a.params + (" (--quick)" if a.quick == "1" else "")],
    ])
    out("The load average shows what else the machine was doing: other "
        "processes share the cores with the benchmark and the emulator, "
        "so absolute figures vary between runs; ratios from one run are "
        "the figures to compare.")
    try:
        busy = float(a.loadavg.split()[0]) > (os.cpu_count() or 1)
    except (ValueError, IndexError):
        busy = False
    if busy:
        out()
        out("This run shared the machine (load average above the number "
            "of cores): CPU-bound figures (decoding, uncached loads) "
            "stretch more than ones that mostly wait (a bare request), so "
            "their medians and ratios are pessimistic; the p10 column is "
            "closer to an idle machine.")
    out()

    # ------------------------------------------------------------ loads
    out("## Loading a certificate, its chain and its key")
    out()
    out("One `OSSL_STORE_open`/`load`…/`close` of `scm:cert/<id>` (leaf, "
        "two chain certificates, private key: 4 objects) in one process "
        "with three library contexts: the object cache on (default "
        "`cache_ttl`), the cache off (`cache_ttl = 0`), and the default "
        "provider alone for the same PEM (the same 4 objects) through "
        "`file:`, as users load it today; the same file is also loaded "
        "with hwcloud active beside the default provider. Next to them, a "
        "bare libcurl POST of the same SCM export request on one "
        "kept-alive handle. Warm-up loads (login, first connection) are "
        "excluded; requests and *new* TLS connections are the emulator's "
        "counters for the measured loads.")
    out()
    f0 = R.one("load.file@0")
    fp = R.one("load.file_provider_loaded@0")
    c0 = R.one("load.cached@0")
    u0 = R.one("load.uncached@0")
    b0 = R.one("load.curl_export@0")
    ud = R.one("load.uncached@%d" % d)
    bd = R.one("load.curl_export@%d" % d)
    cs = R.one("load.cold_scm@0")
    cf = R.one("load.cold_file@0")
    rows = []
    if f0 is None:
        out("not measured: %s" % (R.missing("load") or "no result"))
        out()
    else:
        def lrow(label, r, ref, reflabel, req_limit, conn_limit=0):
            if r is None:
                return [label, "—", "—", "—", "—", "not measured"]
            n = r["n"]
            reqs = rep.check(r["scenario"], "requests", r["requests"],
                             req_limit(n))
            conns = rep.check(r["scenario"], "new connections",
                              r["connections"], conn_limit)
            return [label, us(med(r)),
                    "%s–%s" % (us(r["p10_us"]), us(r["p90_us"])),
                    "%.0f" % (1e6 / med(r)),
                    ("%s %s" % (fmt_ratio(ratio(med(r), ref)), reflabel)).strip()
                    if ref is not None else "—",
                    "%s; %s" % (reqs, conns)]
        fm = med(f0)
        b0m = med(b0) + fm if b0 else None
        bdm = med(bd) + fm if bd else None
        rows.append(lrow("`file:` (local PEM, default provider only)", f0,
                         fm, "", lambda n: 0))
        rows.append(lrow("`file:`, hwcloud loaded too (`uri_pem` off)", fp,
                         fm, "of file", lambda n: 0))
        rows.append(lrow("`scm:` cached (warm process)", c0, fm,
                         "of file", lambda n: 0))
        rows.append(lrow("`scm:` uncached (warm process), 0 ms", u0, b0m,
                         "of bare + file", lambda n: n))
        rows.append(lrow("bare libcurl export, 0 ms", b0, None, "",
                         lambda n: n))
        rows.append(lrow("`scm:` uncached (warm process), %d ms" % d, ud,
                         bdm, "of bare + file", lambda n: n))
        rows.append(lrow("bare libcurl export, %d ms" % d, bd, None, "",
                         lambda n: n))
        rep.table(["scenario", "median per load", "p10–p90", "loads/s",
                   "ratio",
                   "requests; new TLS connections (limit)"], rows)
        if cs is not None and cf is not None:
            p = cs["processes"]
            out("Cold process: a new process per load (exec, OpenSSL "
                "configuration, provider start, login, first TLS "
                "connection, export, decode), %d processes each:" % p)
            out()
            rep.table(["scenario", "median per process", "ratio",
                       "requests per process (limit)",
                       "TLS connections per process (limit)"], [
                ["`file:` (default provider only)", us(med(cf)), "1.00x",
                 rep.check(cf["scenario"], "requests", cf["requests"], 0),
                 rep.check(cf["scenario"], "connections",
                           cf["connections"], 0)],
                ["`scm:` (password login)", us(med(cs)),
                 fmt_ratio(ratio(med(cs), med(cf))),
                 "%s (login %s, export %s)" % (
                     rep.check(cs["scenario"], "requests",
                               cs["requests"] / p, 2),
                     cs["logins"] / p,
                     (cs["requests"] - cs["logins"]) / p),
                 rep.check(cs["scenario"], "connections",
                           cs["connections"] / p, 1)],
            ])
        if u0 is not None and b0 is not None:
            out("Provider time above (bare round trip + local PEM load) per "
                "uncached load: %s at 0 ms, %s at %d ms; a cached load "
                "saves %s against an uncached one." % (
                    us(med(u0) - med(b0) - fm),
                    us(med(ud) - med(bd) - fm) if ud and bd else "—", d,
                    us(med(u0) - med(c0)) if c0 else "—"))
            out()
        r1 = ratio(med(c0), fm)
        goals.append(("Cached load within 1.5x of loading the same PEM from "
                      "a local file", fmt_ratio(r1),
                      r1 is not None and r1 <= 1.5))
        base0 = None if b0 is None else med(b0) + fm
        r2 = ratio(med(u0), base0)
        goals.append(("Warm uncached load within 1.2x of (bare libcurl "
                      "request + local PEM load) at 0 ms",
                      "%s (%s vs %s + %s)" % (fmt_ratio(r2), us(med(u0)),
                                              us(med(b0)), us(fm)),
                      r2 is not None and r2 <= 1.2))
        based = None if bd is None else med(bd) + fm
        r3 = ratio(med(ud), based)
        goals.append(("Warm uncached load within 1.05x of (bare libcurl "
                      "request + local PEM load) at %d ms" % d,
                      "%s (%s vs %s + %s)" % (fmt_ratio(r3), us(med(ud)),
                                              us(med(bd)), us(fm)),
                      r3 is not None and r3 <= 1.05))

    # ------------------------------------------------------- signatures
    out("## Signatures with a KMS key")
    out()
    out("One `EVP_DigestSignInit_ex` + `EVP_DigestSign` (SHA-256; RSA-PSS "
        "as in TLS 1.3, or ECDSA) with `kms:key/<id>`: hash locally, one "
        "KMS `sign`, local verification of the answer. Against a bare "
        "libcurl POST of the same sign request (JSON built by hand, "
        "`X-Auth-Token`, one kept-alive handle), and a local key of the "
        "same type for scale.")
    out()
    srows = []
    for spec, label in (("rsa", "RSA 2048"), ("ec", "EC P-256")):
        kl = R.one("keyload.%s@0" % spec)
        for dl in (0, d):
            k = R.one("sign.%s.kms@%d" % (spec, dl))
            b = R.one("sign.%s.curl_sign@%d" % (spec, dl))
            bv = R.one("sign.%s.curl_sign_verify@%d" % (spec, dl))
            loc = R.one("sign.%s.local@0" % spec)
            if k is None or b is None:
                srows.append([label, "%d ms" % dl, "not measured", "", "",
                              "", "", "", ""])
                continue
            r = ratio(med(k), med(b))
            rv = None if bv is None else ratio(med(k), med(bv))
            srows.append([
                label, "%d ms" % dl, us(med(k)), us(med(b)),
                us(med(bv)) if bv is not None else "—",
                us(med(loc)) if dl == 0 else "—", fmt_ratio(r),
                fmt_ratio(rv) if rv is not None else "—",
                "%s; %s" % (
                    rep.check(k["scenario"], "sign requests", k["signs"],
                              k["signatures"]),
                    rep.check(k["scenario"], "new connections",
                              k["connections"], 0))])
            measured = "%s (%s vs %s)" % (fmt_ratio(r), us(med(k)),
                                          us(med(b)))
            if dl == 0 and bv is not None:
                floor = ratio(med(bv), med(b))
                measured += ("; the bare request plus the local verification "
                             "docs/security.md requires is already %s of it, "
                             "and the "
                             "provider is %s of that" % (fmt_ratio(floor),
                                                         fmt_ratio(rv)))
            if spec == "ec" and dl == 0:
                # The local verification every signature needs costs an EC
                # key as much as the request: the goal is what the
                # provider adds above that floor.
                goals.append((
                    "KMS signature (EC P-256) within 1.1x of (bare libcurl "
                    "sign request + local verification) at 0 ms",
                    "%s (%s vs %s)" % (fmt_ratio(rv), us(med(k)),
                                       us(med(bv)) if bv else "—"),
                    rv is not None and rv <= 1.1))
                continue
            goals.append((
                "KMS signature (%s) within %s of a bare libcurl sign "
                "request at %d ms" % (label, "1.25x" if dl == 0 else "1.05x",
                                      dl),
                measured, r is not None and r <= (1.25 if dl == 0 else 1.05)))
        if kl is not None:
            bp = kl["by_path"]
            desc = sum(v for p, v in bp.items() if p.endswith("/describe-key"))
            pub = sum(v for p, v in bp.items()
                      if p.endswith("/get-publickey"))
            rep.check(kl["scenario"], "describe-key", desc, 1)
            rep.check(kl["scenario"], "get-publickey", pub, 1)
            rep.check(kl["scenario"], "logins", kl["logins"], 1)
            rep.check(kl["scenario"], "connections", kl["connections"], 1)
            srows.append([label, "key load", us(kl.get("first_load_us")),
                          "", "", "", "", "",
                          "login %d, describe-key %d, get-publickey %d "
                          "(limit 1 each); connections %d (limit 1)" % (
                              kl["logins"], desc, pub, kl["connections"])])
    for spec, label in (("rsa", "RSA 2048"), ("ec", "EC P-256")):
        k = R.one("sign.%s.kms@0" % spec)
        b = R.one("sign.%s.curl_sign@0" % spec)
        if k is not None and b is not None:
            bv = R.one("sign.%s.curl_sign_verify@0" % spec)
            out("- %s: the provider adds %s per signature above the bare "
                "request at 0 ms (hashing, request building, response "
                "parsing, local verification)%s." % (
                    label, us(med(k) - med(b)),
                    "" if bv is None else
                    "; %s of it is the verification any checking client "
                    "does" % us(med(bv) - med(b))))
    out()
    out("\"bare + verify\" is the bare request followed by what any "
        "client that checks the answer must do: base64-decode the "
        "signature and verify it with the public key in the default "
        "provider (same padding). docs/security.md requires that check "
        "for every "
        "signature, so it is the floor for the provider.")
    out()
    rep.table(["key", "added latency", "kms: median", "bare libcurl",
               "bare + verify", "local key", "ratio kms/bare",
               "ratio kms/(bare + verify)",
               "sign requests; new TLS connections (limit)"], srows)

    # --------------------------------------------------------------- TLS
    out("## TLS handshakes per second")
    out()
    out("`openssl s_time -new` (a full handshake each time, TLS 1.3, "
        "sequential) against `openssl s_server` with an RSA 2048 key from "
        "`kms:key/<id>` (its certificate from a CSR the key signed) and "
        "with a local RSA 2048 key file. Median of the runs; client, "
        "server and emulator share the machine. The file key talks to "
        "nobody, so the added latency does not apply to it.")
    out()
    trows = []
    tls = {}
    for name, dl in (("kms", 0), ("kms", d), ("file", 0)):
        runs = R.all("tls.%s@%d" % (name, dl))
        if not runs:
            why = R.missing("tls.%s@%d" % (name, dl)) or R.missing("tls") \
                or "no result"
            trows.append(["`%s` key" % name, "%d ms" % dl,
                          "not measured: %s" % why, "", "", ""])
            continue
        rate = statistics.median(r["per_second"] for r in runs)
        tls[(name, dl)] = rate
        hs = sum(r["handshakes"] for r in runs)
        signs = sum(r["signs"] for r in runs)
        conns = sum(r["connections"] for r in runs)
        st = runs[0]["server_start"]
        lim = hs if name == "kms" else 0
        counts = "%s; %s" % (
            rep.check(runs[0]["scenario"], "sign requests", signs, lim),
            rep.check(runs[0]["scenario"], "new connections", conns, 0))
        start = "—"
        if name == "kms":
            start = "login + describe-key + get-publickey: %s; " \
                "connections: %s" % (
                    rep.check(runs[0]["scenario"] + " start", "requests",
                              st["requests"], 3),
                    rep.check(runs[0]["scenario"] + " start", "connections",
                              st["connections"], 1))
        trows.append(["`%s` key" % name, "%d ms" % dl, "%.0f" % rate,
                      "%d handshakes in %d runs" % (hs, len(runs)), counts,
                      start])
    rep.table(["key", "added latency", "handshakes/s", "measured",
               "sign requests; new connections (limit)", "server start"],
              trows)
    if ("file", 0) in tls:
        out("Ratios: `kms:` at 0 ms %s of the file key's rate; at %d ms %s." % (
            fmt_ratio(ratio(tls.get(("kms", 0)), tls[("file", 0)])), d,
            fmt_ratio(ratio(tls.get(("kms", d)), tls[("file", 0)]))))
        out()

    # ------------------------------------------------------------- nginx
    out("## nginx start-up")
    out()
    ns = R.all("nginx.scm@0")
    nf = R.all("nginx.file@0")
    if not ns or not nf:
        why = R.missing("nginx") or "no result"
        out("not measured: %s" % why)
        out()
    else:
        blocks = ns[0]["blocks"]
        distinct = ns[0]["distinct"]
        certs = ns[0]["certificates"]
        out("nginx 1.22 (`daemon on`, master + 1 worker) with %d server "
            "blocks on one port; time from exec until the command returns "
            "(every key loaded, the socket listening). `scm:`: each key "
            "file is a PEM-wrapped URI (`hwcloud-store uri2pem`, "
            "`uri_pem = yes`), each chain a file (`hwcloud-store "
            "export`); the emulator has %d exportable certificates, so "
            "blocks name them with queries that repeat the configured "
            "region/project: %d distinct URIs, each an object the provider "
            "does not have yet. Files: the same keys and chains as PEM "
            "files, nginx run without the provider." % (
                blocks, certs, distinct))
        out()
        ms = statistics.median(r["seconds"] for r in ns)
        mf = statistics.median(r["seconds"] for r in nf)
        ex = [r["exports"] for r in ns]
        lg = [r["logins"] for r in ns]
        cn = [r["connections"] for r in ns]
        rep.table(["keys", "median start-up", "ratio", "requests per start "
                   "(limit)", "TLS connections per start (limit)"], [
            ["files", "%.0f ms" % (mf * 1000), "1.00x",
             rep.check("nginx.file", "requests",
                       max(r["requests"] for r in nf), 0), "0"],
            ["`scm:` URIs", "%.0f ms" % (ms * 1000),
             fmt_ratio(ratio(ms, mf)),
             "exports %s, logins %s" % (
                 rep.check("nginx.scm", "exports", max(ex), distinct),
                 rep.check("nginx.scm", "logins", max(lg), 1)),
             rep.check("nginx.scm", "connections", max(cn), 1)],
        ])

    # --------------------------------------------------------------- RSS
    out("## Memory")
    out()
    rrows = []
    for mode in ("cached", "uncached"):
        r = R.one("rss.%s@0" % mode)
        if r is None:
            rrows.append([mode, "not measured: %s" % (
                R.missing("rss.%s" % mode) or "no result"), "", "", "", "",
                ""])
            continue
        grow = r["rss_end_kib"] - r["rss_checkpoint_kib"]
        series = ", ".join("%d: %d" % (n, k)
                           for n, k in r.get("rss_series", []))
        limit_req = (1 + 1) if mode == "cached" else (r["loads"] + 1)
        rrows.append([
            "`scm:` %s" % mode, "%d KiB" % r["rss_checkpoint_kib"],
            "%d KiB" % r["rss_end_kib"], "%+d KiB" % grow, series,
            us(med(r)),
            "%s; %s" % (rep.check(r["scenario"], "requests", r["requests"],
                                  limit_req),
                        rep.check(r["scenario"], "connections",
                                  r["connections"], 1))])
        goals.append(("Peak RSS: no growth between %d and %d loads (%s)" % (
            r["checkpoint"], r["loads"], mode),
            "%+d KiB" % grow, grow <= 256))
    first = R.one("rss.cached@0") or R.one("rss.uncached@0")
    out("Peak RSS (`getrusage` `ru_maxrss`) of a fresh process after "
        "%s and %s loads of `scm:cert/<id>` (all 4 objects each time). "
        "\"No growth\" allows 256 KiB for allocator noise." % (
            first["checkpoint"] if first else "N/10",
            first["loads"] if first else "N"))
    out()
    rep.table(["loads", "peak RSS at checkpoint", "at the end", "growth",
               "peak RSS (KiB) after n loads", "median per load",
               "requests; connections (limit)"], rrows)

    # --------------------------------------------------- cost to others
    coexist_section(R, rep, goals)

    # ------------------------------------------- many clients: async
    conc_section(R, rep, goals, d)
    h2_section(R, rep, d)

    # ------------------------------------------------------------- goals
    bad = [c for c in rep.checks if c[2] != c[3]]
    goals.append(("Request and connection counts equal to the limit in "
                  "every scenario",
                  "%d of %d counts at the limit%s" % (
                      len(rep.checks) - len(bad), len(rep.checks),
                      "" if not bad else "; off: " + "; ".join(
                          "%s %s = %s (limit %s)" % c for c in bad)),
                  not bad))
    out("## Limits")
    out()
    out("The physical limit the counts are compared with: one HTTPS round "
        "trip per object we do not have yet, none for one we have, one per "
        "signature, one login per token lifetime (per process: the "
        "provider logs in with a password here), one TLS connection per "
        "host per process (the emulator is one host; warm scenarios count "
        "*new* connections, so the limit is 0 there).")
    out()
    out("## Goals")
    out()
    rep.table(["goal", "measured", "met"],
              [[g, m, "met" if ok else "**not met**"] for g, m, ok in goals])
    for spec, label in (("rsa", "RSA 2048"),):
        b = R.one("sign.%s.curl_sign@0" % spec)
        bv = R.one("sign.%s.curl_sign_verify@0" % spec)
        floor = None if b is None or bv is None else ratio(med(bv), med(b))
        if floor is not None and floor > 1.25:
            out()
            out("%s at 0 ms: no implementation that verifies each signature "
                "can meet 1.25x on this machine. A bare request followed by "
                "the verification alone (no provider) takes %s, %s of the "
                "bare request; docs/security.md requires that verification (a "
                "wrong "
                "signature encoding or PSS salt length of the real service "
                "must fail here, never reach a peer). What the provider adds "
                "above that floor is the figure to watch: %s." % (
                    label, us(med(bv)), fmt_ratio(floor),
                    fmt_ratio(ratio(med(R.one("sign.%s.kms@0" % spec)),
                                    med(bv)))))

    text = "\n".join(rep.lines).rstrip() + "\n"
    with open(a.out, "w") as f:
        f.write(text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
