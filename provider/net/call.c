/*
 * call.c: the retry, re-authentication and error-envelope policy around
 * one API call (see call.h). What is retried, and why:
 *   - no answer because the connection could not be made: always (the
 *     request never reached the server);
 *   - 429, the gateway's throttling codes, 5xx, timeouts and connections
 *     dropped mid-answer: only for calls without side effects (every read,
 *     sign and decrypt); keystore create/delete are not retried once they
 *     may have arrived;
 *   - 401 or an expired-token code: once, after the credentials refreshed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include "net/call.h"

#define BACKOFF_BASE_MS 200
#define BACKOFF_CAP_MS 5000
#define RETRY_AFTER_CAP_S 30

int hwc_hdrs_add(hwc_hdrs *h, const char *name, const char *value)
{
    char *n, *v;

    if (h->n >= sizeof(h->v) / sizeof(h->v[0])) {
        hwc_raise(HWC_R_INTERNAL, "too many headers");
        return 0;
    }
    n = OPENSSL_strdup(name);
    v = OPENSSL_strdup(value);
    if (n == NULL || v == NULL) {
        OPENSSL_free(n);
        hwc_secret_free(v);
        hwc_raise(HWC_R_MALLOC, "adding a header");
        return 0;
    }
    h->v[h->n].name = n;
    h->v[h->n].value = v;
    h->n++;
    return 1;
}

void hwc_hdrs_free(hwc_hdrs *h)
{
    for (size_t i = 0; i < h->n; i++) {
        OPENSSL_free((char *)h->v[i].name);
        hwc_secret_free((char *)h->v[i].value);
    }
    h->n = 0;
}

char *hwc_json_dump(json_t *body)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL, *copy;

    if (text == NULL) {
        return NULL;
    }
    copy = OPENSSL_strdup(text);
    OPENSSL_cleanse(text, strlen(text));
    free(text); /* json_dumps allocates with jansson's malloc */
    return copy;
}

json_t *hwc_json_parse(const char *what, const unsigned char *body, size_t len)
{
    json_error_t err;
    json_t *root = hwc_json_loadb_secret((const char *)body, len,
                                         JSON_REJECT_DUPLICATES, &err);

    if (root == NULL) {
        /* The body is never echoed: it may hold key material. */
        hwc_raise(HWC_R_BAD_RESPONSE,
                  "%s: response is not valid JSON (%s at line %d column %d)",
                  what, err.text, err.line, err.column);
        return NULL;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        hwc_raise(HWC_R_BAD_RESPONSE, "%s: response is not a JSON object",
                  what);
        return NULL;
    }
    return root;
}

void hwc_json_text(json_t *o, const char *name, char *dst, size_t cap)
{
    json_t *v = json_object_get(o, name);

    if (json_is_string(v)) {
        OPENSSL_strlcpy(dst, json_string_value(v), cap);
    } else if (json_is_integer(v)) {
        snprintf(dst, cap, "%lld", (long long)json_integer_value(v));
    } else if (cap > 0) {
        dst[0] = '\0';
    }
}

static int opt_member(const char *what, json_t *o, const char *name,
                      int (*is)(const json_t *), const char *type, json_t **v)
{
    *v = json_object_get(o, name);
    if (*v == NULL || json_is_null(*v)) {
        *v = NULL;
        return 1;
    }
    if (!is(*v)) {
        hwc_raise(HWC_R_BAD_RESPONSE, "%s: %s is not %s", what, name, type);
        return 0;
    }
    return 1;
}

static int is_string(const json_t *v)
{
    return json_is_string(v);
}

static int is_integer(const json_t *v)
{
    return json_is_integer(v);
}

int hwc_json_opt_str(const char *what, json_t *o, const char *name,
                     const char **out)
{
    json_t *v;

    *out = NULL;
    if (!opt_member(what, o, name, is_string, "a string", &v)) {
        return 0;
    }
    *out = v != NULL ? json_string_value(v) : NULL;
    return 1;
}

int hwc_json_opt_int(const char *what, json_t *o, const char *name,
                     json_int_t dflt, json_int_t *out)
{
    json_t *v;

    *out = dflt;
    if (!opt_member(what, o, name, is_integer, "an integer", &v)) {
        return 0;
    }
    if (v != NULL) {
        *out = json_integer_value(v);
    }
    return 1;
}

char *hwc_query_escape(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    hwc_buf b = {0};
    int ok = 1;

    for (const unsigned char *p = (const unsigned char *)s; ok && *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
            (*p >= '0' && *p <= '9') || strchr("-_.~", *p) != NULL) {
            ok = hwc_buf_append(&b, p, 1);
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            ok = hwc_buf_append(&b, e, 3);
        }
    }
    if (!ok || hwc_buf_cstr(&b) == NULL) {
        hwc_buf_free(&b);
        hwc_raise(HWC_R_MALLOC, "escaping a query value");
        return NULL;
    }
    return (char *)hwc_buf_steal(&b, NULL);
}

/* The SDKs' rule: error_code/error_msg, else code/message, else recurse. */
static int find_envelope(json_t *o, char *code, size_t codecap, char *msg,
                         size_t msgcap, int depth)
{
    json_t *c, *m, *v;
    const char *k;

    if (!json_is_object(o) || depth > 4) {
        return 0;
    }
    c = json_object_get(o, "error_code");
    m = json_object_get(o, "error_msg");
    if (c == NULL && m == NULL) {
        c = json_object_get(o, "code");
        m = json_object_get(o, "message");
    }
    if (c != NULL || m != NULL) {
        if (json_is_string(c)) {
            snprintf(code, codecap, "%s", json_string_value(c));
        } else if (json_is_integer(c)) {
            snprintf(code, codecap, "%lld", (long long)json_integer_value(c));
        }
        if (json_is_string(m)) {
            snprintf(msg, msgcap, "%s", json_string_value(m));
        }
        return 1;
    }
    json_object_foreach(o, k, v)
    {
        if (find_envelope(v, code, codecap, msg, msgcap, depth + 1)) {
            return 1;
        }
    }
    return 0;
}

void hwc_error_envelope(const unsigned char *body, size_t len, char *code,
                        size_t codecap, char *msg, size_t msgcap)
{
    json_t *root;

    code[0] = msg[0] = '\0';
    if (len == 0 ||
        (root = json_loadb((const char *)body, len, 0, NULL)) == NULL) {
        return;
    }
    find_envelope(root, code, codecap, msg, msgcap, 0);
    json_decref(root);
    /* Control characters from a hostile server never reach a terminal. */
    for (char *p = msg; *p; p++) {
        if ((unsigned char)*p < 0x20) {
            *p = ' ';
        }
    }
    for (char *p = code; *p; p++) {
        if ((unsigned char)*p < 0x20) {
            *p = ' ';
        }
    }
}

static long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Before a retry: the thread sleeps, or a paused job waits. */
static void retry_wait(const hwc_call *c, long ms)
{
    hwc_http_opts o = *c->http;

    o.may_pause = c->may_pause;
    hwc_http_sleep(&o, ms);
}

/* Equal jitter: half the exponential delay plus a random half. */
static long backoff_ms(int attempt)
{
    long exp = BACKOFF_BASE_MS;
    unsigned int r = 0;

    for (int i = 0; i < attempt && exp < BACKOFF_CAP_MS; i++) {
        exp *= 2;
    }
    if (exp > BACKOFF_CAP_MS) {
        exp = BACKOFF_CAP_MS;
    }
    RAND_bytes((unsigned char *)&r, sizeof(r));
    return exp / 2 + (long)(r % (unsigned int)(exp / 2 + 1));
}

static int is_expired_code(const char *code)
{
    static const char *codes[] = {"KMS.0303",   "DCS.1002", "APIG.0301",
                                  "APIGW.0301", "SCM.0401", "SCM.0303",
                                  "IAM.0003"};

    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        if (strcmp(code, codes[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

static int is_throttle_code(const char *code)
{
    return strcmp(code, "APIG.0308") == 0 || strcmp(code, "APIGW.0308") == 0 ||
           strcmp(code, "KMS.0104") == 0;
}

static char *build_url(const hwc_call *c)
{
    hwc_buf url = {0};

    if (!hwc_buf_append_str(&url, c->base_url) ||
        !hwc_buf_append_str(&url, c->path) ||
        (c->query != NULL && (!hwc_buf_append(&url, "?", 1) ||
                              !hwc_buf_append_str(&url, c->query)))) {
        hwc_buf_free(&url);
        return NULL;
    }
    return (char *)hwc_buf_steal(&url, NULL);
}

/* "https://host:port/x" -> "host:port" (what the signer signs as Host). */
static void url_host(const char *url, char *host, size_t cap)
{
    const char *p = strstr(url, "://");
    size_t n;

    p = p ? p + 3 : url;
    n = strcspn(p, "/?#");
    snprintf(host, cap, "%.*s", (int)n, p);
}

enum verdict { V_DONE, V_RETRY, V_REAUTH, V_FAIL };

static enum verdict judge(const hwc_call *c, int answered,
                          const hwc_http_resp *r, const char *code)
{
    if (!answered) {
        if (r->fail == HWC_HTTP_CONNECT) {
            return V_RETRY;
        }
        if ((r->fail == HWC_HTTP_TIMEOUT || r->fail == HWC_HTTP_BROKEN) &&
            !c->state_changing) {
            return V_RETRY;
        }
        return V_FAIL;
    }
    if (r->status >= 200 && r->status < 300) {
        return V_DONE;
    }
    if (r->status == 401 || is_expired_code(code)) {
        return V_REAUTH;
    }
    if ((r->status == 429 || r->status >= 500 || is_throttle_code(code)) &&
        !c->state_changing) {
        return V_RETRY;
    }
    return V_FAIL;
}

/* Presigned links carry their credentials in the query: never shown. */
static int shown_len(const char *url)
{
    return (int)strcspn(url, "?");
}

/* How many attempts a failure took, when more than one: a timeout of 5 s
 * that took 10 s says why. */
static void attempts_text(char *out, size_t cap, int attempts, double seconds)
{
    if (attempts > 1) {
        snprintf(out, cap, " (%d attempts in %.1f s)", attempts, seconds);
    } else if (cap > 0) {
        out[0] = '\0';
    }
}

static void raise_failure(const hwc_call *c, int answered,
                          const hwc_http_resp *r, const char *code,
                          const char *msg, int attempts, double seconds)
{
    char status[24], tries[64];

    attempts_text(tries, sizeof(tries), attempts, seconds);
    if (!answered) {
        int reason =
            r->fail == HWC_HTTP_TOO_LARGE ? HWC_R_TOO_LARGE : HWC_R_TRANSPORT;

        if (r->fail == HWC_HTTP_TIMEOUT && attempts > 1) {
            hwc_raise(reason,
                      "%s: %s %.*s%s: timed out after %d attempts, %.1f s "
                      "(the last: %s)",
                      c->what, c->method, shown_len(c->base_url), c->base_url,
                      c->path, attempts, seconds, r->detail);
            return;
        }
        hwc_raise(reason, "%s: %s %.*s%s: %s%s", c->what, c->method,
                  shown_len(c->base_url), c->base_url, c->path, r->detail,
                  tries);
        return;
    }
    /* IAM's envelope gives the status again as its code: not twice. */
    snprintf(status, sizeof(status), "%ld", r->status);
    if (strcmp(code, status) == 0) {
        code = "";
    }
    hwc_raise(HWC_R_SERVICE, "%s: HTTP %ld%s%s%s%s (request id %s)%s", c->what,
              r->status, code[0] ? " " : "", code, msg[0] ? " " : "",
              msg[0] ? msg : "", r->request_id[0] ? r->request_id : "none",
              tries);
}

#define HWC_JSON_TYPE "application/json;charset=UTF-8"

static int add_content_headers(const hwc_call *c, hwc_hdrs *h)
{
    if (c->answer == HWC_ANSWER_PRESIGNED) {
        return 1;
    }
    if (!hwc_hdrs_add(h, "Content-Type", HWC_JSON_TYPE)) {
        return 0;
    }
    return c->answer != HWC_ANSWER_JSON ||
           hwc_hdrs_add(h, "Accept", "application/json");
}

static int attempt(const hwc_call *c, const char *url, const char *host,
                   long deadline, hwc_http_resp *r)
{
    hwc_hdrs h = {0};
    hwc_http_opts o = *c->http;
    hwc_http_req req = {c->method,
                        url,
                        (const unsigned char *)c->json_body,
                        c->json_body ? strlen(c->json_body) : 0,
                        NULL,
                        0};
    long left = deadline - now_ms();
    int ok = 0;

    o.may_pause = c->may_pause;

    if (left < o.timeout_ms) {
        o.timeout_ms = left > 1 ? left : 1;
    }
    if (!add_content_headers(c, &h)) {
        goto done;
    }
    if (c->auth_ops != NULL &&
        !c->auth_ops->apply(c->auth, c, host, c->path, req.body, req.body_len,
                            &h)) {
        goto done;
    }
    req.headers = h.v;
    req.nheaders = h.n;
    ok = 1;
    hwc_http_perform(&o, &req, r);
done:
    hwc_hdrs_free(&h);
    return ok;
}

static void log_attempt(const hwc_call *c, const hwc_http_resp *r)
{
    hwc_debug("%s %.*s%s -> %ld%s%s in %.0f ms, request id %s, auth %s",
              c->method, shown_len(c->base_url), c->base_url, c->path,
              r->status, r->fail ? ": " : "", r->fail ? r->detail : "",
              r->seconds * 1000, r->request_id[0] ? r->request_id : "-",
              c->auth_ops ? c->auth_ops->name(c->auth) : "none");
}

/* The service's error code and message of an answer that is not 2xx ("" and
 * "" otherwise). A download host is no API: its error body is not read. */
static void read_error(const hwc_call *c, int answered, const hwc_http_resp *r,
                       char *code, size_t codelen, char *msg, size_t msglen)
{
    code[0] = msg[0] = '\0';
    if (answered && (r->status < 200 || r->status >= 300) &&
        c->answer != HWC_ANSWER_PRESIGNED) {
        hwc_error_envelope(r->body.data, r->body.len, code, codelen, msg,
                           msglen);
    }
}

/* The server's Retry-After (capped), else our backoff. */
static long retry_wait_ms(const hwc_http_resp *r, int tries)
{
    if (r->retry_after < 0) {
        return backoff_ms(tries);
    }
    return (r->retry_after > RETRY_AFTER_CAP_S ? RETRY_AFTER_CAP_S
                                               : r->retry_after) *
           1000;
}

int hwc_call_perform(const hwc_call *c, hwc_http_resp *r)
{
    char *url = build_url(c);
    char host[256], code[64], msg[512];
    long start = now_ms(), deadline = start + c->deadline_ms;
    int tries = 0, reauthed = 0, ok = 0;

    memset(r, 0, sizeof(*r));
    if (url == NULL) {
        hwc_raise(HWC_R_MALLOC, "%s: building the request", c->what);
        return 0;
    }
    url_host(url, host, sizeof(host));
    for (;;) {
        int answered;
        enum verdict v;
        long wait;

        hwc_http_resp_free(r);
        if (!attempt(c, url, host, deadline, r)) {
            break;
        }
        answered = r->fail == HWC_HTTP_OK;
        log_attempt(c, r);
        read_error(c, answered, r, code, sizeof(code), msg, sizeof(msg));
        v = judge(c, answered, r, code);
        if (v == V_DONE) {
            ok = 1;
            break;
        }
        if (v == V_REAUTH && !reauthed && c->auth_ops != NULL) {
            reauthed = 1;
            ERR_set_mark();
            if (c->auth_ops->refresh(c->auth, c, code, msg)) {
                ERR_pop_to_mark();
                continue;
            }
            ERR_clear_last_mark();
            raise_failure(c, answered, r, code, msg, tries + 1,
                          (now_ms() - start) / 1000.0);
            break;
        }
        wait = retry_wait_ms(r, tries);
        if (v != V_RETRY || tries >= c->retries ||
            now_ms() + wait >= deadline) {
            raise_failure(c, answered, r, code, msg, tries + 1,
                          (now_ms() - start) / 1000.0);
            break;
        }
        tries++;
        hwc_debug("retry %d of %d in %ld ms", tries, c->retries, wait);
        retry_wait(c, wait);
    }
    OPENSSL_free(url);
    if (!ok) {
        hwc_http_resp_free(r);
    }
    return ok;
}

int hwc_call_json(const hwc_call *c, json_t **out)
{
    hwc_http_resp r;

    *out = NULL;
    if (!hwc_call_perform(c, &r)) {
        return 0;
    }
    *out = hwc_json_parse(c->what, r.body.data, r.body.len);
    hwc_http_resp_free(&r);
    return *out != NULL;
}
