/*
 * signer.h: the SDK-HMAC-SHA256 request signer used by AK/SK credentials
 * (Huawei Cloud API signing, as the public SDKs implement it).
 */
#ifndef HWC_SIGNER_H
#define HWC_SIGNER_H

#include <stddef.h>

#include "net/transport.h" /* hwc_header */

typedef struct hwc_sign_input {
    const char *method; /* "GET", "POST", ... (an HTTP token) */
    /* Request path as sent, percent-encoded, without '?' or '#', e.g.
     * "/v1.0/p/kms/sign". Each segment is decoded once and re-encoded, so
     * "%2F" stays inside its segment. Malformed escapes are refused. */
    const char *path;
    /* Raw query without '?', percent-encoded ('+' reads as a space, as in
     * the gateway's Go signer); NULL or "" for none. */
    const char *query;
    /* Exactly the headers to sign (all are signed, none added): must hold
     * "X-Sdk-Date" (YYYYMMDDTHHMMSSZ); callers should also sign "Host" and
     * X-Project-Id / X-Domain-Id / X-Security-Token when they send them.
     * A signed "X-Sdk-Content-Sha256" value replaces the body hash. Names
     * must be HTTP tokens, values free of CR/LF. */
    const hwc_header *headers;
    size_t nheaders;
    const unsigned char *body; /* may be NULL when body_len is 0 */
    size_t body_len;
} hwc_sign_input;

/*
 * Returns the Authorization header value
 * "SDK-HMAC-SHA256 Access=AK, SignedHeaders=h1;h2, Signature=hex" (caller
 * frees with OPENSSL_free), or NULL with an error raised (HWC_R_AUTH for a
 * missing or malformed AK/SK, HWC_R_INTERNAL for a malformed request).
 * The X-Sdk-Date value is taken from the headers. The raw MAC and the
 * intermediate signature buffers are wiped.
 */
char *hwc_aksk_authorization(const char *ak, const char *sk,
                             const hwc_sign_input *in);

/*
 * The canonical request text (for tests and debugging; no secrets), or
 * NULL with an error raised. Does not need X-Sdk-Date. OPENSSL_free it.
 */
char *hwc_aksk_canonical_request(const hwc_sign_input *in);

/* "YYYYMMDDTHHMMSSZ" for t (UTC) into out[17]; the epoch's if t's year
 * does not have four digits. */
void hwc_sdk_date(long t, char out[17]);

#endif /* HWC_SIGNER_H */
