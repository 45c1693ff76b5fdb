/*
 * call.h: one API call as the services define it: authentication headers
 * for each attempt, retries with jittered exponential backoff within a
 * deadline (429 honouring Retry-After, 5xx, throttling codes, connection
 * failures), one credential refresh on an expired token, and the services'
 * error envelopes turned into an error naming the URI, HTTP status, error
 * code and message and request id.
 */
#ifndef HWC_CALL_H
#define HWC_CALL_H

#include <jansson.h>

#include "net/endpoint.h"
#include "net/transport.h"

/* A small list of headers that owns (and wipes) its strings. */
typedef struct hwc_hdrs {
    hwc_header v[16];
    size_t n;
} hwc_hdrs;
int hwc_hdrs_add(hwc_hdrs *h, const char *name, const char *value);
void hwc_hdrs_free(hwc_hdrs *h);

struct hwc_call;

/* The credential interface the service clients see (auth.c implements
 * it); they never know which method is behind it. */
typedef struct hwc_auth_ops {
    /* Adds the auth headers for this attempt (may log in first). */
    int (*apply)(void *auth, const struct hwc_call *c, const char *host,
                 const char *path, const unsigned char *body, size_t body_len,
                 hwc_hdrs *h);
    /* The service refused the credentials as expired or invalid, with
     * its error code and message (possibly ""): returns 1 when a new
     * attempt may succeed (a fresh login), else 0 with an error raised
     * (e.g. a static token expired). */
    int (*refresh)(void *auth, const struct hwc_call *c, const char *code,
                   const char *msg);
    const char *(*name)(void *auth);
} hwc_auth_ops;

/* What a call answers with, which decides its Accept and Content-Type. */
enum hwc_answer {
    HWC_ANSWER_JSON = 0,  /* an API answering JSON: Accept application/json */
    HWC_ANSWER_RAW,       /* an API answering a file: no Accept of ours */
    HWC_ANSWER_PRESIGNED, /* not an API: a presigned object GET, whose
                           * signature covers Content-Type: neither header */
};

typedef struct hwc_call {
    const char *what; /* URI or operation, for messages */
    enum hwc_service service;
    const char *method;    /* "GET", "POST", "DELETE" */
    const char *base_url;  /* "https://host[:port][/prefix]" */
    const char *path;      /* "/v1.0/<project>/kms/get-publickey" */
    const char *query;     /* encoded, without '?'; or NULL */
    const char *json_body; /* or NULL (no body) */
    enum hwc_answer answer;
    const char *project_id; /* scope, for auth (may be NULL) */
    const char *domain_id;
    const char *region;
    int state_changing; /* not retried once it may have arrived */
    const hwc_http_opts *http;
    int retries;                  /* extra attempts after the first */
    long deadline_ms;             /* for all attempts together */
    const hwc_auth_ops *auth_ops; /* NULL: no authentication */
    void *auth;
    /* Inside an OpenSSL ASYNC job the call pauses the job while it waits
     * (for an answer or before a retry) instead of blocking the thread;
     * everything else is the same (KMS sign and decrypt; async.h). */
    int may_pause;
} hwc_call;

/*
 * Performs the call. Returns 1 with a 2xx response in *resp; otherwise 0
 * with an error raised and *resp freed. The caller frees *resp.
 */
int hwc_call_perform(const hwc_call *c, hwc_http_resp *resp);

/* Performs the call and parses the JSON object it answered. */
int hwc_call_json(const hwc_call *c, json_t **out);

/* Parses a body as a JSON object (duplicates rejected); raises
 * HWC_R_BAD_RESPONSE naming `what` when it is not one. */
json_t *hwc_json_parse(const char *what, const unsigned char *body, size_t len);

/*
 * json_loadb, except that the string values of members that carry secrets
 * (secret, securitytoken, private_key, enc_private_key, plain_text,
 * plain_text_base64) never go through jansson's parser, which leaves copies
 * of what it reads in memory it frees unwiped (jsonsecret.c). Free the
 * result with hwc_json_free.
 */
json_t *hwc_json_loadb_secret(const char *text, size_t len, size_t flags,
                              json_error_t *err);
/* Wipes every string of root (jansson's own buffers), then frees it. */
void hwc_json_free(json_t *root);

/* A request body as compact JSON text, in a buffer of ours (jansson's own
 * is wiped: bodies can hold ciphertext and digests); free it with
 * OPENSSL_clear_free. NULL when body is NULL or on failure. */
char *hwc_json_dump(json_t *body);

/* Copies a string (or integer, as text) field of o into dst; "" when
 * absent, null or of another type. For optional, descriptive fields only. */
void hwc_json_text(json_t *o, const char *name, char *dst, size_t cap);

/*
 * Optional members as the SDKs' decoders read them: absent and JSON null
 * are the same (*out NULL, or dflt); another type than expected is an
 * HWC_R_BAD_RESPONSE error naming what and the member. o may be NULL.
 */
int hwc_json_opt_str(const char *what, json_t *o, const char *name,
                     const char **out);
int hwc_json_opt_int(const char *what, json_t *o, const char *name,
                     json_int_t dflt, json_int_t *out);

/* s percent-encoded for a query value: all but A-Z a-z 0-9 - _ . ~ as
 * %XX (what the AK/SK signer's canonical query leaves alone). OPENSSL_free
 * it; NULL when out of memory (raised). */
char *hwc_query_escape(const char *s);

/* Pulls error_code/error_msg out of any of the services' envelopes. */
void hwc_error_envelope(const unsigned char *body, size_t len, char *code,
                        size_t codecap, char *msg, size_t msgcap);

#endif /* HWC_CALL_H */
