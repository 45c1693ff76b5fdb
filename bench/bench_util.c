/*
 * bench_util.c: see bench_util.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/err.h>

#include "bench_util.h"

double bench_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void bench_die(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fprintf(stderr, "bench: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    ERR_print_errors_fp(stderr);
    exit(1);
}

const char *bench_env(const char *name)
{
    const char *v = getenv(name);

    if (v == NULL || *v == '\0') {
        bench_die("%s is not set (run through bench/run.sh)", name);
    }
    return v;
}

void bench_samples_add(bench_samples *s, double seconds)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 256;
        s->v = realloc(s->v, s->cap * sizeof(*s->v));
        if (s->v == NULL) {
            bench_die("out of memory");
        }
    }
    s->v[s->n++] = seconds;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

double bench_quantile(bench_samples *s, double q)
{
    double pos, frac;
    size_t i;

    if (s->n == 0) {
        return 0;
    }
    qsort(s->v, s->n, sizeof(*s->v), cmp_double);
    pos = q * (double)(s->n - 1);
    i = (size_t)pos;
    frac = pos - (double)i;
    return i + 1 < s->n ? s->v[i] * (1 - frac) + s->v[i + 1] * frac : s->v[i];
}

void bench_samples_free(bench_samples *s)
{
    free(s->v);
    memset(s, 0, sizeof(*s));
}

/*------------------------------------------------------- emulator admin */

static CURL *admin;
static const char *emu_url;
static char *admin_body;
static size_t admin_len;

static size_t on_admin_body(char *p, size_t size, size_t n, void *arg)
{
    size_t len = size * n;
    char *nb = realloc(admin_body, admin_len + len + 1);

    (void)arg;
    if (nb == NULL) {
        return 0;
    }
    admin_body = nb;
    memcpy(admin_body + admin_len, p, len);
    admin_len += len;
    admin_body[admin_len] = '\0';
    return len;
}

void bench_emu_init(void)
{
    emu_url = bench_env("EMU_URL");
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if ((admin = curl_easy_init()) == NULL) {
        bench_die("curl_easy_init failed");
    }
    curl_easy_setopt(admin, CURLOPT_CAINFO, bench_env("EMU_CA"));
    curl_easy_setopt(admin, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(admin, CURLOPT_WRITEFUNCTION, on_admin_body);
}

/* One admin call; body NULL = GET. Returns the response body. */
static const char *admin_call(const char *path, const char *body)
{
    char url[512];
    struct curl_slist *h = NULL;
    long status = 0;
    CURLcode rc;

    snprintf(url, sizeof(url), "%s%s", emu_url, path);
    admin_len = 0;
    if (admin_body != NULL) {
        admin_body[0] = '\0';
    }
    curl_easy_setopt(admin, CURLOPT_URL, url);
    if (body != NULL) {
        h = curl_slist_append(NULL, "Content-Type: application/json");
        curl_easy_setopt(admin, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(admin, CURLOPT_POSTFIELDS, body);
    } else {
        curl_easy_setopt(admin, CURLOPT_HTTPHEADER, NULL);
        curl_easy_setopt(admin, CURLOPT_HTTPGET, 1L);
    }
    rc = curl_easy_perform(admin);
    curl_easy_getinfo(admin, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_setopt(admin, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(h);
    if (rc != CURLE_OK || status != 200) {
        bench_die("emulator admin %s: %s (HTTP %ld)", path,
                  curl_easy_strerror(rc), status);
    }
    return admin_body ? admin_body : "";
}

void bench_emu_reset(void)
{
    admin_call("/_emu/reset", "{}");
}

void bench_emu_delay(const char *match, long delay_ms)
{
    char body[256];

    if (delay_ms <= 0) {
        return;
    }
    snprintf(body, sizeof(body),
             "{\"match\":\"%s\",\"action\":\"delay\",\"delay_ms\":%ld,"
             "\"count\":-1}",
             match, delay_ms);
    admin_call("/_emu/fault", body);
}

void bench_emu_counts(bench_counts *c)
{
    const char *text = admin_call("/_emu/stats", NULL);
    json_t *root = json_loads(text, 0, NULL), *reqs, *v;
    const char *k;

    memset(c, 0, sizeof(*c));
    if (root == NULL ||
        !json_is_object(reqs = json_object_get(root, "requests"))) {
        bench_die("emulator stats: unexpected answer");
    }
    c->by_path = json_object();
    json_object_foreach(reqs, k, v)
    {
        if (strstr(k, "/_emu/") != NULL) {
            continue;
        }
        c->requests += (long)json_integer_value(v);
        json_object_set(c->by_path, k, v);
        if (strstr(k, "/v3/auth/tokens") != NULL) {
            c->logins += (long)json_integer_value(v);
        }
    }
    c->connections =
        (long)json_integer_value(json_object_get(root, "service_connections"));
    json_decref(root);
}

long bench_counts_match(const bench_counts *c, const char *sub)
{
    const char *k;
    json_t *v;
    long n = 0;

    json_object_foreach(c->by_path, k, v)
    {
        if (strstr(k, sub) != NULL) {
            n += (long)json_integer_value(v);
        }
    }
    return n;
}

void bench_counts_free(bench_counts *c)
{
    json_decref(c->by_path);
    c->by_path = NULL;
}

void bench_report(const char *scenario, bench_samples *s, const bench_counts *c,
                  json_t *extra)
{
    json_t *o = json_object();
    char *text;

    json_object_set_new(o, "scenario", json_string(scenario));
    if (s != NULL && s->n > 0) {
        json_object_set_new(o, "n", json_integer((json_int_t)s->n));
        json_object_set_new(o, "median_us",
                            json_real(bench_quantile(s, 0.5) * 1e6));
        json_object_set_new(o, "p10_us",
                            json_real(bench_quantile(s, 0.1) * 1e6));
        json_object_set_new(o, "p90_us",
                            json_real(bench_quantile(s, 0.9) * 1e6));
    }
    if (c != NULL) {
        json_object_set_new(o, "requests", json_integer(c->requests));
        json_object_set_new(o, "connections", json_integer(c->connections));
        json_object_set_new(o, "logins", json_integer(c->logins));
        json_object_set(o, "by_path", c->by_path);
    }
    if (extra != NULL) {
        json_object_update(o, extra);
        json_decref(extra);
    }
    text = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6));
    if (text != NULL) {
        printf("%s\n", text);
        fflush(stdout);
        free(text);
    }
    json_decref(o);
}

/*------------------------------------------------------ bare libcurl */

static size_t on_bare_body(char *p, size_t size, size_t n, void *arg)
{
    bench_bare *b = arg;
    size_t len = size * n;

    if (b->len + len > b->cap) {
        b->cap = (b->len + len) * 2;
        if ((b->body = realloc(b->body, b->cap)) == NULL) {
            return 0;
        }
    }
    memcpy(b->body + b->len, p, len);
    b->len += len;
    return len;
}

void bench_bare_init(bench_bare *b, const char *path, const char *json)
{
    char tok[4096];

    memset(b, 0, sizeof(*b));
    b->json = json;
    snprintf(b->url, sizeof(b->url), "%s%s", bench_env("EMU_URL"), path);
    snprintf(tok, sizeof(tok), "X-Auth-Token: %s", bench_env("EMU_TOKEN"));
    b->hdrs = curl_slist_append(NULL, tok);
    /* As the SDKs (and the provider): a JSON Content-Type on every API
     * call, body or not; the emulator refuses libcurl's form default. */
    b->hdrs = curl_slist_append(b->hdrs,
                                "Content-Type: application/json;charset=UTF-8");
    b->hdrs = curl_slist_append(b->hdrs, "Accept: application/json");
    b->hdrs = curl_slist_append(b->hdrs, "Expect:");
    if ((b->h = curl_easy_init()) == NULL || b->hdrs == NULL) {
        bench_die("libcurl set-up failed");
    }
    curl_easy_setopt(b->h, CURLOPT_URL, b->url);
    curl_easy_setopt(b->h, CURLOPT_CAINFO, bench_env("EMU_CA"));
    curl_easy_setopt(b->h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(b->h, CURLOPT_HTTPHEADER, b->hdrs);
    if (json == NULL) {
        curl_easy_setopt(b->h, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(b->h, CURLOPT_POSTFIELDSIZE, 0L);
    }
    curl_easy_setopt(b->h, CURLOPT_WRITEFUNCTION, on_bare_body);
    curl_easy_setopt(b->h, CURLOPT_WRITEDATA, b);
}

/* The request body is handed over for every call, as a client would. */
void bench_bare_post(bench_bare *b, const char *what)
{
    long status = 0;
    CURLcode rc;

    b->len = 0;
    if (b->json != NULL) {
        curl_easy_setopt(b->h, CURLOPT_POSTFIELDS, b->json);
    }
    rc = curl_easy_perform(b->h);
    curl_easy_getinfo(b->h, CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK || status != 200 || b->len == 0) {
        bench_die("bare %s: %s (HTTP %ld)", what, curl_easy_strerror(rc),
                  status);
    }
}

void bench_bare_free(bench_bare *b)
{
    curl_easy_cleanup(b->h);
    curl_slist_free_all(b->hdrs);
    free(b->body);
}
