/*
 * load_bench.c: what loading a certificate and its key through the
 * provider costs, next to loading the same PEM from a local file.
 *
 *   hwc-load_bench --uri scm:cert/<id> --file bundle.pem \
 *       --conf-cached a.cnf --conf-uncached b.cnf [--iterations N]
 *       [--rounds R] [--delays 0,20] [--delay-iterations N] [--cold K]
 *       [--conf-plain c.cnf]   (for file: loads: no provider)
 *   hwc-load_bench --once URI [--expect N]   (one load, for cold runs)
 *   hwc-load_bench --rss --uri URI --conf C [--loads N] [--checkpoint M]
 *
 * One process, two library contexts: one whose openssl.cnf leaves the
 * object cache on, one with cache_ttl = 0; the file: loads use a third
 * one with the default provider alone (--conf-plain), as users have today.
 * Scenarios are interleaved in rounds so drift hits them alike. Next to them, a
 * bare libcurl POST of the same SCM export request on one kept-alive handle.
 * Each scenario block starts with an emulator reset and ends by reading its
 * counters. One JSON line per scenario on stdout (bench/run.sh turns them into
 * the table).
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/store.h>

#include "bench_util.h"

extern char **environ;

static int expect_objects = 4; /* leaf, two chain certificates, key */

/* One OSSL_STORE open/load.../close; returns the number of objects. */
static int store_load(OSSL_LIB_CTX *libctx, const char *uri)
{
    OSSL_STORE_CTX *sc =
        OSSL_STORE_open_ex(uri, libctx, NULL, NULL, NULL, NULL, NULL, NULL);
    int n = 0;

    if (sc == NULL) {
        return -1;
    }
    while (!OSSL_STORE_eof(sc)) {
        OSSL_STORE_INFO *info = OSSL_STORE_load(sc);
        if (info == NULL) {
            break;
        }
        n++;
        OSSL_STORE_INFO_free(info);
    }
    OSSL_STORE_close(sc);
    return n;
}

static void load_checked(OSSL_LIB_CTX *libctx, const char *uri)
{
    int n = store_load(libctx, uri);

    if (n != expect_objects) {
        bench_die("%s: %d objects, expected %d", uri, n, expect_objects);
    }
}

static OSSL_LIB_CTX *libctx_from(const char *conf)
{
    OSSL_LIB_CTX *c = OSSL_LIB_CTX_new();

    if (c == NULL || !OSSL_LIB_CTX_load_config(c, conf)) {
        bench_die("cannot load %s", conf);
    }
    return c;
}

/*------------------------------------------------------ bare libcurl */

static void bare_init(bench_bare *b, const char *cert_id)
{
    char path[128];

    snprintf(path, sizeof(path), "/v3/scm/certificates/%s/export", cert_id);
    bench_bare_init(b, path, NULL);
}

/*--------------------------------------------------------- scenarios */

enum kind { K_FILE, K_FILE_PROV, K_CACHED, K_UNCACHED, K_BARE, K_NKINDS };
static const char *const kind_name[K_NKINDS] = {
    "file", "file_provider_loaded", "cached", "uncached", "curl_export"};

struct scenario {
    bench_samples s;
    bench_counts c;
};

static void counts_add(bench_counts *sum, const bench_counts *c)
{
    const char *k;
    json_t *v;

    if (sum->by_path == NULL) {
        sum->by_path = json_object();
    }
    sum->requests += c->requests;
    sum->connections += c->connections;
    sum->logins += c->logins;
    json_object_foreach(c->by_path, k, v)
    {
        json_int_t old = json_integer_value(json_object_get(sum->by_path, k));
        json_object_set_new(sum->by_path, k,
                            json_integer(old + json_integer_value(v)));
    }
}

struct ctx {
    const char *uri, *file;
    OSSL_LIB_CTX *cached, *uncached, *plain;
    bench_bare bare;
};

static void run_block(struct ctx *x, enum kind k, int n, long delay_ms,
                      struct scenario *sc)
{
    bench_counts c;

    bench_emu_reset();
    bench_emu_delay("/export", delay_ms);
    for (int i = 0; i < n; i++) {
        double t0 = bench_now();
        switch (k) {
        case K_FILE:
            load_checked(x->plain, x->file);
            break;
        case K_FILE_PROV: /* the same file, hwcloud loaded beside default */
            load_checked(x->cached, x->file);
            break;
        case K_CACHED:
            load_checked(x->cached, x->uri);
            break;
        case K_UNCACHED:
            load_checked(x->uncached, x->uri);
            break;
        default:
            bench_bare_post(&x->bare, "export");
            break;
        }
        bench_samples_add(&sc->s, bench_now() - t0);
    }
    bench_emu_counts(&c);
    counts_add(&sc->c, &c);
    bench_counts_free(&c);
}

static void report(const char *name, long delay_ms, struct scenario *sc,
                   int per_load)
{
    char label[64];
    json_t *extra = json_pack("{s:i,s:i}", "delay_ms", (int)delay_ms,
                              "objects_per_load", expect_objects);

    snprintf(label, sizeof(label), "load.%s@%ld", name, delay_ms);
    if (per_load) {
        json_object_set_new(extra, "loads", json_integer((json_int_t)sc->s.n));
    }
    bench_report(label, &sc->s, &sc->c, extra);
    bench_samples_free(&sc->s);
    bench_counts_free(&sc->c);
}

/* Runs rounds of the given kinds; n iterations per kind in all. */
static void run_delay(struct ctx *x, const enum kind *kinds, size_t nk, int n,
                      int rounds, long delay_ms)
{
    struct scenario sc[K_NKINDS];
    int per = n / rounds > 0 ? n / rounds : 1;

    memset(sc, 0, sizeof(sc));
    for (int r = 0; r < rounds; r++) {
        for (size_t i = 0; i < nk; i++) {
            run_block(x, kinds[i], per, delay_ms, &sc[kinds[i]]);
        }
    }
    for (size_t i = 0; i < nk; i++) {
        report(kind_name[kinds[i]], delay_ms, &sc[kinds[i]], 1);
    }
}

/* K child processes, each one load; wall time from spawn to exit. */
static void run_cold(const char *self, const char *uri, const char *cnf,
                     const char *label, int k)
{
    struct scenario sc = {0};
    char expect[16];
    char *argv[] = {(char *)self, "--once", (char *)uri,
                    "--expect",   expect,   NULL};

    snprintf(expect, sizeof(expect), "%d", expect_objects);
    setenv("OPENSSL_CONF", cnf, 1);
    bench_emu_reset();
    for (int i = 0; i < k; i++) {
        pid_t pid;
        int st = 0;
        double t0 = bench_now();
        if (posix_spawn(&pid, self, NULL, NULL, argv, environ) != 0 ||
            waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
            WEXITSTATUS(st) != 0) {
            bench_die("cold load of %s failed", uri);
        }
        bench_samples_add(&sc.s, bench_now() - t0);
    }
    bench_emu_counts(&sc.c);
    bench_report(label, &sc.s, &sc.c,
                 json_pack("{s:i,s:i,s:i}", "delay_ms", 0, "processes", k,
                           "objects_per_load", expect_objects));
    bench_samples_free(&sc.s);
    bench_counts_free(&sc.c);
}

/*------------------------------------------------------------- modes */

static int mode_once(const char *uri)
{
    int n = store_load(NULL, uri);

    if (n != expect_objects) {
        fprintf(stderr, "%s: %d objects, expected %d\n", uri, n,
                expect_objects);
        ERR_print_errors_fp(stderr);
        return 1;
    }
    return 0;
}

static long maxrss_kib(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss; /* KiB on Linux */
}

static int mode_rss(const char *uri, const char *conf, int loads,
                    int checkpoint, const char *label)
{
    OSSL_LIB_CTX *lc = libctx_from(conf);
    long at_checkpoint = 0, before, at_end;
    bench_samples s = {0};
    bench_counts c;
    json_t *series = json_array();

    /* Room for every sample up front: our own arrays must not grow. */
    s.cap = (size_t)loads;
    if ((s.v = malloc(s.cap * sizeof(*s.v))) == NULL || series == NULL) {
        bench_die("out of memory");
    }
    bench_emu_reset();
    before = maxrss_kib();
    for (int i = 1; i <= loads; i++) {
        double t0 = bench_now();
        load_checked(lc, uri);
        bench_samples_add(&s, bench_now() - t0);
        if (i == checkpoint) {
            at_checkpoint = maxrss_kib();
        }
        if (checkpoint > 0 && i % checkpoint == 0) {
            json_array_append_new(
                series, json_pack("[i,I]", i, (json_int_t)maxrss_kib()));
        }
    }
    at_end = maxrss_kib(); /* before the counters: parsing them costs */
    bench_emu_counts(&c);
    bench_report(label, &s, &c,
                 json_pack("{s:i,s:i,s:i,s:I,s:I,s:I,s:o}", "delay_ms", 0,
                           "loads", loads, "checkpoint", checkpoint,
                           "rss_start_kib", (json_int_t)before,
                           "rss_checkpoint_kib", (json_int_t)at_checkpoint,
                           "rss_end_kib", (json_int_t)at_end, "rss_series",
                           series));
    bench_samples_free(&s);
    bench_counts_free(&c);
    OSSL_LIB_CTX_free(lc);
    return 0;
}

static int parse_delays(const char *text, long *out, int cap)
{
    int n = 0;
    char *end;

    while (*text != '\0' && n < cap) {
        out[n++] = strtol(text, &end, 10);
        text = *end == ',' ? end + 1 : end;
        if (end == text && *text != '\0') {
            break;
        }
    }
    return n;
}

static void usage(void)
{
    fprintf(stderr, "usage: see the comment at the top of load_bench.c\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *uri = NULL, *file = NULL, *cc = NULL, *cu = NULL;
    const char *once = NULL, *conf = NULL, *label = "rss", *plain = NULL;
    const char *delays_text = "0,20";
    int n = 400, rounds = 8, n_delay = 40, cold = 10, rss = 0;
    int loads = 10000, checkpoint = 1000;
    long delays[8];
    int ndelays;
    struct ctx x = {0};

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--rss") == 0) {
            rss = 1;
            continue;
        }
        if (v == NULL) {
            usage();
        }
        i++;
        if (strcmp(a, "--uri") == 0) {
            uri = v;
        } else if (strcmp(a, "--file") == 0) {
            file = v;
        } else if (strcmp(a, "--conf-cached") == 0) {
            cc = v;
        } else if (strcmp(a, "--conf-uncached") == 0) {
            cu = v;
        } else if (strcmp(a, "--conf-plain") == 0) {
            plain = v;
        } else if (strcmp(a, "--conf") == 0) {
            conf = v;
        } else if (strcmp(a, "--label") == 0) {
            label = v;
        } else if (strcmp(a, "--once") == 0) {
            once = v;
        } else if (strcmp(a, "--expect") == 0) {
            expect_objects = atoi(v);
        } else if (strcmp(a, "--iterations") == 0) {
            n = atoi(v);
        } else if (strcmp(a, "--rounds") == 0) {
            rounds = atoi(v);
        } else if (strcmp(a, "--delay-iterations") == 0) {
            n_delay = atoi(v);
        } else if (strcmp(a, "--delays") == 0) {
            delays_text = v;
        } else if (strcmp(a, "--cold") == 0) {
            cold = atoi(v);
        } else if (strcmp(a, "--loads") == 0) {
            loads = atoi(v);
        } else if (strcmp(a, "--checkpoint") == 0) {
            checkpoint = atoi(v);
        } else {
            usage();
        }
    }
    if (once != NULL) {
        return mode_once(once);
    }
    bench_emu_init();
    if (rss) {
        if (uri == NULL || conf == NULL) {
            usage();
        }
        return mode_rss(uri, conf, loads, checkpoint, label);
    }
    if (uri == NULL || file == NULL || cc == NULL || cu == NULL ||
        strncmp(uri, "scm:cert/", 9) != 0 || rounds <= 0) {
        usage();
    }
    ndelays = parse_delays(delays_text, delays, 8);
    x.uri = uri;
    x.file = file;
    x.cached = libctx_from(cc);
    x.uncached = libctx_from(cu);
    x.plain = libctx_from(plain != NULL ? plain : cc);
    bare_init(&x.bare, uri + 9);

    /* Warm-up: logins, first connections, first decoder fetches. */
    load_checked(x.cached, x.uri);
    load_checked(x.uncached, x.uri);
    load_checked(x.plain, x.file);
    load_checked(x.cached, x.file);
    bench_bare_post(&x.bare, "export");

    for (int d = 0; d < ndelays; d++) {
        static const enum kind all[] = {K_FILE, K_FILE_PROV, K_CACHED,
                                        K_UNCACHED, K_BARE};
        static const enum kind remote[] = {K_UNCACHED, K_BARE};
        if (delays[d] == 0) {
            run_delay(&x, all, 5, n, rounds, 0);
        } else {
            run_delay(&x, remote, 2, n_delay, rounds, delays[d]);
        }
    }
    if (cold > 0) {
        run_cold(argv[0], uri, cu, "load.cold_scm@0", cold);
        run_cold(argv[0], file, plain ? plain : cu, "load.cold_file@0", cold);
    }
    bench_bare_free(&x.bare);
    OSSL_LIB_CTX_free(x.plain);
    OSSL_LIB_CTX_free(x.uncached);
    OSSL_LIB_CTX_free(x.cached);
    return 0;
}
