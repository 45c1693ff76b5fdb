#!/usr/bin/env bash
# The README's main job: installs what is missing, builds, starts the
# local cloud (the bundled emulator, scripts/local-cloud.sh) and loads
# objects from it through the provider with plain `openssl` commands, as
# any OpenSSL consumer would. The local cloud keeps running afterwards, with
# its configuration, for trying more by hand (the guides' "Try it locally").
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
eval "$(scripts/local-cloud.sh start)"

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
step() { say "$@"; "$@"; }
KEY=kms:key/0228d84c-a771-4a21-acbb-6cdd53fcc8de
CERT=scm:cert/scs1690083443906
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

echo "Provider configuration: $OPENSSL_CONF"
step openssl list -providers
say openssl storeutl -noout -text "$CERT" "| grep ..."
openssl storeutl -noout -text "$CERT" | grep -E '^[0-9]+:|Subject:|Issuer:|Private-Key|Total'
step openssl x509 -in "$CERT" -noout -subject -issuer -enddate
say openssl pkey -in "$KEY" -noout -text "| grep ..."
openssl pkey -in "$KEY" -noout -text | grep -E 'Public-Key|held in'
printf 'hello\n' >"$T/msg"
openssl pkey -pubin -in "$KEY" -pubout -out "$T/pub.pem"
step openssl dgst -sha256 -sign "$KEY" -out "$T/sig" "$T/msg"
step openssl dgst -sha256 -verify "$T/pub.pem" -signature "$T/sig" "$T/msg"
echo
echo "Requests the local cloud answered since it started:"
url=$(sed -n 's/^endpoint = //p' "$OPENSSL_CONF")
curl -sS --cacert "$HWCLOUD_LOCAL/ca.pem" "$url/_emu/stats" |
  python3 -c 'import json,sys; r=json.load(sys.stdin)["requests"]; [print("  %3d  %s" % (n,k)) for k,n in sorted(r.items()) if "/_emu/" not in k]'

cat <<EOF

The local cloud keeps running (state in $HWCLOUD_LOCAL). To keep going by hand,
in your shell, from $PWD:

  eval "\$(scripts/local-cloud.sh env)"     # OPENSSL_CONF, OPENSSL_MODULES, PATH (hwcloud-store)
  openssl storeutl -noout -text $CERT
  hwcloud-store check

then any guide's "Try it locally" section: README.md, docs/nginx.md, docs/haproxy.md,
docs/apache.md, docs/curl.md, docs/tool.md, docs/uris.md, docs/authentication.md.
Stop it with: scripts/local-cloud.sh stop    (a later start finds the same cloud again)
EOF
