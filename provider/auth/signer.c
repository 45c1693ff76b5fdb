/*
 * signer.c: SDK-HMAC-SHA256, the AK/SK request signature of Huawei Cloud
 * API Gateway, built the way the public Go and Python SDKs build it
 * (canonical request, string to sign, HMAC with the secret key as is).
 * Pure: no I/O, no clock except in hwc_sdk_date.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "core/hwc.h"
#include "auth/signer.h"

#define SIGN_ALG "SDK-HMAC-SHA256"
#define SHA256_LEN 32

/*---------------------------------------------------------------- escaping */

/* The SDKs' shouldEscape(): everything but these is written as %XX. */
static int is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '~' ||
           c == '.';
}

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/*
 * Decodes s[0..n) once into out. In a query, '+' means a space, as in the
 * gateway's own Go signer (url.ParseQuery); in a path it is a literal '+'.
 * A broken escape is refused: the server could not agree on what it means.
 */
static int pct_decode(hwc_buf *out, const char *s, size_t n, int plus_space)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '%') {
            int hi = i + 2 < n ? hex_value((unsigned char)s[i + 1]) : -1;
            int lo = hi >= 0 ? hex_value((unsigned char)s[i + 2]) : -1;

            if (lo < 0) {
                hwc_raise(HWC_R_INTERNAL,
                          "malformed percent-escape in request URL");
                return 0;
            }
            c = (unsigned char)(hi << 4 | lo);
            i += 2;
        } else if (c == '+' && plus_space) {
            c = ' ';
        }
        if (!hwc_buf_append(out, &c, 1)) {
            return 0;
        }
    }
    return 1;
}

static int pct_encode(hwc_buf *out, const unsigned char *s, size_t n)
{
    static const char digits[] = "0123456789ABCDEF";

    for (size_t i = 0; i < n; i++) {
        char esc[3] = {'%', digits[s[i] >> 4], digits[s[i] & 0xf]};

        if (!(is_unreserved(s[i]) ? hwc_buf_append(out, &s[i], 1)
                                  : hwc_buf_append(out, esc, 3))) {
            return 0;
        }
    }
    return 1;
}

/* Decode then re-encode, so every sender spelling maps to one form. */
static int recode(hwc_buf *out, const char *s, size_t n, int plus_space)
{
    hwc_buf tmp = {0};
    int ok = pct_decode(&tmp, s, n, plus_space) &&
             pct_encode(out, tmp.data, tmp.len);

    hwc_buf_free(&tmp);
    return ok;
}

/*---------------------------------------------------------------- URI */

/*
 * Segments are recoded one by one after splitting on '/', so an encoded
 * "%2F" inside a segment stays "%2F" instead of becoming a separator.
 */
static int canonical_uri(hwc_buf *out, const char *path)
{
    const char *p = path != NULL ? path : "";

    if (strpbrk(p, "?#") != NULL) {
        hwc_raise(HWC_R_INTERNAL, "request path holds '?' or '#'");
        return 0;
    }
    for (;;) {
        size_t seg = strcspn(p, "/");

        if (!recode(out, p, seg, 0)) {
            return 0;
        }
        if (p[seg] == '\0') {
            break;
        }
        if (!hwc_buf_append(out, "/", 1)) {
            return 0;
        }
        p += seg + 1;
    }
    /* Signed with a trailing '/' even though the request line has none. */
    if (out->len == 0 || out->data[out->len - 1] != '/') {
        return hwc_buf_append(out, "/", 1);
    }
    return 1;
}

/*---------------------------------------------------------------- query */

typedef struct qparam {
    hwc_buf key; /* decoded */
    hwc_buf val; /* decoded */
} qparam;

static int bytes_cmp(const hwc_buf *a, const hwc_buf *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int c = n > 0 ? memcmp(a->data, b->data, n) : 0;

    if (c != 0) {
        return c;
    }
    return (a->len > b->len) - (a->len < b->len);
}

/* Keys sorted, values sorted within a key: one byte-wise sort of pairs. */
static int qparam_cmp(const void *a, const void *b)
{
    const qparam *x = a, *y = b;
    int c = bytes_cmp(&x->key, &y->key);

    return c != 0 ? c : bytes_cmp(&x->val, &y->val);
}

static void qparams_free(qparam *q, size_t n)
{
    for (size_t i = 0; q != NULL && i < n; i++) {
        hwc_buf_free(&q[i].key);
        hwc_buf_free(&q[i].val);
    }
    OPENSSL_free(q);
}

/* Splits "k=v&k2&..." into decoded pairs; empty pieces ("&&") vanish. */
static qparam *query_parse(const char *query, size_t *count)
{
    size_t max = 1, n = 0;
    qparam *q;

    for (const char *s = query; *s != '\0'; s++) {
        max += *s == '&';
    }
    if ((q = OPENSSL_zalloc(max * sizeof(*q))) == NULL) {
        return NULL;
    }
    for (const char *s = query;; s++) {
        size_t len = strcspn(s, "&");
        const char *eq = memchr(s, '=', len);
        size_t klen = eq != NULL ? (size_t)(eq - s) : len;

        if (len > 0) {
            if (!pct_decode(&q[n].key, s, klen, 1) ||
                (eq != NULL &&
                 !pct_decode(&q[n].val, eq + 1, len - klen - 1, 1))) {
                qparams_free(q, n + 1);
                return NULL;
            }
            n++;
        }
        s += len;
        if (*s == '\0') {
            break;
        }
    }
    *count = n;
    return q;
}

static int canonical_query(hwc_buf *out, const char *query)
{
    size_t n = 0;
    qparam *q;
    int ok = 1;

    if (query == NULL || *query == '\0') {
        return 1;
    }
    if ((q = query_parse(query, &n)) == NULL) {
        return 0;
    }
    qsort(q, n, sizeof(*q), qparam_cmp);
    for (size_t i = 0; ok && i < n; i++) {
        ok = (i == 0 || hwc_buf_append(out, "&", 1)) &&
             pct_encode(out, q[i].key.data, q[i].key.len) &&
             hwc_buf_append(out, "=", 1) &&
             pct_encode(out, q[i].val.data, q[i].val.len);
    }
    qparams_free(q, n);
    return ok;
}

/*---------------------------------------------------------------- headers */

typedef struct hdr {
    char *name;        /* lower-cased copy */
    const char *value; /* trimmed view into the caller's string */
    size_t vlen;
} hdr;

/* RFC 9110 token characters: a name outside them would forge lines. */
static int is_tchar(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int valid_token(const char *s)
{
    if (s == NULL || *s == '\0') {
        return 0;
    }
    for (; *s != '\0'; s++) {
        if (!is_tchar((unsigned char)*s)) {
            return 0;
        }
    }
    return 1;
}

/* Go's strings.TrimSpace on the ASCII white space. */
static void trim(const char *s, const char **start, size_t *len)
{
    size_t n = strlen(s);

    while (n > 0 && hwc_is_space((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n > 0 && hwc_is_space((unsigned char)s[n - 1])) {
        n--;
    }
    *start = s;
    *len = n;
}

static int hdr_cmp(const void *a, const void *b)
{
    const hdr *x = a, *y = b;
    size_t n = x->vlen < y->vlen ? x->vlen : y->vlen;
    int c = strcmp(x->name, y->name);

    if (c == 0 && n > 0) {
        c = memcmp(x->value, y->value, n);
    }
    return c != 0 ? c : (x->vlen > y->vlen) - (x->vlen < y->vlen);
}

static void hdrs_free(hdr *h, size_t n)
{
    for (size_t i = 0; h != NULL && i < n; i++) {
        OPENSSL_free(h[i].name);
    }
    OPENSSL_free(h);
}

static int hdr_init(hdr *h, const hwc_header *in)
{
    if (!valid_token(in->name) || in->value == NULL ||
        strpbrk(in->value, "\r\n") != NULL) {
        hwc_raise(HWC_R_INTERNAL, "header to sign is malformed: %.64s",
                  valid_token(in->name) ? in->name : "(bad name)");
        return 0;
    }
    if ((h->name = OPENSSL_strdup(in->name)) == NULL) {
        return 0;
    }
    for (char *p = h->name; *p != '\0'; p++) {
        if (*p >= 'A' && *p <= 'Z') {
            *p = (char)(*p - 'A' + 'a');
        }
    }
    trim(in->value, &h->value, &h->vlen);
    return 1;
}

/* Lower-cased copies sorted by name, then value (repeats keep one line). */
static hdr *hdrs_sorted(const hwc_sign_input *in)
{
    hdr *h;

    if (in->nheaders > 0 && in->headers == NULL) {
        hwc_raise(HWC_R_INTERNAL, "headers missing");
        return NULL;
    }
    if ((h = OPENSSL_zalloc((in->nheaders + 1) * sizeof(*h))) == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < in->nheaders; i++) {
        if (!hdr_init(&h[i], &in->headers[i])) {
            hdrs_free(h, in->nheaders);
            return NULL;
        }
    }
    qsort(h, in->nheaders, sizeof(*h), hdr_cmp);
    return h;
}

/* "name:value\n" per header, and the names once each joined by ';'. */
static int canonical_headers(hwc_buf *lines, hwc_buf *names, const hdr *h,
                             size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int repeat = i > 0 && strcmp(h[i].name, h[i - 1].name) == 0;

        if (!hwc_buf_printf(lines, "%s:", h[i].name) ||
            !hwc_buf_append(lines, h[i].value, h[i].vlen) ||
            !hwc_buf_append(lines, "\n", 1)) {
            return 0;
        }
        if (!repeat &&
            !hwc_buf_printf(names, "%s%s", names->len ? ";" : "", h[i].name)) {
            return 0;
        }
    }
    /* With no headers the SDKs still emit the blank line. */
    return n > 0 || hwc_buf_append(lines, "\n", 1);
}

static const hdr *hdr_find(const hdr *h, size_t n, const char *lname)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(h[i].name, lname) == 0) {
            return &h[i];
        }
    }
    return NULL;
}

/*---------------------------------------------------------------- hashes */

static char *sha256_hex(const void *data, size_t len)
{
    unsigned char md[SHA256_LEN];
    size_t mdlen = 0;

    if (!EVP_Q_digest(NULL, "SHA256", NULL, data, len, md, &mdlen) ||
        mdlen != SHA256_LEN) {
        hwc_raise(HWC_R_INTERNAL, "SHA-256 unavailable");
        return NULL;
    }
    return hwc_hex_encode(md, mdlen);
}

/*
 * The body hash, unless X-Sdk-Content-Sha256 (e.g. UNSIGNED-PAYLOAD) is
 * signed: then its value stands in for the hash, as in the SDKs.
 */
static int payload_hash(hwc_buf *out, const hwc_sign_input *in, const hdr *h,
                        size_t n)
{
    const hdr *given = hdr_find(h, n, "x-sdk-content-sha256");
    char *hex;
    int ok;

    if (given != NULL) {
        return hwc_buf_append(out, given->value, given->vlen);
    }
    if (in->body == NULL && in->body_len > 0) {
        hwc_raise(HWC_R_INTERNAL, "body length without body");
        return 0;
    }
    if ((hex = sha256_hex(in->body != NULL ? in->body : (const void *)"",
                          in->body_len)) == NULL) {
        return 0;
    }
    ok = hwc_buf_append_str(out, hex);
    OPENSSL_free(hex);
    return ok;
}

/*---------------------------------------------------------------- request */

/*
 * METHOD\nURI\nQUERY\nHEADER-LINES\nSIGNED\nHASH into canon; the signed
 * header names into names; the header copies (for X-Sdk-Date) into *hout.
 */
static int build_canonical(const hwc_sign_input *in, hwc_buf *canon,
                           hwc_buf *names, hdr **hout)
{
    hwc_buf lines = {0};
    hdr *h;
    int ok;

    if (in == NULL || !valid_token(in->method)) {
        hwc_raise(HWC_R_INTERNAL, "request method missing or invalid");
        return 0;
    }
    if ((h = hdrs_sorted(in)) == NULL) {
        return 0;
    }
    ok = hwc_buf_printf(canon, "%s\n", in->method) &&
         canonical_uri(canon, in->path) && hwc_buf_append(canon, "\n", 1) &&
         canonical_query(canon, in->query) && hwc_buf_append(canon, "\n", 1) &&
         canonical_headers(&lines, names, h, in->nheaders) &&
         hwc_buf_append(canon, lines.data, lines.len) &&
         hwc_buf_printf(canon, "\n%s\n",
                        names->len ? (char *)names->data : "") &&
         payload_hash(canon, in, h, in->nheaders) &&
         hwc_buf_cstr(canon) != NULL && hwc_buf_cstr(names) != NULL;
    hwc_buf_free(&lines);
    if (ok && hout != NULL) {
        *hout = h;
    } else {
        hdrs_free(h, in->nheaders);
    }
    return ok;
}

char *hwc_aksk_canonical_request(const hwc_sign_input *in)
{
    hwc_buf canon = {0}, names = {0};
    char *out = NULL;

    if (build_canonical(in, &canon, &names, NULL)) {
        out = (char *)hwc_buf_steal(&canon, NULL);
    }
    hwc_buf_free(&canon);
    hwc_buf_free(&names);
    return out;
}

/*---------------------------------------------------------------- signing */

/* YYYYMMDDTHHMMSSZ: the string to sign embeds it verbatim. */
static int valid_sdk_date(const char *s, size_t n)
{
    if (n != 16 || s[8] != 'T' || s[15] != 'Z') {
        return 0;
    }
    for (size_t i = 0; i < 15; i++) {
        if (i != 8 && (s[i] < '0' || s[i] > '9')) {
            return 0;
        }
    }
    return 1;
}

/* The Access= value ends at ',' or white space in the header. */
static int valid_ak(const char *ak)
{
    if (ak == NULL || *ak == '\0') {
        return 0;
    }
    for (; *ak != '\0'; ak++) {
        if (*ak <= ' ' || *ak > '~' || *ak == ',') {
            return 0;
        }
    }
    return 1;
}

/* hex(HMAC-SHA256(sk, sts)); the raw MAC is wiped before returning. */
static char *hmac_hex(const char *sk, const char *sts)
{
    unsigned char mac[SHA256_LEN];
    size_t maclen = 0;
    char *hex = NULL;

    if (EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, sk, strlen(sk),
                  (const unsigned char *)sts, strlen(sts), mac, sizeof(mac),
                  &maclen) == NULL ||
        maclen != SHA256_LEN) {
        hwc_raise(HWC_R_INTERNAL, "HMAC-SHA256 unavailable");
    } else {
        hex = hwc_hex_encode(mac, maclen);
    }
    OPENSSL_cleanse(mac, sizeof(mac));
    return hex;
}

/* SDK-HMAC-SHA256\nDATE\nhex(sha256(canonical)) */
static int string_to_sign(hwc_buf *sts, const hwc_buf *canon, const hdr *date)
{
    char *hex = sha256_hex(canon->data, canon->len);
    int ok;

    if (hex == NULL) {
        return 0;
    }
    ok = hwc_buf_printf(sts, SIGN_ALG "\n%.*s\n%s", (int)date->vlen,
                        date->value, hex) &&
         hwc_buf_cstr(sts) != NULL;
    OPENSSL_free(hex);
    return ok;
}

static const hdr *sdk_date(const hdr *h, size_t n)
{
    const hdr *date = hdr_find(h, n, "x-sdk-date");

    if (date == NULL || !valid_sdk_date(date->value, date->vlen)) {
        hwc_raise(HWC_R_INTERNAL,
                  "X-Sdk-Date header missing or not YYYYMMDDTHHMMSSZ");
        return NULL;
    }
    return date;
}

static int check_keys(const char *ak, const char *sk)
{
    if (!valid_ak(ak) || sk == NULL || *sk == '\0') {
        hwc_raise(HWC_R_AUTH, "access key or secret key missing or malformed");
        return 0;
    }
    return 1;
}

char *hwc_aksk_authorization(const char *ak, const char *sk,
                             const hwc_sign_input *in)
{
    hwc_buf canon = {0}, names = {0}, sts = {0}, auth = {0};
    hdr *h = NULL;
    const hdr *date;
    char *sig = NULL, *out = NULL;

    if (check_keys(ak, sk) && build_canonical(in, &canon, &names, &h) &&
        (date = sdk_date(h, in->nheaders)) != NULL &&
        string_to_sign(&sts, &canon, date) &&
        (sig = hmac_hex(sk, (char *)sts.data)) != NULL &&
        hwc_buf_printf(&auth,
                       SIGN_ALG " Access=%s, SignedHeaders=%s, "
                                "Signature=%s",
                       ak, (char *)names.data, sig)) {
        out = (char *)hwc_buf_steal(&auth, NULL);
    }
    if (sig != NULL) {
        OPENSSL_clear_free(sig, strlen(sig));
    }
    hdrs_free(h, in != NULL ? in->nheaders : 0);
    hwc_buf_free(&auth);
    hwc_buf_free(&sts);
    hwc_buf_free(&names);
    hwc_buf_free(&canon);
    return out;
}

void hwc_sdk_date(long t, char out[17])
{
    time_t tt = (time_t)t;
    struct tm tm;

    /* Years outside 1000..9999 do not fit the format: use the epoch. */
    if (gmtime_r(&tt, &tm) == NULL ||
        strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm) != 16) {
        memcpy(out, "19700101T000000Z", 17);
    }
}
