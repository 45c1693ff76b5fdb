/*
 * coexist_bench: what loading hwcloud costs programs that never name one of
 * its URIs. Ordinary PEM keys and certificates are loaded the ways servers
 * load them, in library contexts that differ only in their providers:
 *
 *   default          the default provider alone (the reference)
 *   off-last         default, then hwcloud with uri_pem off
 *   off-first        hwcloud with uri_pem off, then default
 *   on-last          default, then hwcloud with uri_pem on
 *   on-first         hwcloud with uri_pem on, then default
 *
 * Each round loads every workload once in every context, in turn, so that
 * machine noise falls on all of them alike; medians per (workload,
 * context) and the ratio to `default` are printed as JSON lines.
 *
 *   coexist_bench CONF_DIR KEY_RSA.pem KEY_EC.pem CERT.pem ROUNDS N
 *
 * CONF_DIR holds off-last.cnf, off-first.cnf, on-last.cnf, on-first.cnf:
 * openssl.cnf files activating the providers in that order (bench/run.sh
 * writes them).
 *
 *   coexist_bench --only CONTEXT WORKLOAD CONF_DIR KEY_RSA KEY_EC CERT N
 *
 * loads one workload (0-3, the order above) N times in one context and
 * nothing else: for instruction counts under callgrind, which are the same
 * from run to run whatever else the machine does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <openssl/store.h>
#include <openssl/x509.h>

#include "bench_util.h"

enum { CTX_DEFAULT, CTX_OFF_LAST, CTX_OFF_FIRST, CTX_ON_LAST, CTX_ON_FIRST };
static const char *ctx_names[] = {"default", "off-last", "off-first", "on-last",
                                  "on-first"};
#define NCTX 5

enum { W_RSA_KEY, W_EC_KEY, W_CERT_PEM, W_CERT_STORE };
static const char *work_names[] = {
    "RSA key, PEM_read_bio_PrivateKey", "EC key, PEM_read_bio_PrivateKey",
    "certificate, PEM_read_bio_X509", "certificate, OSSL_STORE file:"};
#define NWORK 4

static char *files[NWORK];
static unsigned char *blobs[NWORK];
static long blob_len[NWORK];

static void die(const char *what)
{
    fprintf(stderr, "coexist_bench: %s\n", what);
    ERR_print_errors_fp(stderr);
    exit(2);
}

static unsigned char *slurp(const char *path, long *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *b;

    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (*len = ftell(f)) <= 0 ||
        fseek(f, 0, SEEK_SET) != 0 || (b = malloc((size_t)*len)) == NULL ||
        fread(b, 1, (size_t)*len, f) != (size_t)*len) {
        die("cannot read an input file");
    }
    fclose(f);
    return b;
}

static OSSL_LIB_CTX *make_ctx(int which, const char *conf_dir)
{
    OSSL_LIB_CTX *ctx = OSSL_LIB_CTX_new();
    char conf[4096];

    if (ctx == NULL) {
        die("library context");
    }
    if (which == CTX_DEFAULT) {
        if (OSSL_PROVIDER_load(ctx, "default") == NULL) {
            die("default provider");
        }
        return ctx;
    }
    snprintf(conf, sizeof(conf), "%s/%s.cnf", conf_dir, ctx_names[which]);
    /* A module that cannot be loaded is no error for the configuration:
     * make sure hwcloud is there, or the figures would be the default's. */
    if (!OSSL_LIB_CTX_load_config(ctx, conf) ||
        !OSSL_PROVIDER_available(ctx, "hwcloud") ||
        !OSSL_PROVIDER_available(ctx, "default")) {
        die("cannot load a context's configuration (hwcloud and default)");
    }
    return ctx;
}

static void run_once(int w, OSSL_LIB_CTX *ctx)
{
    BIO *b = BIO_new_mem_buf(blobs[w], (int)blob_len[w]);
    int ok = 0;

    if (w == W_RSA_KEY || w == W_EC_KEY) {
        EVP_PKEY *pk =
            PEM_read_bio_PrivateKey_ex(b, NULL, NULL, NULL, ctx, NULL);
        ok = pk != NULL;
        EVP_PKEY_free(pk);
    } else if (w == W_CERT_PEM) {
        X509 *x = X509_new_ex(ctx, NULL);
        ok = x != NULL && PEM_read_bio_X509(b, &x, NULL, NULL) != NULL;
        X509_free(x);
    } else {
        OSSL_STORE_CTX *s = OSSL_STORE_open_ex(files[w], ctx, NULL, NULL, NULL,
                                               NULL, NULL, NULL);
        while (s != NULL && !OSSL_STORE_eof(s)) {
            OSSL_STORE_INFO *i = OSSL_STORE_load(s);
            ok |= i != NULL &&
                  OSSL_STORE_INFO_get_type(i) == OSSL_STORE_INFO_CERT;
            OSSL_STORE_INFO_free(i);
        }
        OSSL_STORE_close(s);
    }
    BIO_free(b);
    if (!ok) {
        die("a load failed");
    }
}

static int only(char **argv)
{
    int c = -1, w = atoi(argv[3]);
    long n = atol(argv[8]);
    OSSL_LIB_CTX *ctx;

    for (int i = 0; i < NCTX; i++) {
        c = strcmp(argv[2], ctx_names[i]) == 0 ? i : c;
    }
    if (c < 0 || w < 0 || w >= NWORK || n < 1) {
        die("--only: unknown context or workload");
    }
    files[W_RSA_KEY] = argv[5];
    files[W_EC_KEY] = argv[6];
    files[W_CERT_PEM] = files[W_CERT_STORE] = argv[7];
    blobs[w] = slurp(files[w], &blob_len[w]);
    ctx = make_ctx(c, argv[4]);
    for (long i = 0; i < n; i++) {
        run_once(w, ctx);
    }
    OSSL_LIB_CTX_free(ctx);
    return 0;
}

int main(int argc, char **argv)
{
    OSSL_LIB_CTX *ctx[NCTX];
    bench_samples s[NWORK][NCTX] = {{{0}}};
    long rounds, n;

    if (argc == 9 && strcmp(argv[1], "--only") == 0) {
        return only(argv);
    }
    if (argc != 7) {
        fprintf(stderr, "usage: coexist_bench CONF_DIR KEY_RSA.pem "
                        "KEY_EC.pem CERT.pem ROUNDS N\n");
        return 2;
    }
    files[W_RSA_KEY] = argv[2];
    files[W_EC_KEY] = argv[3];
    files[W_CERT_PEM] = files[W_CERT_STORE] = argv[4];
    rounds = atol(argv[5]);
    n = atol(argv[6]);
    for (int w = 0; w < NWORK; w++) {
        blobs[w] = slurp(files[w], &blob_len[w]);
    }
    for (int c = 0; c < NCTX; c++) {
        ctx[c] = make_ctx(c, argv[1]);
        for (int w = 0; w < NWORK; w++) {
            run_once(w, ctx[c]); /* warm-up: fetches, name tables */
        }
    }
    for (long r = 0; r < rounds; r++) {
        for (int w = 0; w < NWORK; w++) {
            for (int c = 0; c < NCTX; c++) {
                double t = bench_now();
                for (long i = 0; i < n; i++) {
                    run_once(w, ctx[c]);
                }
                bench_samples_add(&s[w][c], (bench_now() - t) / (double)n);
            }
        }
    }
    for (int w = 0; w < NWORK; w++) {
        double base = bench_quantile(&s[w][CTX_DEFAULT], 0.5);
        for (int c = 0; c < NCTX; c++) {
            double med = bench_quantile(&s[w][c], 0.5);
            printf("{\"scenario\":\"coexist.%d.%s\",\"workload\":\"%s\","
                   "\"context\":\"%s\",\"median_us\":%.2f,"
                   "\"p10_us\":%.2f,\"p90_us\":%.2f,\"ratio\":%.3f}\n",
                   w, ctx_names[c], work_names[w], ctx_names[c], med * 1e6,
                   bench_quantile(&s[w][c], 0.1) * 1e6,
                   bench_quantile(&s[w][c], 0.9) * 1e6, med / base);
            bench_samples_free(&s[w][c]);
        }
    }
    for (int c = 0; c < NCTX; c++) {
        OSSL_LIB_CTX_free(ctx[c]);
    }
    return 0;
}
