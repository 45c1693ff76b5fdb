/*
 * keyops: what applications do in memory with ordinary RSA and EC keys,
 * for test_no_interference to run with and without hwcloud (activated
 * first or last) and compare. From a private key file:
 *   - import from parameters (EVP_PKEY_todata, then EVP_PKEY_fromdata by
 *     type name), and generation by name and from a parameter template;
 *   - with those keys: comparison, checks, parameters, duplication,
 *     encodings (PKCS#8, traditional, public, text), signatures both ways
 *     (RSA PKCS#1 deterministic: printed), verify-recover, RSA encryption
 *     both ways, ECDH both ways.
 *
 *   keyops KEY.pem
 *
 * stdout: results that must not depend on which providers are loaded;
 * stderr: "provider <what>: <name>" for each key made here (the test
 * checks that hwcloud made them when it was activated first). Exit 0 when
 * every operation succeeded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <openssl/rsa.h>

#include "helpers.h"

static void die(const char *what)
{
    helper_die("keyops", what);
}

static void check(int ok, const char *what)
{
    if (!ok) {
        die(what);
    }
    printf("%s: ok\n", what);
}

static void show_provider(const char *what, const EVP_PKEY *k)
{
    fprintf(stderr, "provider %s: %s\n", what,
            OSSL_PROVIDER_get0_name(EVP_PKEY_get0_provider(k)));
}

static EVP_PKEY *read_key(const char *path)
{
    FILE *f = fopen(path, "r");
    EVP_PKEY *k = f != NULL ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;

    if (f != NULL) {
        fclose(f);
    }
    if (k == NULL) {
        die("reading the key");
    }
    return k;
}

/* EVP_PKEY_fromdata on what todata gives, by type name. */
static EVP_PKEY *import(const EVP_PKEY *src, int selection)
{
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx =
        EVP_PKEY_CTX_new_from_name(NULL, EVP_PKEY_get0_type_name(src), NULL);
    EVP_PKEY *k = NULL;

    if (ctx == NULL || EVP_PKEY_todata(src, selection, &params) != 1 ||
        EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, &k, selection, params) != 1) {
        die("EVP_PKEY_fromdata");
    }
    OSSL_PARAM_free(params);
    EVP_PKEY_CTX_free(ctx);
    return k;
}

static void print_encodings(EVP_PKEY *k)
{
    BIO *out = BIO_new_fp(stdout, BIO_NOCLOSE);

    check(PEM_write_bio_PrivateKey(out, k, NULL, NULL, 0, NULL, NULL),
          "PKCS#8 PEM");
    check(
        PEM_write_bio_PrivateKey_traditional(out, k, NULL, NULL, 0, NULL, NULL),
        "traditional PEM");
    check(PEM_write_bio_PUBKEY(out, k), "public PEM");
    check(EVP_PKEY_print_private(out, k, 0, NULL) == 1, "text");
    check(i2d_PrivateKey(k, NULL) > 0, "i2d_PrivateKey");
    BIO_free(out);
    fflush(stdout);
}

static void checks(EVP_PKEY *k)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL);

    check(c != NULL && EVP_PKEY_check(c) == 1, "EVP_PKEY_check");
    check(EVP_PKEY_public_check(c) == 1, "EVP_PKEY_public_check");
    check(EVP_PKEY_private_check(c) == 1, "EVP_PKEY_private_check");
    check(EVP_PKEY_pairwise_check(c) == 1, "EVP_PKEY_pairwise_check");
    EVP_PKEY_CTX_free(c);
    printf("bits %d security %d size %d type %s\n", EVP_PKEY_get_bits(k),
           EVP_PKEY_get_security_bits(k), EVP_PKEY_get_size(k),
           EVP_PKEY_get0_type_name(k));
}

/* Sign with a, verify with b (digest-sign, as X.509 and TLS do). */
static void sign_verify(EVP_PKEY *a, EVP_PKEY *b, const char *what, int pss)
{
    static const unsigned char msg[] = "keyops message";
    unsigned char sig[1024];
    size_t len = sizeof(sig);
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pc = NULL;
    int ok = EVP_DigestSignInit_ex(m, &pc, "SHA256", NULL, NULL, a, NULL) == 1;

    if (ok && pss) {
        ok = EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING) == 1;
    }
    ok = ok && EVP_DigestSign(m, sig, &len, msg, sizeof(msg)) == 1 &&
         EVP_DigestVerifyInit_ex(m, &pc, "SHA256", NULL, NULL, b, NULL) == 1;
    if (ok && pss) {
        ok = EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING) == 1;
    }
    ok = ok && EVP_DigestVerify(m, sig, len, msg, sizeof(msg)) == 1;
    EVP_MD_CTX_free(m);
    check(ok, what);
    if (EVP_PKEY_is_a(a, "RSA") && !pss && strstr(what, "generated") == NULL) {
        /* PKCS#1 v1.5 with the file's key: deterministic */
        printf("signature %02x%02x%02x%02x...\n", sig[0], sig[1], sig[2],
               sig[3]);
    }
}

/* RSA with a raw digest: sign with a, recover with b. */
static void verify_recover(EVP_PKEY *a, EVP_PKEY *b)
{
    unsigned char dgst[32] = {1, 2, 3}, sig[1024], rec[1024];
    size_t slen = sizeof(sig), rlen = sizeof(rec);
    EVP_PKEY_CTX *s = EVP_PKEY_CTX_new_from_pkey(NULL, a, NULL);
    EVP_PKEY_CTX *v = EVP_PKEY_CTX_new_from_pkey(NULL, b, NULL);
    int ok = s != NULL && v != NULL && EVP_PKEY_sign_init(s) == 1 &&
             EVP_PKEY_sign(s, sig, &slen, dgst, sizeof(dgst)) == 1 &&
             EVP_PKEY_verify_recover_init(v) == 1 &&
             EVP_PKEY_verify_recover(v, rec, &rlen, sig, slen) == 1;

    EVP_PKEY_CTX_free(s);
    EVP_PKEY_CTX_free(v);
    check(ok && rlen == sizeof(dgst) && memcmp(rec, dgst, rlen) == 0,
          "verify-recover");
}

/* RSA: encrypt with a, decrypt with b (pad: RSA_PKCS1_*). */
static void encrypt_decrypt(EVP_PKEY *a, EVP_PKEY *b, int pad, const char *what)
{
    static const unsigned char secret[] = "a secret";
    unsigned char ct[1024], pt[1024];
    size_t clen = sizeof(ct), plen = sizeof(pt);
    EVP_PKEY_CTX *e = EVP_PKEY_CTX_new_from_pkey(NULL, a, NULL);
    EVP_PKEY_CTX *d = EVP_PKEY_CTX_new_from_pkey(NULL, b, NULL);
    int ok = e != NULL && d != NULL && EVP_PKEY_encrypt_init(e) == 1 &&
             EVP_PKEY_CTX_set_rsa_padding(e, pad) == 1 &&
             EVP_PKEY_encrypt(e, ct, &clen, secret, sizeof(secret)) == 1 &&
             EVP_PKEY_decrypt_init(d) == 1 &&
             EVP_PKEY_CTX_set_rsa_padding(d, pad) == 1 &&
             EVP_PKEY_decrypt(d, pt, &plen, ct, clen) == 1;

    EVP_PKEY_CTX_free(e);
    EVP_PKEY_CTX_free(d);
    check(ok && plen == sizeof(secret) && memcmp(pt, secret, plen) == 0, what);
}

static size_t derive(EVP_PKEY *priv, EVP_PKEY *peer, unsigned char *out,
                     size_t n)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, priv, NULL);
    int ok = c != NULL && EVP_PKEY_derive_init(c) == 1 &&
             EVP_PKEY_derive_set_peer(c, peer) == 1 &&
             EVP_PKEY_derive(c, out, &n) == 1;

    EVP_PKEY_CTX_free(c);
    return ok ? n : 0;
}

/* ECDH between a and a peer generated here, both ways. */
static void ecdh(EVP_PKEY *a)
{
    char group[64];
    unsigned char s1[256], s2[256];
    size_t n1, n2;
    EVP_PKEY *peer;

    if (!EVP_PKEY_get_group_name(a, group, sizeof(group), NULL) ||
        (peer = EVP_PKEY_Q_keygen(NULL, NULL, "EC", group)) == NULL) {
        die("an ECDH peer");
    }
    show_provider("generated EC peer", peer);
    n1 = derive(a, peer, s1, sizeof(s1));
    n2 = derive(peer, a, s2, sizeof(s2));
    check(n1 > 0 && n1 == n2 && memcmp(s1, s2, n1) == 0, "ECDH both ways");
    EVP_PKEY_free(peer);
}

/* A key of the same type and parameters, generated from k as template
 * (EC) or by name (RSA); it must sign for k's verification and back. */
static void generate_like(EVP_PKEY *k)
{
    EVP_PKEY_CTX *c = EVP_PKEY_is_a(k, "EC")
                          ? EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL)
                          : EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    EVP_PKEY *g = NULL;

    check(c != NULL && EVP_PKEY_keygen_init(c) == 1 &&
              EVP_PKEY_keygen(c, &g) == 1,
          "generation");
    EVP_PKEY_CTX_free(c);
    show_provider("generated", g);
    check(EVP_PKEY_parameters_eq(g, k) == 1 || EVP_PKEY_is_a(k, "RSA"),
          "generated key has the parameters");
    check(EVP_PKEY_eq(g, k) == 0, "generated key is another key");
    sign_verify(g, g, "generated key signs", 0);
    EVP_PKEY_free(g);
}

static void copies(EVP_PKEY *imp, EVP_PKEY *orig)
{
    EVP_PKEY *dup = EVP_PKEY_dup(imp), *params = EVP_PKEY_new();
    BIGNUM *a = NULL, *b = NULL;
    const char *bn = EVP_PKEY_is_a(orig, "RSA") ? OSSL_PKEY_PARAM_RSA_N
                                                : OSSL_PKEY_PARAM_PRIV_KEY;

    check(dup != NULL && EVP_PKEY_eq(dup, orig) == 1, "EVP_PKEY_dup");
    check(EVP_PKEY_get_bn_param(imp, bn, &a) == 1 &&
              EVP_PKEY_get_bn_param(orig, bn, &b) == 1 && BN_cmp(a, b) == 0,
          "parameters as numbers");
    if (EVP_PKEY_is_a(orig, "EC")) {
        check(EVP_PKEY_copy_parameters(params, imp) == 1 &&
                  EVP_PKEY_parameters_eq(params, orig) == 1,
              "EVP_PKEY_copy_parameters");
    }
    BN_clear_free(a);
    BN_clear_free(b);
    EVP_PKEY_free(params);
    EVP_PKEY_free(dup);
}

int main(int argc, char **argv)
{
    EVP_PKEY *orig, *imp, *pub;

    if (argc != 2) {
        fprintf(stderr, "usage: keyops KEY.pem\n");
        return 2;
    }
    orig = read_key(argv[1]);
    imp = import(orig, EVP_PKEY_KEYPAIR);
    pub = import(orig, EVP_PKEY_PUBLIC_KEY);
    show_provider("imported", imp);
    check(EVP_PKEY_eq(imp, orig) == 1, "imported key equals the file key");
    check(EVP_PKEY_eq(pub, orig) == 1, "imported public key equals it");
    checks(imp);
    copies(imp, orig);
    print_encodings(imp);
    sign_verify(imp, orig, "imported signs, file key verifies", 0);
    sign_verify(orig, imp, "file key signs, imported verifies", 0);
    sign_verify(orig, pub, "imported public key verifies", 0);
    if (EVP_PKEY_is_a(orig, "RSA")) {
        sign_verify(imp, orig, "PSS", 1);
        verify_recover(orig, imp);
        encrypt_decrypt(pub, orig, RSA_PKCS1_OAEP_PADDING, "OAEP to file");
        encrypt_decrypt(orig, imp, RSA_PKCS1_OAEP_PADDING, "OAEP to import");
        encrypt_decrypt(orig, imp, RSA_PKCS1_PADDING, "PKCS#1 to import");
    } else {
        ecdh(imp);
    }
    generate_like(imp);
    EVP_PKEY_free(pub);
    EVP_PKEY_free(imp);
    EVP_PKEY_free(orig);
    return 0;
}
