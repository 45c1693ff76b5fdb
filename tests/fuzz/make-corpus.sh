#!/usr/bin/env bash
# make-corpus.sh: regenerates the seed corpora of tests/fuzz/corpus/ (run
# once; the outputs are committed). Small real samples: EC P-256 keys and
# certificates from openssl, the KMS documentation's public key, service
# answers and error envelopes as the APIs send them, archives made with
# python's zipfile/tarfile, and the keystore fixtures of
# tests/fixtures/keystores/ (made by their make.sh).
set -euo pipefail
cd "$(dirname "$0")"
C=corpus
KS=../fixtures/keystores
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
for t in uri json responses pem keys scm archive jks pkcs12 keystore uriwrap der; do
  rm -rf "${C:?}/$t"
  mkdir -p "$C/$t"
done

# --- keys and certificates: a CA and an EC leaf, plus a small RSA key
openssl ecparam -name prime256v1 -genkey -noout -out "$T/ca.key" 2>/dev/null
openssl req -new -x509 -key "$T/ca.key" -subj "/CN=fuzz CA" -days 36500 \
  -addext basicConstraints=critical,CA:TRUE \
  -addext keyUsage=critical,keyCertSign,cRLSign -sha256 -out "$T/ca.pem" 2>/dev/null
openssl ecparam -name prime256v1 -genkey -out "$T/leaf.sec1" 2>/dev/null
openssl pkey -in "$T/leaf.sec1" -out "$T/leaf.p8" 2>/dev/null
openssl req -new -key "$T/leaf.p8" -subj "/CN=fuzz.example.com" \
  -out "$T/leaf.csr" 2>/dev/null
openssl x509 -req -in "$T/leaf.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" \
  -CAcreateserial -days 36500 -sha256 -out "$T/leaf.pem" 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 \
  -out "$T/rsa.p8" 2>/dev/null
openssl genpkey -algorithm ED25519 -out "$T/ed.p8" 2>/dev/null

# --- pem: bundles with LF, CRLF, glued blocks, text between, headers
P=$C/pem
cat "$T/leaf.pem" >"$P/cert.pem"
cat "$T/leaf.pem" "$T/ca.pem" >"$P/bundle-lf.pem"
sed 's/$/\r/' "$P/bundle-lf.pem" >"$P/bundle-crlf.pem"
sed -z 's/-----END CERTIFICATE-----\n-----BEGIN/-----END CERTIFICATE----------BEGIN/' \
  "$P/bundle-lf.pem" >"$P/bundle-glued.pem"
{ echo "subject=/CN=fuzz.example.com"; cat "$T/leaf.pem"; echo; echo "issuer:";
  cat "$T/ca.pem"; echo "  "; } >"$P/bundle-text.pem"
sed 's/CERTIFICATE/TRUSTED CERTIFICATE/' "$T/ca.pem" >"$P/trusted.pem"
sed 's/CERTIFICATE/X509 CERTIFICATE/' "$T/ca.pem" >"$P/x509.pem"
openssl ec -in "$T/leaf.sec1" -aes128 -passout pass:x -out "$P/encrypted.pem" 2>/dev/null
cat "$T/leaf.sec1" "$T/leaf.pem" >"$P/key-and-cert.pem"

# --- keys: the KMS documentation's public key (PKCS#1 under PUBLIC KEY),
# SPKI PEM and DER, PKCS#1 DER, private keys in each PEM form
K=$C/keys
printf '%s\r\n' "-----BEGIN PUBLIC KEY-----" \
  "MIICCgKCAgEA3RQAXXwya9k4zV1/Q3AFr37GO8JgFobDKZioAklLQdgElHZ/uxmP" \
  "4bveNHpY6OI0Okk/1Ov8oJf+9W10VqVxbzihWa5n/RMN0720DzLV7KuH4YylCGDb" \
  "3JH/+bMbhF2qRArrrKod0kR9rYHrdPkI7O5fYQQprZ3kWnPgrhDoDFC8ja+OelOg" \
  "n4MMOGGYA/DAOb0XyxPnGl26PnUtvvF7aZbMW5x/Yq2yAVFE1cjqLaH7/j1C8KYE" \
  "aOSYtl2nOif28WoweFavXpgVsb/iICTfqgC91BtCSFC5pT8vqZCimfoHmJCAkZa5" \
  "Z8QIqkOOf9F6iMqqIz7pGKgQSUmoKKY9j6DK3OwXDOB5gKu0vyuz+gW3b4SZn+Xa" \
  "KkEN8ZpXsdQdEGpe4SwIzSVyUGYNBOCLrsydBcPR7jWgQ6gs56IJrV2pdAtmBwKd" \
  "6l33z1tQ7+/h3IrZxXuuej/fRRUMlbVcmhTS2l6vle7HXgZj/dWzPsLLg9MGHu0+" \
  "o9PRr+brxTbrf5e2Zdr1ad35X/b86gx7Grg1sYPkly2aEI4fsnDGPgFrudG+Hzx/" \
  "ABHejYfJEI6P0SXCzB/oDMkjw6XKhTSojMzuncAP/AM+0LVYQxQe750qkb3hjBT0" \
  "q/HBl/4zMXA03tMb9QySnLK63uo64JMJiBsEe7wPLhHB3VzBZk9SvvECAwEAAQ==" \
  "-----END PUBLIC KEY-----" >"$K/kms-doc-pub.pem"
cp "$K/kms-doc-pub.pem" "$C/pem/kms-doc-pub.pem"
openssl pkey -in "$T/leaf.p8" -pubout -out "$K/ec-spki.pem" 2>/dev/null
openssl pkey -in "$T/leaf.p8" -pubout -outform DER -out "$K/ec-spki.der" 2>/dev/null
openssl pkey -in "$T/ed.p8" -pubout -out "$K/ed25519-spki.pem" 2>/dev/null
openssl rsa -in "$T/rsa.p8" -RSAPublicKey_out -outform DER \
  -out "$K/rsa-pkcs1.der" 2>/dev/null
openssl rsa -in "$T/rsa.p8" -RSAPublicKey_out -out "$K/rsa-pkcs1.pem" 2>/dev/null
openssl rsa -in "$T/rsa.p8" -traditional -out "$K/rsa-pkcs1-priv.pem" 2>/dev/null
cp "$T/leaf.sec1" "$K/ec-sec1-params.pem"
openssl ec -in "$T/leaf.sec1" -out "$K/ec-sec1.pem" 2>/dev/null
cp "$T/leaf.p8" "$K/ec-pkcs8.pem"
cp "$T/ed.p8" "$K/ed25519-pkcs8.pem"

# --- json: service answers and error envelopes
J=$C/json
pubjson=$(python3 -c 'import json,sys; print(json.dumps(open(sys.argv[1]).read()))' "$K/kms-doc-pub.pem")
printf '{"error":{"error_code":"KMS.0205","error_msg":"The key does not exist."}}' >"$J/kms-error.json"
printf '{"error_code":"SCM.0404","error_msg":"certificate not found","request_id":"5b1f0a7c2d"}' >"$J/scm-error.json"
printf '{"error":{"code":"401","message":"The request you have made requires authentication.","title":"Unauthorized"}}' >"$J/iam-error.json"
printf '{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: token expired","request_id":"a1b2"}' >"$J/apig-expired.json"
printf '{"code":111400063,"message":"instance not found","ext_message":"","error_code":"DCS.4001"}' >"$J/dcs-error.json"
printf '{"errors":[{"error_code":"X"}],"meta":{"inner":{"detail":{"code":7,"message":"deep\\u0007bell"}}}}' >"$J/nested.json"
printf '{"key_info":{"key_id":"0d0466b0-e727-4d9c-b35d-f84bb474a37f","domain_id":"b168fe00ff56492495a7d22974df2d0b","key_alias":"tls","realm":"eu-de","key_spec":"RSA_2048","key_usage":"SIGN_VERIFY","key_description":"","creation_date":"1502799822000","scheduled_deletion_date":"","key_state":"2","default_key_flag":"0","key_type":"1","expiration_time":"","origin":"kms","key_rotation_enabled":"false","sys_enterprise_project_id":"0","keystore_id":"0"}}' >"$J/kms-describe.json"
printf '{"key_id":"0d0466b0-e727-4d9c-b35d-f84bb474a37f","public_key":%s,"key_usage":"SIGN_VERIFY","key_spec":"RSA_4096","public_key_format":"PEM"}' "$pubjson" >"$J/kms-publickey.json"
printf '{"key_id":"0d0466b0-e727-4d9c-b35d-f84bb474a37f","signature":"ZGVmYXVsdC1zaWduYXR1cmUtYnl0ZXM="}' >"$J/kms-sign.json"
printf '{"key_id":"0d0466b0-e727-4d9c-b35d-f84bb474a37f","plain_text":"secret","plain_text_base64":"c2VjcmV0"}' >"$J/kms-decrypt.json"
printf '{"link":"https://dcs-ssl.obs.eu-de.otc.t-systems.com/ssl.zip?AWSAccessKeyId=AK&Expires=1700000000&Signature=s%%2Fg%%3D","bucket_name":"dcs-ssl","file_name":"ssl.zip"}' >"$J/dcs-link.json"
printf '{"token":{"expires_at":"2026-11-26T12:00:00.000000Z","issued_at":"2026-11-25T12:00:00.000000Z","methods":["password"],"project":{"id":"0123456789abcdef0123456789abcdef","name":"eu-de"}}}' >"$J/iam-token.json"
printf '{"a":1,"a":2}' >"$J/duplicate.json"
printf '[1,2,3]' >"$J/array.json"

# --- responses: the answers the pure response parsers take
R=$C/responses
cp "$J"/kms-*.json "$J/dcs-link.json" "$J/iam-token.json" "$R/"
printf '{"key_details":[{"key_id":"0d0466b0-e727-4d9c-b35d-f84bb474a37f","key_alias":"tls","key_spec":"EC_P256","key_usage":"SIGN_VERIFY","key_state":"2","keystore_id":"0"},{"key_id":"1d0466b0-e727-4d9c-b35d-f84bb474a37f","key_spec":"AES_256","key_state":"3"}],"next_marker":"1","truncated":"true","total":2}' >"$R/kms-list-keys.json"
printf '{"credential":{"access":"AK","secret":"SK","securitytoken":"ST","expires_at":"2026-11-25T13:00:00.000000Z"}}' >"$R/metadata-cred.json"
printf '2026-11-25T12:00:00.000000Z' >"$R/time.txt"

# --- scm: export answers (PEM in JSON strings)
S=$C/scm
python3 - "$T" "$S" <<'PY'
import json, sys
t, s = sys.argv[1], sys.argv[2]
rd = lambda n: open(f"{t}/{n}").read()
leaf, ca, key = rd("leaf.pem"), rd("ca.pem"), rd("leaf.p8")
def w(name, **kw):
    open(f"{s}/{name}.json", "w").write(json.dumps(kw))
w("export", certificate=leaf, certificate_chain=ca,
  entire_certificate=leaf + ca, private_key=key, enc_private_key=None)
w("export-sec1", certificate=leaf, certificate_chain=ca,
  entire_certificate=leaf + ca, private_key=rd("leaf.sec1"))
w("export-nokey", certificate=leaf, certificate_chain=ca,
  entire_certificate=None, private_key=None)
w("export-entire-only", certificate="", certificate_chain="",
  entire_certificate=ca + leaf, private_key=key)
w("export-crlf-glued", certificate=leaf.replace("\n", "\r\n"),
  certificate_chain=(ca + ca).replace("-----\n-----", "----------"),
  private_key=key.replace("\n", "\r\n"))
w("export-mismatch", certificate=ca, certificate_chain=ca,
  private_key=rd("rsa.p8"))
# A private_key that is the DER of a PEM-wrapped URI naming this very
# certificate: decoded where no wrapped-URI decoder runs, it is no key.
u, m = b"scm:cert/scs1590053258704", b"hwcloud-provider-uri-v1"
body = bytes([0x1a, len(m)]) + m + bytes([0x0c, len(u)]) + u
wrapped = bytes([0x30, len(body)]) + body
w("export-wrapped-uri-key", certificate=leaf, certificate_chain=ca,
  entire_certificate=leaf + ca, private_key=wrapped.decode("latin-1"))
open(f"{s}/../keys/wrapped-uri.der", "wb").write(wrapped)
PY
# An RSA leaf under an RSA intermediate and root, with key identifiers and
# the leaf's key as PKCS#1 ("RSA PRIVATE KEY"), as the SCM documentation
# shows it; the chain given leaf-last to be ordered.
openssl req -new -x509 -newkey rsa:1024 -nodes -keyout "$T/rroot.key" \
  -subj "/CN=fuzz RSA root" -days 36500 -addext basicConstraints=critical,CA:TRUE \
  -addext keyUsage=critical,keyCertSign,cRLSign -out "$T/rroot.pem" 2>/dev/null
openssl req -new -newkey rsa:1024 -nodes -keyout "$T/rint.key" \
  -subj "/O=fuzz/CN=fuzz RSA intermediate" -out "$T/rint.csr" 2>/dev/null
printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' \
  > "$T/ca.ext"
openssl x509 -req -in "$T/rint.csr" -CA "$T/rroot.pem" -CAkey "$T/rroot.key" \
  -CAcreateserial -days 36500 -extfile "$T/ca.ext" -out "$T/rint.pem" 2>/dev/null
openssl req -new -newkey rsa:1024 -nodes -keyout "$T/rleaf.key" \
  -subj "/CN=rsa.fuzz.example.com" -out "$T/rleaf.csr" 2>/dev/null
printf 'keyUsage=digitalSignature\nauthorityKeyIdentifier=keyid\n' > "$T/leaf.ext"
openssl x509 -req -in "$T/rleaf.csr" -CA "$T/rint.pem" -CAkey "$T/rint.key" \
  -CAcreateserial -days 36500 -extfile "$T/leaf.ext" -out "$T/rleaf.pem" 2>/dev/null
openssl rsa -in "$T/rleaf.key" -traditional -out "$T/rleaf.pkcs1" 2>/dev/null
python3 - "$T" "$S" <<'PY'
import json, sys
t, s = sys.argv[1], sys.argv[2]
rd = lambda n: open(f"{t}/{n}").read()
leaf, inter, root = rd("rleaf.pem"), rd("rint.pem"), rd("rroot.pem")
open(f"{s}/export-rsa-pkcs1.json", "w").write(json.dumps(dict(
    certificate=leaf, certificate_chain=root + inter,
    entire_certificate=leaf + inter + root, private_key=rd("rleaf.pkcs1"))))
PY

cp "$S/export.json" "$C/responses/"

# --- archive: the DCS download (zip, tar, tgz, gzip, PEM, DER)
A=$C/archive
openssl x509 -in "$T/leaf.pem" -outform DER -out "$T/leaf.der"
cp "$T/leaf.der" "$A/cert.der"
cp "$T/ca.pem" "$A/cert.pem"
python3 - "$T" "$A" <<'PY'
import gzip, io, sys, tarfile, zipfile
t, a = sys.argv[1], sys.argv[2]
leaf, ca, der = (open(f"{t}/{n}", "rb").read()
                 for n in ("leaf.pem", "ca.pem", "leaf.der"))
def z(name, members, method=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(f"{a}/{name}", "w", method) as f:
        for n, d in members:
            f.writestr(zipfile.ZipInfo(n, (2024, 1, 1, 0, 0, 0)), d, method)
z("dcs-ssl.zip", [("ca.crt", ca), ("readme.txt", b"DCS SSL\n")])
z("stored.zip", [("leaf.der", der)], zipfile.ZIP_STORED)
def tar(name, members, mode):
    with tarfile.open(f"{a}/{name}", mode, format=tarfile.USTAR_FORMAT) as f:
        for n, d in members:
            i = tarfile.TarInfo(n); i.size = len(d); i.mtime = 1700000000
            f.addfile(i, io.BytesIO(d))
tar("certs.tar", [("ssl/ca.pem", ca)], "w")
tar("certs.tgz", [("ca.pem", ca), ("leaf.der", der)], "w:gz")
open(f"{a}/bundle.pem.gz", "wb").write(gzip.compress(leaf + ca, mtime=0))
# Thousands of broken members (bounded failure notes), with names that
# hold control characters (escaped in messages), and one good one.
bad = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
tar("broken-many.tgz", [("ssl/broken-%04d\x1b[2J\n.crt" % i, bad)
                        for i in range(2000)] + [("ssl/ca.pem", ca)], "w:gz")
PY

# --- keystores: the fixtures, as they are, plus small stores of one EC
# key with one key-derivation iteration, cheap enough for many execs/s
openssl pkcs12 -export -inkey "$T/leaf.p8" -in "$T/leaf.pem" \
  -certfile "$T/ca.pem" -name fuzz -passout pass:changeit -iter 1 \
  -nomaciter -out "$T/fast.p12"
for st in JKS JCEKS; do
  keytool -J-Djdk.jceks.iterationCount=1 -importkeystore -noprompt \
    -srckeystore "$T/fast.p12" -srcstoretype PKCS12 -srcstorepass changeit \
    -destkeystore "$T/fast.${st,,}" -deststoretype $st \
    -deststorepass changeit -destkeypass changeit >/dev/null 2>&1
done
cp "$T/fast.jks" "$T/fast.jceks" "$C/jks/"
cp "$T/fast.p12" "$C/pkcs12/"
cp "$T/fast.jks" "$T/fast.jceks" "$T/fast.p12" "$C/keystore/"
cp "$KS"/store.jks "$KS"/keypass.jks "$KS"/tampered.jks "$KS"/store.jceks \
  "$KS"/secret.jceks "$KS"/secret-only.jceks "$C/jks/"
cp "$KS"/store.p12 "$KS"/modern.p12 "$KS"/legacy.p12 "$C/pkcs12/"
cp "$KS"/store.jks "$KS"/secret-only.jceks "$KS"/modern.p12 \
  "$KS"/ec-bundle.pem "$C/keystore/"
# Key derivations of 2^31-1 iterations (make-costly.sh): refused from their
# parameters; a harness that ran one would time out.
cp "$KS"/cost-mac.p12 "$KS"/cost-safe.p12 "$KS"/cost-keybag.p12 "$C/pkcs12/"
cp "$KS"/cost-pbkdf2.pem "$KS"/cost-scrypt.pem "$KS"/cost-pbes1.pem \
  "$KS"/cost-mac.p12 "$C/keystore/"

# --- der: certificates and private keys as DER, in every form the views
# of der.h take (and an Ed25519 key they decline)
D=$C/der
openssl x509 -in "$T/leaf.pem" -outform DER -out "$D/leaf.cer"
openssl x509 -in "$T/ca.pem" -outform DER -out "$D/ca.cer"
openssl ec -in "$T/leaf.sec1" -outform DER -out "$D/leaf.sec1.der" 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in "$T/leaf.p8" -outform DER -out "$D/leaf.p8.der"
openssl pkcs8 -topk8 -nocrypt -in "$T/rsa.p8" -outform DER -out "$D/rsa.p8.der"
openssl rsa -in "$T/rsa.p8" -traditional -outform DER -out "$D/rsa.pkcs1.der" 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in "$T/ed.p8" -outform DER -out "$D/ed.p8.der"

# --- uri: the grammar's forms, accepted and refused
U=$C/uri
i=0
while IFS= read -r u; do
  printf '%s' "$u" >"$U/$(printf '%02d' $i)"
  i=$((i + 1))
done <<'URIS'
kms:key/0d0466b0-e727-4d9c-b35d-f84bb474a37f
kms:key/0d0466b0-e727-4d9c-b35d-f84bb474a37f?region=eu-de&project_id=0123456789abcdef0123456789abcdef
kms:key/
kms:alias/my-tls%2Fkey
kms:keystore/bb6a3d22-dc93-47ac-b5bd-88df7ad35f1e
kms:keystore/
scm:cert/scs1590053258704
scm:cert/scs1590053258704?region=eu-de
scm:cert/
scm:name/www.example.com%3A443
dcs:ssl/0d0466b0-e727-4d9c-b35d-f84bb474a37f
codearts:keystore/android.keystore
codearts:keystore/..
kms:key/0D0466B0-e727-4d9c-b35d-f84bb474a37f#frag
scm:cert/scs15900532587%2F?region=a&region=b
URIS

# --- uriwrap: SEQUENCE { VisibleString magic, UTF8String uri } as DER
# and PEM, plus plain URIs
W=$C/uriwrap
python3 - "$W" <<'PY'
import base64, sys
w = sys.argv[1]
def tlv(tag, body):
    n = len(body)
    if n < 0x80: l = bytes([n])
    elif n < 0x100: l = bytes([0x81, n])
    else: l = bytes([0x82, n >> 8, n & 0xff])
    return bytes([tag]) + l + body
def der(uri):
    return tlv(0x30, tlv(0x1a, b"hwcloud-provider-uri-v1") + tlv(0x0c, uri.encode()))
def pem(d, crlf=False):
    b = base64.b64encode(d).decode()
    nl = "\r\n" if crlf else "\n"
    lines = [b[i:i + 64] for i in range(0, len(b), 64)]
    return nl.join(["-----BEGIN HWCLOUD PROVIDER URI-----"] + lines +
                   ["-----END HWCLOUD PROVIDER URI-----", ""])
uris = ["kms:key/0d0466b0-e727-4d9c-b35d-f84bb474a37f",
        "scm:cert/scs1590053258704",
        "codearts:keystore/release.p12",
        "kms:alias/" + "a" * 200]
for i, u in enumerate(uris):
    open(f"{w}/der{i}", "wb").write(der(u))
    open(f"{w}/pem{i}", "w", newline="").write(pem(der(u), crlf=i % 2 == 1))
    open(f"{w}/uri{i}", "w").write(u)
PY
ls -R "$C" | head -5
du -sh "$C"

# --- hand-written seeds (hostile and rare shapes) survive regeneration
for d in corpus-extra/*/; do
  cp "$d"* "$C/$(basename "$d")/"
done
