#!/usr/bin/env bash
# Every guide's "Try it locally" path, run as written: the shell blocks
# after "<!-- try-locally -->" in README.md and docs/*.md (and the command
# lines of openssl.cnf.example's "Try it locally" comment), from the source
# tree, against the local cloud of scripts/local-cloud.sh, each guide in a
# fresh shell without this test's settings. A guide without such a path,
# or any command of it that fails, fails the test.
. "$(dirname "$0")/lib.sh"
T=$HWC_TEST_TMP
SRC=$HWC_SOURCE_DIR
# The servers' workers (nobody, www-data) reach the local cloud's CA.
chmod 711 "$T"
export HWCLOUD_LOCAL_DIR=$T/local-cloud BUILD_DIR=$HWC_BUILD_DIR

cleanup() {
  local f pid
  # Servers a failed guide left running (their pid files name them, and
  # their command lines this directory), then the cloud.
  for f in "$HWCLOUD_LOCAL_DIR"/*/*.pid; do
    pid=$(cat "$f" 2>/dev/null) || continue
    if tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF "$HWCLOUD_LOCAL_DIR/"; then
      kill "$pid" 2>/dev/null || true
    fi
  done
  bash "$SRC/scripts/local-cloud.sh" stop >/dev/null 2>&1 || true
  [ -n "${HWC_KEEP_TMP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT

# The shell blocks of a Markdown file that follow "<!-- try-locally -->".
try_blocks() {
  awk '
    $0 == "<!-- try-locally -->" { armed = 1; next }
    armed && /^```/ { if (inside) { inside = 0; armed = 0; print ""; next } inside = 1; next }
    inside { print }
  ' "$SRC/$1"
}

# Runs a guide's commands as a user would: from the source tree, in a
# shell with none of the settings the test suite exports.
run_guide() {
  local name=$1 script=$T/guide-$1.sh
  {
    # -e and -u, not pipefail: "cmd | grep text" is how a guide shows
    # what to look for, even when cmd is meant to fail.
    echo "set -eu"
    echo "cd '$SRC'"
    cat
  } >"$script"
  if ! env -u OPENSSL_CONF -u OPENSSL_MODULES -u HWC_SOURCE_DIR -u HWC_BUILD_DIR \
    -u HWC_MODULE_DIR -u HWC_TOOL -u HWC_EMULATOR bash "$script" >"$T/guide-$name.log" 2>&1; then
    cat "$T/guide-$name.log" >&2
    fail "$name: its \"Try it locally\" commands fail (above; script $script)"
  fi
  pass "$name: the \"Try it locally\" commands work as written"
}

for doc in README.md docs/uris.md docs/tool.md docs/configuration.md \
  docs/authentication.md docs/nginx.md docs/haproxy.md docs/apache.md docs/curl.md; do
  blocks=$(try_blocks "$doc")
  [ -n "$blocks" ] || fail "$doc has no \"Try it locally\" block (<!-- try-locally -->)"
  run_guide "$(basename "$doc" .md)" <<<"$blocks"
done

# The README's s_server sends the leaf once, then the chain.
sent=$(grep -E '^ [0-9] s:' "$T/guide-README.log" || true)
expect_eq "README's s_server: three certificates" "$(grep -c . <<<"$sent")" 3
expect_eq "README's s_server: the leaf once, first" \
  "$(grep -cE 'CN ?= ?www\.example\.com$' <<<"$sent")$(head -n 1 <<<"$sent" | grep -cE 'www\.example\.com$')" 11

# openssl.cnf.example: the commands of its comment.
cmds=$(sed -n '/^# Try it locally:/,/^$/{s/^#   //p}' "$SRC/openssl.cnf.example")
[ -n "$cmds" ] || fail "openssl.cnf.example has no \"Try it locally\" commands"
run_guide openssl.cnf.example <<<"$cmds"

hwc_done
