/*
 * sign_bench.c: what one signature with a kms:key/<id> costs through the
 * provider (EVP_DigestSign: hash locally, KMS sign, local verification of
 * the answer) next to a bare libcurl POST of the same sign request to the
 * emulator on one kept-alive handle, the same POST followed by the
 * verification the provider must do (base64 decode and a local verify of
 * the answer with the public key: what a caller doing it by hand would
 * pay), and a local key of the same type for scale.
 *
 *   hwc-sign_bench --key-id <id> --conf openssl.cnf [--iterations N]
 *       [--delay-iterations M] [--rounds R] [--delays 0,20]
 *
 * RSA keys sign with PSS (as in TLS 1.3), EC keys with ECDSA, SHA-256.
 * Scenarios are interleaved in rounds; each block starts with an emulator
 * reset (plus the latency fault) and ends by reading its counters. One
 * JSON line per scenario on stdout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/store.h>
#include <openssl/x509.h>

#include "bench_util.h"

/* The sign request body: the digest of a fixed message. */
static void bare_init(bench_bare *b, char *json, size_t cap, const char *key_id,
                      const char *alg, unsigned char md[32])
{
    static const unsigned char msg[32] = "hwcloud benchmark message";
    char path[128], b64[64];

    if (!EVP_Q_digest(NULL, "SHA256", NULL, msg, sizeof(msg), md, NULL) ||
        EVP_EncodeBlock((unsigned char *)b64, md, 32) <= 0) {
        bench_die("digest");
    }
    snprintf(json, cap,
             "{\"key_id\":\"%s\",\"message\":\"%s\",\"signing_algorithm\":"
             "\"%s\",\"message_type\":\"DIGEST\"}",
             key_id, b64, alg);
    snprintf(path, sizeof(path), "/v1.0/%s/kms/sign",
             bench_env("EMU_PROJECT_ID"));
    bench_bare_init(b, path, json);
}

static EVP_PKEY *load_key(OSSL_LIB_CTX *lc, const char *uri)
{
    OSSL_STORE_CTX *sc =
        OSSL_STORE_open_ex(uri, lc, NULL, NULL, NULL, NULL, NULL, NULL);
    EVP_PKEY *pk = NULL;

    if (sc == NULL) {
        bench_die("cannot open %s", uri);
    }
    OSSL_STORE_expect(sc, OSSL_STORE_INFO_PKEY);
    while (pk == NULL && !OSSL_STORE_eof(sc)) {
        OSSL_STORE_INFO *info = OSSL_STORE_load(sc);
        if (info == NULL) {
            break;
        }
        pk = OSSL_STORE_INFO_get1_PKEY(info);
        OSSL_STORE_INFO_free(info);
    }
    OSSL_STORE_close(sc);
    if (pk == NULL) {
        bench_die("no private key in %s", uri);
    }
    return pk;
}

/* A default-provider copy of the public half, for the by-hand check. */
static EVP_PKEY *public_copy(OSSL_LIB_CTX *lc, EVP_PKEY *pk)
{
    unsigned char *der = NULL;
    const unsigned char *p;
    int len = i2d_PUBKEY(pk, &der);
    EVP_PKEY *pub = NULL;

    p = der;
    if (len <= 0 ||
        (pub = d2i_PUBKEY_ex(NULL, &p, len, lc, "provider=default")) == NULL) {
        bench_die("cannot copy the public key");
    }
    OPENSSL_free(der);
    return pub;
}

/* The bare POST, then what the provider adds by necessity: decode the
 * answer and verify it locally, as hwc_sig_remote does. */
static void bare_sign_verify(bench_bare *b, OSSL_LIB_CTX *lc, EVP_PKEY *pub,
                             const unsigned char *md)
{
    json_t *root, *v;
    unsigned char sig[1024];
    int len, pad = 0;
    size_t b64len = 0;
    EVP_PKEY_CTX *pctx;
    const char *b64;

    bench_bare_post(b, "sign");
    root = json_loadb(b->body, b->len, 0, NULL);
    v = json_object_get(root, "signature");
    if (!json_is_string(v) || (b64len = json_string_length(v)) == 0 ||
        b64len > 4 * (sizeof(sig) / 3)) {
        bench_die("bare sign: no signature in the answer");
    }
    b64 = json_string_value(v);
    pad = (b64[b64len - 1] == '=') + (b64len > 1 && b64[b64len - 2] == '=');
    len = EVP_DecodeBlock(sig, (const unsigned char *)b64, (int)b64len);
    if (len <= pad) {
        bench_die("bare sign: signature is not base64");
    }
    len -= pad;
    json_decref(root);
    pctx = EVP_PKEY_CTX_new_from_pkey(lc, pub, "provider=default");
    if (pctx == NULL || EVP_PKEY_verify_init(pctx) <= 0 ||
        EVP_PKEY_CTX_set_signature_md(pctx, EVP_sha256()) <= 0 ||
        (EVP_PKEY_is_a(pub, "RSA") &&
         (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
          EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) <=
              0)) ||
        EVP_PKEY_verify(pctx, sig, (size_t)len, md, 32) != 1) {
        bench_die("bare sign: the signature does not verify");
    }
    EVP_PKEY_CTX_free(pctx);
}

/* One EVP_DigestSign (init included, as a TLS handshake does it). */
static void digest_sign(OSSL_LIB_CTX *lc, EVP_PKEY *pk)
{
    static const unsigned char msg[32] = "hwcloud benchmark message";
    unsigned char sig[1024];
    size_t siglen = sizeof(sig);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;

    if (md == NULL ||
        EVP_DigestSignInit_ex(md, &pctx, "SHA256", lc, NULL, pk, NULL) <= 0 ||
        (EVP_PKEY_is_a(pk, "RSA") &&
         (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
          EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) <=
              0)) ||
        EVP_DigestSign(md, sig, &siglen, msg, sizeof(msg)) <= 0) {
        bench_die("EVP_DigestSign failed");
    }
    EVP_MD_CTX_free(md);
}

enum kind { K_KMS, K_BARE, K_BARE_VERIFY, K_LOCAL, K_NKINDS };
static const char *const kind_name[K_NKINDS] = {"kms", "curl_sign",
                                                "curl_sign_verify", "local"};

struct ctx {
    OSSL_LIB_CTX *lc;
    EVP_PKEY *kms, *local, *pub;
    unsigned char md[32]; /* the digest the bare request signs */
    bench_bare bare;
    char json[1024];
    const char *spec;
};

struct scenario {
    bench_samples s;
    long requests, connections, logins, signs;
};

static void run_block(struct ctx *x, enum kind k, int n, long delay_ms,
                      struct scenario *sc)
{
    bench_counts c;

    bench_emu_reset();
    bench_emu_delay("/kms/sign", delay_ms);
    for (int i = 0; i < n; i++) {
        double t0 = bench_now();
        if (k == K_KMS) {
            digest_sign(x->lc, x->kms);
        } else if (k == K_LOCAL) {
            digest_sign(x->lc, x->local);
        } else if (k == K_BARE_VERIFY) {
            bare_sign_verify(&x->bare, x->lc, x->pub, x->md);
        } else {
            bench_bare_post(&x->bare, "sign");
        }
        bench_samples_add(&sc->s, bench_now() - t0);
    }
    bench_emu_counts(&c);
    sc->requests += c.requests;
    sc->connections += c.connections;
    sc->logins += c.logins;
    sc->signs += bench_counts_match(&c, "/kms/sign");
    bench_counts_free(&c);
}

static void run_delay(struct ctx *x, int n, int rounds, long delay_ms)
{
    struct scenario sc[K_NKINDS];
    enum kind kinds[K_NKINDS] = {K_KMS, K_BARE, K_BARE_VERIFY, K_LOCAL};
    size_t nk = delay_ms == 0 ? 4 : 3; /* a local key ignores latency */
    int per = n / rounds > 0 ? n / rounds : 1;

    memset(sc, 0, sizeof(sc));
    for (int r = 0; r < rounds; r++) {
        for (size_t i = 0; i < nk; i++) {
            run_block(x, kinds[i], per, delay_ms, &sc[kinds[i]]);
        }
    }
    for (size_t i = 0; i < nk; i++) {
        char label[64];
        struct scenario *s = &sc[kinds[i]];
        snprintf(label, sizeof(label), "sign.%s.%s@%ld", x->spec,
                 kind_name[kinds[i]], delay_ms);
        bench_report(
            label, &s->s, NULL,
            json_pack("{s:i,s:I,s:I,s:I,s:I,s:i}", "delay_ms", (int)delay_ms,
                      "requests", (json_int_t)s->requests, "connections",
                      (json_int_t)s->connections, "logins",
                      (json_int_t)s->logins, "signs", (json_int_t)s->signs,
                      "signatures", (int)s->s.n));
        bench_samples_free(&s->s);
    }
}

int main(int argc, char **argv)
{
    const char *key_id = NULL, *conf = NULL, *delays = "0,20";
    int n = 300, n_delay = 60, rounds = 6;
    char uri[128];
    struct ctx x = {0};
    bench_counts c;
    double t0;

    for (int i = 1; i + 1 < argc; i += 2) {
        const char *a = argv[i], *v = argv[i + 1];
        if (strcmp(a, "--key-id") == 0) {
            key_id = v;
        } else if (strcmp(a, "--conf") == 0) {
            conf = v;
        } else if (strcmp(a, "--iterations") == 0) {
            n = atoi(v);
        } else if (strcmp(a, "--delay-iterations") == 0) {
            n_delay = atoi(v);
        } else if (strcmp(a, "--rounds") == 0) {
            rounds = atoi(v);
        } else if (strcmp(a, "--delays") == 0) {
            delays = v;
        } else {
            bench_die("unknown option %s", a);
        }
    }
    if (key_id == NULL || conf == NULL || rounds <= 0) {
        bench_die("usage: see the comment at the top of sign_bench.c");
    }
    bench_emu_init();
    if ((x.lc = OSSL_LIB_CTX_new()) == NULL ||
        !OSSL_LIB_CTX_load_config(x.lc, conf)) {
        bench_die("cannot load %s", conf);
    }
    snprintf(uri, sizeof(uri), "kms:key/%s", key_id);

    /* The key load: what a server pays once at start. */
    bench_emu_reset();
    t0 = bench_now();
    x.kms = load_key(x.lc, uri);
    t0 = bench_now() - t0;
    bench_emu_counts(&c);
    x.spec = EVP_PKEY_is_a(x.kms, "RSA") ? "rsa" : "ec";
    bench_report(EVP_PKEY_is_a(x.kms, "RSA") ? "keyload.rsa@0" : "keyload.ec@0",
                 NULL, &c, json_pack("{s:f}", "first_load_us", t0 * 1e6));
    bench_counts_free(&c);

    x.local = EVP_PKEY_is_a(x.kms, "RSA")
                  ? EVP_PKEY_Q_keygen(x.lc, NULL, "RSA", (size_t)2048)
                  : EVP_PKEY_Q_keygen(x.lc, NULL, "EC", "P-256");
    if (x.local == NULL) {
        bench_die("local key generation failed");
    }
    bare_init(&x.bare, x.json, sizeof(x.json), key_id,
              EVP_PKEY_is_a(x.kms, "RSA") ? "RSASSA_PSS_SHA_256"
                                          : "ECDSA_SHA_256",
              x.md);
    x.pub = public_copy(x.lc, x.kms);
    digest_sign(x.lc, x.kms); /* warm-up */
    bare_sign_verify(&x.bare, x.lc, x.pub, x.md);

    for (const char *p = delays; *p != '\0';) {
        char *end;
        long d = strtol(p, &end, 10);
        if (end == p) {
            break;
        }
        run_delay(&x, d == 0 ? n : n_delay, rounds, d);
        p = *end == ',' ? end + 1 : end;
    }
    bench_bare_free(&x.bare);
    EVP_PKEY_free(x.kms);
    EVP_PKEY_free(x.local);
    EVP_PKEY_free(x.pub);
    OSSL_LIB_CTX_free(x.lc);
    return 0;
}
