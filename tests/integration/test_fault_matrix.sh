#!/usr/bin/env bash
# The fault matrix: every injected fault against every operation (store
# load, remote sign, IAM password login, DCS link download), asserting the outcome (success
# after a retry, or failure with the right message), a bounded time, no
# crash, and a loader that ends its stream after the failure. Prints the
# matrix as a table.
. "$(dirname "$0")/lib.sh"
hwc_setup "timeout = 3" "retries = 3"
printf 'data to sign\n' > "$HWC_TEST_TMP/data"
openssl pkey -pubin -in "kms:key/$EMU_KMS_EC256" -pubout -out "$HWC_TEST_TMP/ec.pub" 2>/dev/null \
  || fail "cannot read the KMS public key"

declare -A RESULT
OPS=(load sign login download)
FAULTS=(delay 429 500 502 503 504 reset truncate malformed wrong_shape oversize bad_pem expired_token)
MAX_SECONDS=20

op_match() {
  case $1 in
    load) echo "/export" ;;
    sign) echo "/kms/sign" ;;
    login) echo "/v3/auth/tokens" ;;
    download) echo "/obs/" ;;
  esac
}

run_op() { # op -> exit status; output in $HWC_TEST_TMP/out
  case $1 in
    load) openssl storeutl -noout "scm:cert/$EMU_SCM_RSA" ;;
    sign) openssl dgst -sha256 -sign "kms:key/$EMU_KMS_EC256" -out "$HWC_TEST_TMP/sig" "$HWC_TEST_TMP/data" &&
          openssl dgst -sha256 -verify "$HWC_TEST_TMP/ec.pub" -signature "$HWC_TEST_TMP/sig" "$HWC_TEST_TMP/data" ;;
    login) env -u HWCLOUD_TOKEN HWCLOUD_AUTH=password HWCLOUD_IAM_USER="$EMU_IAM_USER" \
             HWCLOUD_IAM_PASSWORD="$EMU_IAM_PASSWORD" HWCLOUD_IAM_DOMAIN="$EMU_IAM_DOMAIN" \
             openssl storeutl -noout "scm:cert/$EMU_SCM_RSA" ;;
    download) openssl storeutl -noout "dcs:ssl/$EMU_DCS_ZIP" ;;
  esac >"$HWC_TEST_TMP/out" 2>&1
}

fault_json() { # fault op -> the /_emu/fault body
  local m
  m=$(op_match "$2")
  case $1 in
    delay) echo "{\"match\":\"$m\",\"action\":\"delay\",\"delay_ms\":6000}" ;;
    429) echo "{\"match\":\"$m\",\"action\":\"status\",\"status\":429,\"headers\":{\"Retry-After\":\"1\"},\"body\":\"{\\\"error_code\\\":\\\"APIG.0308\\\",\\\"error_msg\\\":\\\"throttled\\\"}\"}" ;;
    50?) echo "{\"match\":\"$m\",\"action\":\"status\",\"status\":$1,\"body\":\"{\\\"error_code\\\":\\\"X.0$1\\\",\\\"error_msg\\\":\\\"injected\\\"}\"}" ;;
    reset|truncate|malformed|wrong_shape) echo "{\"match\":\"$m\",\"action\":\"$1\"}" ;;
    oversize) echo "{\"match\":\"$m\",\"action\":\"oversize\",\"size\":104857600}" ;;
    bad_pem)
      case $2 in
        load) echo "{\"match\":\"$m\",\"action\":\"status\",\"status\":200,\"body\":\"{\\\"certificate\\\":\\\"-----BEGIN CERTIFICATE-----\\\\nAAAA!!\\\\n-----END CERTIFICATE-----\\\\n\\\",\\\"private_key\\\":\\\"-----BEGIN PRIVATE KEY-----\\\\nMAA=\\\\n-----END PRIVATE KEY-----\\\\n\\\"}\"}" ;;
        sign) echo "{\"match\":\"$m\",\"action\":\"status\",\"status\":200,\"body\":\"{\\\"key_id\\\":\\\"$EMU_KMS_EC256\\\",\\\"signature\\\":\\\"MAYCAQECAQE=\\\"}\"}" ;;
        # A login answer without the X-Subject-Token header.
        login) echo "{\"match\":\"$m\",\"action\":\"status\",\"status\":201,\"body\":\"{\\\"token\\\":{\\\"expires_at\\\":\\\"2099-01-01T00:00:00.000000Z\\\"}}\"}" ;;
        download) echo "{\"match\":\"$m\",\"action\":\"status\",\"status\":200,\"body\":\"-----BEGIN CERTIFICATE-----\\\\nMAA=\\\\n-----END CERTIFICATE-----\\\\n\"}" ;;
      esac ;;
    expired_token)
      # The download link carries no token: expire the one of its API call;
      # a login's token expires on the call it serves.
      [ "$2" = download ] && m="/ssl-certs/download"
      [ "$2" = login ] && m="/export"
      echo "{\"match\":\"$m\",\"action\":\"expire_token\"}" ;;
  esac
}

# Expected outcome: "ok" (success, after retries) or a pattern the error
# output must match.
expected() { # fault op
  case $1 in
    delay|429|50?|reset|truncate) echo ok ;;
    malformed|wrong_shape)
      case $2 in
        download) echo "cannot decode|no certificate" ;;
        *) echo "not valid JSON|malformed service response|lacks|not a string|not base64" ;;
      esac ;;
    oversize) echo "response too large|exceeds the size limit" ;;
    bad_pem)
      case $2 in
        sign) echo "does not verify|remote key operation failed" ;;
        login) echo "X-Subject-Token|no token|malformed|authentication failed" ;;
        *) echo "cannot decode|invalid base64|malformed" ;;
      esac ;;
    expired_token)
      case $2 in
        login) echo ok ;; # a login method logs in again and succeeds
        *) echo "token was refused|token expired" ;;
      esac ;;
  esac
}

failures=0
for f in "${FAULTS[@]}"; do
  for op in "${OPS[@]}"; do
    emu_reset
    emu_fault "$(fault_json "$f" "$op")"
    start=$(date +%s%N)
    set +e
    run_op "$op"
    rc=$?
    set -e
    secs=$(( ($(date +%s%N) - start) / 1000000000 ))
    want=$(expected "$f" "$op")
    verdict=ok
    if [ "$rc" -ge 128 ]; then
      verdict="crash($rc)"
    elif [ "$secs" -gt "$MAX_SECONDS" ]; then
      verdict="slow(${secs}s)"
    elif [ "$want" = ok ] && [ "$rc" -ne 0 ]; then
      verdict="failed"
    elif [ "$want" != ok ] && [ "$rc" -eq 0 ]; then
      verdict="succeeded"
    elif [ "$want" != ok ] && ! grep -qE -- "$want" "$HWC_TEST_TMP/out"; then
      verdict="message"
    elif grep -q "without eof or error" "$HWC_TEST_TMP/out"; then
      verdict="no-eof"
    fi
    if [ "$f" = 429 ] && [ "$verdict" = ok ] && [ "$(( ($(date +%s%N) - start) / 1000000 ))" -lt 1000 ]; then
      verdict="no-wait"
    fi
    RESULT[$f,$op]=$verdict
    if [ "$verdict" != ok ]; then
      failures=$((failures + 1))
      echo "--- $f x $op: $verdict (rc $rc, ${secs}s, wanted: $want)" >&2
      cat "$HWC_TEST_TMP/out" >&2
    else
      pass "$f x $op (${secs}s)"
    fi
  done
done

printf '\n%-14s' "fault"
for op in "${OPS[@]}"; do printf '%-10s' "$op"; done
printf '\n'
for f in "${FAULTS[@]}"; do
  printf '%-14s' "$f"
  for op in "${OPS[@]}"; do printf '%-10s' "${RESULT[$f,$op]}"; done
  printf '\n'
done
echo "matrix: ${#FAULTS[@]} faults x ${#OPS[@]} operations = $(( ${#FAULTS[@]} * ${#OPS[@]} )) rows, $failures failed"
[ "$failures" -eq 0 ] || fail "$failures rows of the fault matrix failed"
hwc_done
