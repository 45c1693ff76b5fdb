/*
 * bench_util.h: what the benchmark programs share: a monotonic clock,
 * sample sets with medians, one JSON result line per scenario on stdout,
 * and the emulator's admin API (reset, latency faults, request and
 * connection counters) over its own libcurl handle.
 */
#ifndef HWC_BENCH_UTIL_H
#define HWC_BENCH_UTIL_H

#include <stddef.h>

#include <curl/curl.h>
#include <jansson.h>

double bench_now(void); /* seconds, CLOCK_MONOTONIC */

/* A bare libcurl client of the emulator: the same request the provider
 * makes, on one kept-alive handle, with the static token. */
typedef struct bench_bare {
    void *h; /* CURL * */
    struct curl_slist *hdrs;
    char url[512];
    const char *json; /* request body, or NULL for an empty POST */
    char *body;
    size_t len, cap;
} bench_bare;
void bench_bare_init(bench_bare *b, const char *path, const char *json);
void bench_bare_post(bench_bare *b, const char *what); /* exits on error */
void bench_bare_free(bench_bare *b);

typedef struct bench_samples {
    double *v; /* seconds */
    size_t n, cap;
} bench_samples;

void bench_samples_add(bench_samples *s, double seconds);
/* q in [0,1]; 0.5 is the median. Sorts s in place. */
double bench_quantile(bench_samples *s, double q);
void bench_samples_free(bench_samples *s);

/* Emulator counters since the last reset. */
typedef struct bench_counts {
    long requests;    /* service requests (admin API excluded) */
    long connections; /* TLS connections that carried a service request */
    long logins;      /* POST /v3/auth/tokens */
    json_t *by_path;  /* {"METHOD path": n} without the admin API */
} bench_counts;

/* Needs EMU_URL, EMU_CA (exits with a message when unset). */
void bench_emu_init(void);
void bench_emu_reset(void);
/* Adds delay_ms to every request whose "METHOD path" contains match. */
void bench_emu_delay(const char *match, long delay_ms);
void bench_emu_counts(bench_counts *c);
/* Sum of by_path entries whose key contains sub. */
long bench_counts_match(const bench_counts *c, const char *sub);
void bench_counts_free(bench_counts *c);

/* Prints one result line: {"scenario":..., "median_us":..., "p10_us",
 * "p90_us", "n", plus the counts and extra (both may be NULL)}. extra is
 * consumed. */
void bench_report(const char *scenario, bench_samples *s, const bench_counts *c,
                  json_t *extra);

/* Exits with a message (and OpenSSL's error queue) on failure. */
void bench_die(const char *fmt, ...);

const char *bench_env(const char *name); /* exits when unset */

#endif /* HWC_BENCH_UTIL_H */
