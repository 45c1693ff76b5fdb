/* aksk.c: an independent implementation of the SDK-HMAC-SHA256 AK/SK
 * request signature (verification side), its self-test against the
 * published vectors, and the temporary AK/SK issued by the metadata
 * service. */
#include "emu.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>
#include <openssl/hmac.h>

struct kv {
    char *k;
    char *v;
};

struct sig_input {
    const char *method;
    const char *path;
    struct kv *q;
    size_t nq;
    struct kv *h; /* lower-case names, sorted */
    size_t nh;
    const char *payload_hash;
    const char *date;
};

struct sbuf {
    char *p;
    size_t len, cap;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        if (b->p == NULL)
            abort();
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_str(struct sbuf *b, const char *s)
{
    sb_add(b, s, strlen(s));
}

static void sb_escape(struct sbuf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isalnum(c) || c == '_' || c == '-' || c == '~' || c == '.') {
            sb_add(b, (const char *)&c, 1);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            sb_add(b, e, 3);
        }
    }
}

static void canonical_uri(struct sbuf *b, const char *path)
{
    const char *p = path;
    while (*p != '\0') {
        const char *slash = strchr(p, '/');
        size_t n = slash != NULL ? (size_t)(slash - p) : strlen(p);
        sb_escape(b, p, n);
        if (slash == NULL)
            break;
        sb_add(b, "/", 1);
        p = slash + 1;
    }
    if (b->len == 0 || b->p[b->len - 1] != '/')
        sb_add(b, "/", 1);
}

static int kv_cmp(const void *a, const void *b)
{
    const struct kv *x = a, *y = b;
    int c = strcmp(x->k, y->k);
    return c != 0 ? c : strcmp(x->v, y->v);
}

static void canonical_query(struct sbuf *b, struct kv *q, size_t nq)
{
    if (nq > 1)
        qsort(q, nq, sizeof(*q), kv_cmp);
    for (size_t i = 0; i < nq; i++) {
        if (i > 0)
            sb_add(b, "&", 1);
        sb_escape(b, q[i].k, strlen(q[i].k));
        sb_add(b, "=", 1);
        sb_escape(b, q[i].v, strlen(q[i].v));
    }
}

static char *trim_dup(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    char *r = malloc(n + 1);
    if (r == NULL)
        abort();
    memcpy(r, s, n);
    r[n] = '\0';
    return r;
}

static char *canonical_request(const struct sig_input *in)
{
    struct sbuf b = {0};
    sb_str(&b, in->method);
    sb_add(&b, "\n", 1);
    canonical_uri(&b, in->path);
    sb_add(&b, "\n", 1);
    canonical_query(&b, in->q, in->nq);
    sb_add(&b, "\n", 1);
    for (size_t i = 0; i < in->nh; i++) {
        char *v = trim_dup(in->h[i].v);
        sb_str(&b, in->h[i].k);
        sb_add(&b, ":", 1);
        sb_str(&b, v);
        sb_add(&b, "\n", 1);
        free(v);
    }
    sb_add(&b, "\n", 1);
    for (size_t i = 0; i < in->nh; i++) {
        if (i > 0)
            sb_add(&b, ";", 1);
        sb_str(&b, in->h[i].k);
    }
    sb_add(&b, "\n", 1);
    sb_str(&b, in->payload_hash);
    return b.p;
}

/* hex signature of IN with secret key SK into out[65] */
static void sign(const struct sig_input *in, const char *sk, char out[65])
{
    char *creq = canonical_request(in);
    char hash[65];
    emu_sha256_hex(creq, strlen(creq), hash);
    free(creq);
    char *sts = emu_printf("SDK-HMAC-SHA256\n%s\n%s", in->date, hash);
    unsigned char mac[32];
    unsigned int maclen = 0;
    HMAC(EVP_sha256(), sk, (int)strlen(sk), (unsigned char *)sts, strlen(sts),
         mac, &maclen);
    free(sts);
    emu_hex(mac, 32, out);
}

static int vector(const char *method, const char *body, const char *qk,
                  const char *qv, const char *want)
{
    struct kv q = {(char *)qk, (char *)qv};
    struct kv h = {"x-sdk-date", "20060102T150405Z"};
    char ph[65], sig[65];
    emu_sha256_hex(body, strlen(body), ph);
    struct sig_input in = {method, "/path", &q, 1,
                           &h,     1,       ph, "20060102T150405Z"};
    sign(&in, "SecretKey", sig);
    int ok = strcmp(sig, want) == 0;
    printf("aksk selftest %s %s: %s (%s)\n", method, want, ok ? "ok" : "FAIL",
           sig);
    return ok;
}

int aksk_selftest(void)
{
    int ok = vector("GET", "", "limit", "1",
                    "5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d0"
                    "2ac79624");
    ok &= vector("POST", "{\"Name\":\"test\",\"Id\":1}\n", "key", "value",
                 "cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72f"
                 "c9db4f59");
    return ok ? 0 : 1;
}

/* --- verification of a live request --- */

struct qcollect {
    struct kv *q;
    size_t n, cap;
};

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind,
                                   const char *key, const char *value)
{
    (void)kind;
    struct qcollect *c = cls;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 8;
        c->q = realloc(c->q, c->cap * sizeof(*c->q));
        if (c->q == NULL)
            abort();
    }
    c->q[c->n].k = emu_strdup(key);
    c->q[c->n].v = emu_strdup(value != NULL ? value : "");
    c->n++;
    return MHD_YES;
}

static void kv_free(struct kv *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].k);
        free(v[i].v);
    }
    free(v);
}

/* value of FIELD= inside the Authorization header, up to ',' */
static char *auth_field(const char *auth, const char *field)
{
    const char *p = strstr(auth, field);
    if (p == NULL)
        return NULL;
    p += strlen(field);
    size_t n = strcspn(p, ",");
    char *raw = malloc(n + 1);
    if (raw == NULL)
        abort();
    memcpy(raw, p, n);
    raw[n] = '\0';
    char *t = trim_dup(raw);
    free(raw);
    return t;
}

static int collect_headers(const struct emu_req *req, const char *signed_hdrs,
                           struct kv **out, size_t *nout)
{
    size_t n = 0, cap = 8;
    struct kv *h = calloc(cap, sizeof(*h));
    char *list = emu_strdup(signed_hdrs), *save = NULL;
    int ok = 1;
    for (char *t = strtok_r(list, ";", &save); t != NULL;
         t = strtok_r(NULL, ";", &save)) {
        const char *v = req_header(req, t);
        if (v == NULL) {
            ok = 0;
            break;
        }
        if (n == cap) {
            cap *= 2;
            h = realloc(h, cap * sizeof(*h));
        }
        for (char *c = t; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        h[n].k = emu_strdup(t);
        h[n].v = emu_strdup(v);
        n++;
    }
    free(list);
    *out = h;
    *nout = n;
    return ok && n > 0;
}

static int date_ok(const char *d)
{
    struct tm tm = {0};
    char z = 0;
    if (d == NULL || strlen(d) != 16 ||
        sscanf(d, "%4d%2d%2dT%2d%2d%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
               &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &z) != 7 ||
        z != 'Z')
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm);
    time_t now = time(NULL);
    return t > now - 900 && t < now + 900;
}

static const char *payload_hash(const struct emu_req *req, char buf[65])
{
    const char *u = req_header(req, "X-Sdk-Content-Sha256");
    if (u != NULL && strcmp(u, "UNSIGNED-PAYLOAD") == 0)
        return u;
    emu_sha256_hex(req->body != NULL ? (const void *)req->body : "",
                   req->body_len, buf);
    return buf;
}

/* 0 when the request carries a valid signature made with SK. */
int aksk_verify(const struct emu_req *req, const char *sk, char *why,
                size_t whylen)
{
    const char *auth = req_header(req, "Authorization");
    const char *date = req_header(req, "X-Sdk-Date");
    if (!date_ok(date)) {
        snprintf(why, whylen, "the request time is not in the allowed range");
        return -1;
    }
    char *sh = auth_field(auth, "SignedHeaders=");
    char *sig = auth_field(auth, "Signature=");
    struct qcollect qc = {0};
    struct kv *h = NULL;
    size_t nh = 0;
    int r = -1;
    snprintf(why, whylen, "verify aksk signature fail");
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, collect_arg,
                              &qc);
    if (sh != NULL && sig != NULL && collect_headers(req, sh, &h, &nh)) {
        if (nh > 1)
            qsort(h, nh, sizeof(*h), kv_cmp);
        char ph[65], want[65];
        struct sig_input in = {
            req->method,           req->path, qc.q, qc.n, h, nh,
            payload_hash(req, ph), date};
        sign(&in, sk, want);
        r = strcasecmp(want, sig) == 0 ? 0 : -1;
    }
    kv_free(qc.q, qc.n);
    kv_free(h, nh);
    free(sh);
    free(sig);
    return r;
}

/* --- temporary credentials (metadata service) --- */

struct temp_cred {
    char ak[21];
    char sk[41];
    char *sectoken;
    time_t expires;
    struct temp_cred *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct temp_cred *temps;

char *aksk_temp_issue(long lifetime, char **secret, char **sectoken,
                      time_t *expires)
{
    struct temp_cred *t = calloc(1, sizeof(*t));
    if (t == NULL)
        abort();
    char r[17];
    emu_rand_hex(r, 16);
    snprintf(t->ak, sizeof(t->ak), "TMPK%s", r);
    for (char *c = t->ak; *c; c++)
        *c = (char)toupper((unsigned char)*c);
    emu_rand_hex(t->sk, 40);
    char *tk = token_new_static();
    t->sectoken = emu_printf("gQpzdC1lbXU%s", tk + 7);
    free(tk);
    t->expires = time(NULL) + lifetime;
    *secret = emu_strdup(t->sk);
    *sectoken = emu_strdup(t->sectoken);
    *expires = t->expires;
    pthread_mutex_lock(&lock);
    t->next = temps;
    temps = t;
    pthread_mutex_unlock(&lock);
    return emu_strdup(t->ak);
}

const char *aksk_secret_for(const char *ak, const char **sectoken,
                            time_t *expires)
{
    *sectoken = NULL;
    *expires = 0;
    if (strcmp(ak, g_emu.ak) == 0)
        return g_emu.sk;
    const char *sk = NULL;
    pthread_mutex_lock(&lock);
    for (struct temp_cred *t = temps; t != NULL; t = t->next) {
        if (strcmp(t->ak, ak) == 0) {
            sk = t->sk;
            *sectoken = t->sectoken;
            *expires = t->expires;
            break;
        }
    }
    pthread_mutex_unlock(&lock);
    return sk;
}
