/* persist.c: what makes a restart with the same --state-dir the same
 * cloud. DIR/persist/ keeps a seed, the ports of the last run, and the keys
 * and certificates made at start. Every random value the start-up draws
 * (ids, credentials, the static token) comes from the seed instead of the
 * system's generator, one stream per fixture family, so the same DIR gives
 * the same values whatever else changed; certificates issued at start are
 * kept and reused while they have a week of validity left. A new DIR gets
 * a new seed: tests, which start from fresh directories, see fresh values.
 * Only the main thread's start-up draws from the seed (persist_scope):
 * request handlers and renewals draw fresh randomness, and what they
 * change is not kept. */
#include "emu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#define SEED_LEN 32
#define CERT_MIN_LEFT (7 * 86400)

static unsigned char seed[SEED_LEN];
static int have_seed;
static unsigned pref_https, pref_http;

/* The stream of the current scope: on the main thread during start-up. */
static _Thread_local struct {
    int on;
    unsigned char key[SHA256_DIGEST_LENGTH];
    uint64_t counter;
    unsigned char block[SHA256_DIGEST_LENGTH];
    size_t used;
} stream;

static char *path_of(const char *name)
{
    return emu_printf("%s/persist/%s", g_emu.state_dir, name);
}

static void read_ports(void)
{
    char *p = path_of("ports");
    size_t len = 0;
    unsigned char *d = emu_read_file(p, &len);
    free(p);
    if (d == NULL)
        return;
    char text[64] = "";
    memcpy(text, d, len < sizeof(text) - 1 ? len : sizeof(text) - 1);
    free(d);
    if (sscanf(text, "%u %u", &pref_https, &pref_http) != 2 ||
        pref_https > 65535 || pref_http > 65535)
        pref_https = pref_http = 0;
}

/* Reads DIR/persist/seed, or makes one (mode 0600, never replaced). */
int persist_open(void)
{
    char *dir = path_of(""), *keys = path_of("keys"), *certs = path_of("certs");
    char *p = path_of("seed");
    size_t len = 0;
    unsigned char *d;
    int r = 0;

    mkdir(dir, 0700);
    mkdir(keys, 0700);
    mkdir(certs, 0700);
    if ((d = emu_read_file(p, &len)) != NULL && len >= 2 * SEED_LEN) {
        for (size_t i = 0; i < SEED_LEN; i++)
            if (sscanf((const char *)d + 2 * i, "%2hhx", &seed[i]) != 1)
                r = -1;
    } else if (RAND_bytes(seed, SEED_LEN) == 1) {
        char hex[2 * SEED_LEN + 2];
        emu_hex(seed, SEED_LEN, hex);
        strcat(hex, "\n");
        mode_t old = umask(077);
        r = emu_write_file(p, hex, strlen(hex));
        umask(old);
    } else {
        r = -1;
    }
    have_seed = r == 0;
    free(d);
    free(p);
    free(dir);
    free(keys);
    free(certs);
    read_ports();
    return r;
}

void persist_scope(const char *label)
{
    memset(&stream, 0, sizeof(stream));
    if (label == NULL || !have_seed)
        return;
    size_t ll = strlen(label);
    unsigned char *in = malloc(SEED_LEN + ll);
    if (in == NULL)
        abort();
    memcpy(in, seed, SEED_LEN);
    memcpy(in + SEED_LEN, label, ll);
    SHA256(in, SEED_LEN + ll, stream.key);
    free(in);
    stream.used = sizeof(stream.block);
    stream.on = 1;
}

int persist_in_scope(void)
{
    return stream.on;
}

void emu_random(unsigned char *buf, size_t n)
{
    if (!stream.on) {
        RAND_bytes(buf, (int)n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (stream.used == sizeof(stream.block)) {
            unsigned char in[sizeof(stream.key) + 8];
            memcpy(in, stream.key, sizeof(stream.key));
            for (int b = 0; b < 8; b++)
                in[sizeof(stream.key) + b] =
                    (unsigned char)(stream.counter >> (56 - 8 * b));
            stream.counter++;
            SHA256(in, sizeof(in), stream.block);
            stream.used = 0;
        }
        buf[i] = stream.block[stream.used++];
    }
}

void persist_ports(unsigned *https, unsigned *http)
{
    *https = pref_https;
    *http = pref_http;
}

int persist_save_ports(unsigned https, unsigned http)
{
    char *p = path_of("ports");
    char *text = emu_printf("%u %u\n", https, http);
    int r = emu_write_file(p, text, strlen(text));
    free(text);
    free(p);
    return r;
}

char *persist_key_path(const char *name)
{
    char *base = emu_printf("keys/%s", name);
    char *p = path_of(base);
    free(base);
    return p;
}

/* What identifies a certificate made at start: everything pki_cert puts
 * into it but its serial, validity and signature. */
static char *cert_path(EVP_PKEY *key, const char *cn, X509 *issuer,
                       EVP_PKEY *ikey, int is_ca, const char *san, int days)
{
    unsigned char *der = NULL, md[SHA256_DIGEST_LENGTH];
    char hex[2 * SHA256_DIGEST_LENGTH + 1], *meta;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int n;

    if (c == NULL || !EVP_DigestInit_ex(c, EVP_sha256(), NULL))
        abort();
    meta = emu_printf("%s|%d|%s|%d|", cn, is_ca, san ? san : "", days);
    EVP_DigestUpdate(c, meta, strlen(meta));
    free(meta);
    if ((n = i2d_PUBKEY(key, &der)) > 0)
        EVP_DigestUpdate(c, der, (size_t)n);
    OPENSSL_free(der);
    der = NULL;
    if (issuer != NULL &&
        (n = i2d_X509_NAME(X509_get_subject_name(issuer), &der)) > 0)
        EVP_DigestUpdate(c, der, (size_t)n);
    OPENSSL_free(der);
    der = NULL;
    if (ikey != NULL && (n = i2d_PUBKEY(ikey, &der)) > 0)
        EVP_DigestUpdate(c, der, (size_t)n);
    OPENSSL_free(der);
    EVP_DigestFinal_ex(c, md, NULL);
    EVP_MD_CTX_free(c);
    emu_hex(md, sizeof(md), hex);
    char *base = emu_printf("certs/%s.pem", hex);
    char *p = path_of(base);
    free(base);
    return p;
}

X509 *persist_cert_get(EVP_PKEY *key, const char *cn, X509 *issuer,
                       EVP_PKEY *ikey, int is_ca, const char *san, int days)
{
    if (!stream.on)
        return NULL;
    char *p = cert_path(key, cn, issuer, ikey, is_ca, san, days);
    size_t len = 0;
    unsigned char *pem = emu_read_file(p, &len);
    free(p);
    if (pem == NULL)
        return NULL;
    BIO *b = BIO_new_mem_buf(pem, (int)len);
    X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
    BIO_free(b);
    free(pem);
    time_t soon = time(NULL) + CERT_MIN_LEFT;
    if (x != NULL && (X509_cmp_time(X509_get0_notAfter(x), &soon) <= 0 ||
                      EVP_PKEY_eq(X509_get0_pubkey(x), key) != 1)) {
        X509_free(x);
        x = NULL;
    }
    return x;
}

void persist_cert_put(X509 *x, EVP_PKEY *key, const char *cn, X509 *issuer,
                      EVP_PKEY *ikey, int is_ca, const char *san, int days)
{
    if (!stream.on)
        return;
    char *p = cert_path(key, cn, issuer, ikey, is_ca, san, days);
    char *pem = pki_cert_pem(x);
    emu_write_file(p, pem, strlen(pem));
    free(pem);
    free(p);
}
