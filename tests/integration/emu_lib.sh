# shellcheck shell=bash
# emu_lib.sh: helpers for integration tests that need the cloud API
# emulator (hwc-emulator). Source it from a bash test script:
#
#   . "$HWC_SOURCE_DIR/tests/integration/emu_lib.sh"
#   emu_start [extra hwc-emulator args, e.g. --token-lifetime 5]
#   ... use $EMU_URL, $EMU_CA, $EMU_TOKEN, $EMU_KMS_RSA2048, ... (exported)
#   emu_count "POST /kms/sign"      # sum of matching request counters
#   emu_fault '{"match":"kms/sign","action":"status","status":503}'
#   emu_reset; emu_stats; emu_expire_tokens; emu_stop
#
# emu_start registers an EXIT trap that stops the emulator; an EXIT trap
# set before emu_start is kept and still runs. If you set an EXIT trap
# after emu_start, call emu_stop from it.
# Needs HWC_EMULATOR (path of hwc-emulator). Uses HWC_TEST_TMP (created with
# mktemp -d and removed at exit when unset) and the shared key cache
# $HWC_BUILD_DIR/emu-cache. Safe with ctest -j: nothing else is shared.
# The emulator runs with --die-with-parent: call emu_start from the test's
# main shell (not from a subshell or pipeline that exits early).
# The emulator's stderr is in $EMU_STATE_DIR/emulator.log.

_EMU_PID=""
_EMU_OWN_TMP=""
_EMU_PREV_TRAP=""

_emu_exit()
{
    local rc=$?
    emu_stop
    if [ -n "$_EMU_PREV_TRAP" ]; then
        eval "$_EMU_PREV_TRAP"
    fi
    exit "$rc"
}

# shellcheck disable=SC2120
_emu_install_trap()
{
    local t
    t=$(trap -p EXIT)
    if [ -n "$t" ] && [ "${t#*_emu_exit}" = "$t" ]; then
        eval "set -- $t"
        _EMU_PREV_TRAP=$3
    fi
    trap _emu_exit EXIT
}

# emu_start [hwc-emulator args...]: start, wait for DIR/env, export it.
emu_start()
{
    : "${HWC_EMULATOR:?HWC_EMULATOR must name the hwc-emulator binary}"
    if [ -z "${HWC_TEST_TMP:-}" ]; then
        HWC_TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/hwc-test.XXXXXX")
        _EMU_OWN_TMP=$HWC_TEST_TMP
        export HWC_TEST_TMP
    fi
    local cache="${HWC_EMU_CACHE:-${HWC_BUILD_DIR:-$HWC_TEST_TMP}/emu-cache}"
    EMU_STATE_DIR=$(mktemp -d "$HWC_TEST_TMP/emu.XXXXXX")
    mkdir -p "$cache"
    _emu_install_trap
    "$HWC_EMULATOR" --state-dir "$EMU_STATE_DIR" --fixture-cache "$cache" \
        --die-with-parent "$@" >"$EMU_STATE_DIR/emulator.log" 2>&1 &
    _EMU_PID=$!
    local limit=$((${HWC_EMU_START_TIMEOUT:-60} * 10)) i=0
    while [ ! -f "$EMU_STATE_DIR/env" ]; do
        if ! kill -0 "$_EMU_PID" 2>/dev/null || [ "$i" -ge "$limit" ]; then
            echo "emu_start: hwc-emulator did not become ready" >&2
            cat "$EMU_STATE_DIR/emulator.log" >&2 || true
            emu_stop
            return 1
        fi
        sleep 0.1
        i=$((i + 1))
    done
    set -a
    # shellcheck disable=SC1091
    . "$EMU_STATE_DIR/env"
    set +a
}

# emu_flags: the requests the emulator flagged as something an official
# SDK would never send (tests/emulator/strict.c), one per line as
# "METHOD path: flag; flag"; nothing when there are none. Flags survive
# emu_reset; POST /_emu/clear-flags drops them.
emu_flags()
{
    emu_stats | python3 -c '
import json, sys
for e in json.load(sys.stdin)["flags"]["requests"]:
    print("%s %s: %s" % (e["method"], e["path"], "; ".join(e["flags"])))
'
}

# Flags seen by an emulator that was stopped before the test ended.
_EMU_FLAGGED=""

# emu_stop: stop the emulator started by emu_start (idempotent).
emu_stop()
{
    if [ -n "$_EMU_PID" ] && kill -0 "$_EMU_PID" 2>/dev/null; then
        _EMU_FLAGGED+=$(emu_flags 2>/dev/null || true)
    fi
    if [ -n "$_EMU_PID" ]; then
        kill -TERM "$_EMU_PID" 2>/dev/null || true
        local i=0
        while kill -0 "$_EMU_PID" 2>/dev/null && [ "$i" -lt 50 ]; do
            sleep 0.1
            i=$((i + 1))
        done
        kill -KILL "$_EMU_PID" 2>/dev/null || true
        wait "$_EMU_PID" 2>/dev/null || true
        _EMU_PID=""
    fi
    if [ -n "$_EMU_OWN_TMP" ]; then
        rm -rf "$_EMU_OWN_TMP"
        _EMU_OWN_TMP=""
    fi
}

# emu_admin METHOD PATH [BODY]: call the /_emu/ admin API, print the body.
emu_admin()
{
    local args=(-sS --fail-with-body --cacert "$EMU_CA" -X "$1")
    if [ $# -ge 3 ]; then
        args+=(-H "Content-Type: application/json" --data-binary "$3")
    fi
    curl "${args[@]}" "$EMU_URL$2"
}

emu_stats()
{
    emu_admin GET /_emu/stats
}

emu_reset()
{
    emu_admin POST /_emu/reset >/dev/null
}

emu_expire_tokens()
{
    emu_admin POST /_emu/expire-tokens >/dev/null
}

# emu_fault JSON: queue a fault, e.g. '{"match":"kms/sign","action":"reset"}'
emu_fault()
{
    emu_admin POST /_emu/fault "$1" >/dev/null
}

# emu_count "METHOD path-substring": sum of the request counters whose
# method is METHOD ("*" = any) and whose path contains the substring.
# With a single word, it is matched as a substring of "METHOD path".
emu_count()
{
    emu_stats | python3 -c '
import json, sys
want = sys.argv[1]
reqs = json.load(sys.stdin)["requests"]
method, _, sub = want.partition(" ")
total = 0
for key, n in reqs.items():
    m, _, path = key.partition(" ")
    if sub == "":
        ok = want in key
    else:
        ok = (method == "*" or m == method) and sub in path
    total += n if ok else 0
print(total)
' "$1"
}

# emu_aksk_headers METHOD URL [BODY]: print the curl -H arguments (one per
# line) of an SDK-HMAC-SHA256 signature of the request, made with an
# independent Python signer. Keys: EMU_SIGN_AK/EMU_SIGN_SK (default
# EMU_AK/EMU_SK), optional EMU_SIGN_SECTOKEN (X-Security-Token),
# EMU_SIGN_SCOPE ("X-Project-Id: id" or "X-Domain-Id: id", signed) and
# EMU_SIGN_DATE (X-Sdk-Date, default now).
emu_aksk_headers()
{
    python3 - "$1" "$2" "${3-}" "${EMU_SIGN_AK:-$EMU_AK}" \
        "${EMU_SIGN_SK:-$EMU_SK}" "${EMU_SIGN_SECTOKEN:-}" \
        "${EMU_SIGN_DATE:-}" "${EMU_SIGN_SCOPE:-}" <<'PY'
import datetime, hashlib, hmac, sys
import urllib.parse as up
method, url, body, ak, sk, sectoken, date, scope = sys.argv[1:9]
u = up.urlsplit(url)
esc = lambda s: up.quote(s, safe="~")
uri = "/".join(esc(up.unquote(p)) for p in (u.path or "/").split("/"))
uri = uri if uri.endswith("/") else uri + "/"
query = sorted(up.parse_qsl(u.query, keep_blank_values=True))
cq = "&".join(esc(k) + "=" + esc(v) for k, v in query)
date = date or datetime.datetime.utcnow().strftime("%Y%m%dT%H%M%SZ")
hdrs = {"host": u.netloc, "x-sdk-date": date}
if sectoken:
    hdrs["x-security-token"] = sectoken
if scope:
    sname, _, sval = scope.partition(":")
    hdrs[sname.strip().lower()] = sval.strip()
names = sorted(hdrs)
ch = "".join("%s:%s\n" % (k, hdrs[k].strip()) for k in names)
creq = "\n".join([method, uri, cq, ch, ";".join(names),
                  hashlib.sha256(body.encode()).hexdigest()])
sts = "SDK-HMAC-SHA256\n%s\n%s" % (
    date, hashlib.sha256(creq.encode()).hexdigest())
sig = hmac.new(sk.encode(), sts.encode(), hashlib.sha256).hexdigest()
print("X-Sdk-Date: " + date)
if sectoken:
    print("X-Security-Token: " + sectoken)
if scope:
    print(scope)
print("Authorization: SDK-HMAC-SHA256 Access=%s, SignedHeaders=%s, "
      "Signature=%s" % (ak, ";".join(names), sig))
PY
}

# emu_aksk_curl METHOD URL [BODY [curl args...]]: curl signed with AK/SK.
emu_aksk_curl()
{
    local method=$1 url=$2 body=${3-} line
    local args=(-sS --cacert "$EMU_CA" -X "$method")
    shift 2
    [ $# -gt 0 ] && shift
    while IFS= read -r line; do
        args+=(-H "$line")
    done < <(emu_aksk_headers "$method" "$url" "$body")
    # As the SDKs: a JSON Content-Type on every API call.
    args+=(-H "Content-Type: application/json;charset=UTF-8")
    if [ -n "$body" ]; then
        args+=(--data-binary "$body")
    fi
    curl "${args[@]}" "$@" "$url"
}

# emu_curl [curl args...]: curl against the emulator with its CA, the
# static token and a JSON Content-Type (as the SDKs send on every call),
# e.g. emu_curl -X POST "$EMU_URL/..." -d '{...}'
emu_curl()
{
    curl -sS --cacert "$EMU_CA" -H "X-Auth-Token: $EMU_TOKEN" \
        -H "Content-Type: application/json;charset=UTF-8" "$@"
}
