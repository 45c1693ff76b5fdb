/*
 * check_signature.c: the signatures of remote keys (RSA PKCS#1 v1.5 and
 * PSS, ECDSA, secp256k1, SM2) driven through their dispatch tables, with
 * a "KMS" that is a local private key: what is signed, what KMS is asked,
 * what is refused, the AlgorithmIdentifier, the parameters offered.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/core_object.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>
#include <openssl/store.h>
#include <openssl/x509.h>

#include "ossl/fwd.h"
#include "core/hwc.h"
#include "ossl/provider.h"
#include "resolve/rkey.h"
#include "testutil.h"
#include "rkeyutil.h"

/*------------------------------------------------------- signatures */

static void *sig_new(const char *type)
{
    return SIG(type, OSSL_FUNC_SIGNATURE_NEWCTX, newctx)(&t_provctx, NULL);
}

static void sig_free(const char *type, void *ctx)
{
    SIG(type, OSSL_FUNC_SIGNATURE_FREECTX, freectx)(ctx);
}

static int sig_set(const sig_case *c, void *ctx)
{
    OSSL_PARAM p[3], *q = p;

    if (c->pad != NULL) {
        *q++ = OSSL_PARAM_construct_utf8_string("pad-mode", (char *)c->pad, 0);
    }
    if (c->pad != NULL && strcmp(c->pad, "pss") == 0) {
        *q++ = OSSL_PARAM_construct_utf8_string("saltlen", "digest", 0);
    }
    *q = OSSL_PARAM_construct_end();
    return SIG(c->type, OSSL_FUNC_SIGNATURE_SET_CTX_PARAMS, set_ctx_params)(ctx,
                                                                            p);
}

/* digest-sign through our table, with a size query and a dupctx in the
 * middle as EVP_DigestSignFinal does. */
static void run_digest_sign(const sig_case *c, hwc_rkey *key, fake_kms *f)
{
    static const unsigned char msg[] = "the quick brown fox";
    void *ctx = sig_new(c->type), *dup;
    unsigned char sig[600];
    size_t siglen = 0;
    int calls = f->sign_calls;

    ck_assert_int_eq(SIG(c->type, OSSL_FUNC_SIGNATURE_DIGEST_SIGN_INIT,
                         digest_sign_init)(ctx, c->md, key, NULL),
                     1);
    ck_assert_int_eq(sig_set(c, ctx), 1);
    ck_assert_int_eq(SIG(c->type, OSSL_FUNC_SIGNATURE_DIGEST_SIGN_UPDATE,
                         digest_sign_update)(ctx, msg, 9),
                     1);
    ck_assert_int_eq(SIG(c->type, OSSL_FUNC_SIGNATURE_DIGEST_SIGN_UPDATE,
                         digest_sign_update)(ctx, msg + 9, sizeof(msg) - 10),
                     1);
    ck_assert_int_eq(SIG(c->type, OSSL_FUNC_SIGNATURE_DIGEST_SIGN_FINAL,
                         digest_sign_final)(ctx, NULL, &siglen, 0),
                     1);
    ck_assert_uint_le(siglen, sizeof(sig));
    dup = SIG(c->type, OSSL_FUNC_SIGNATURE_DUPCTX, dupctx)(ctx);
    ck_assert_ptr_nonnull(dup);
    ck_assert_int_eq(SIG(c->type, OSSL_FUNC_SIGNATURE_DIGEST_SIGN_FINAL,
                         digest_sign_final)(dup, sig, &siglen, sizeof(sig)),
                     1);
    ck_assert_int_eq(f->sign_calls, calls + 1);
    ck_assert_str_eq(f->last_alg, c->kms_alg);
    evp_verify(c, f->priv, sig, siglen, msg, sizeof(msg) - 1);
    sig_free(c->type, dup);
    sig_free(c->type, ctx);
}

/* sign on a precomputed digest (the pkeyutl path), then our verify. */
static void run_sign(const sig_case *c, hwc_rkey *key, fake_kms *f)
{
    static const unsigned char msg[] = "pkeyutl input";
    unsigned char dgst[EVP_MAX_MD_SIZE], sig[600];
    unsigned int dlen = 0;
    size_t siglen = sizeof(sig);
    void *ctx = sig_new(c->type);
    OSSL_PARAM p[] = {OSSL_PARAM_utf8_string("digest", (char *)c->md, 0),
                      OSSL_PARAM_END};

    ck_assert_int_eq(EVP_Digest(msg, sizeof(msg) - 1, dgst, &dlen,
                                EVP_get_digestbyname(c->md), NULL),
                     1);
    ck_assert_int_eq(
        SIG(c->type, OSSL_FUNC_SIGNATURE_SIGN_INIT, sign_init)(ctx, key, p), 1);
    ck_assert_int_eq(sig_set(c, ctx), 1);
    ck_assert_int_eq(SIG(c->type, OSSL_FUNC_SIGNATURE_SIGN,
                         sign)(ctx, sig, &siglen, sizeof(sig), dgst, dlen),
                     1);
    ck_assert_str_eq(f->last_alg, c->kms_alg);
    evp_verify(c, f->priv, sig, siglen, msg, sizeof(msg) - 1);

    ck_assert_int_eq(
        SIG(c->type, OSSL_FUNC_SIGNATURE_VERIFY_INIT, verify_init)(ctx, key, p),
        1);
    ck_assert_int_eq(sig_set(c, ctx), 1);
    ck_assert_int_eq(SIG(c->type, OSSL_FUNC_SIGNATURE_VERIFY,
                         verify)(ctx, sig, siglen, dgst, dlen),
                     1);
    sig[3] ^= 1;
    ck_assert_int_ne(SIG(c->type, OSSL_FUNC_SIGNATURE_VERIFY,
                         verify)(ctx, sig, siglen, dgst, dlen),
                     1);
    sig_free(c->type, ctx);
    ERR_clear_error();
}

static const sig_case rsa_cases[] = {
    {"RSA", "pkcs1", "SHA256", "RSASSA_PKCS1_V1_5_SHA_256"},
    {"RSA", "pkcs1", "SHA384", "RSASSA_PKCS1_V1_5_SHA_384"},
    {"RSA", "pkcs1", "SHA512", "RSASSA_PKCS1_V1_5_SHA_512"},
    {"RSA", "pss", "SHA256", "RSASSA_PSS_SHA_256"},
    {"RSA", "pss", "SHA384", "RSASSA_PSS_SHA_384"},
    {"RSA", "pss", "SHA512", "RSASSA_PSS_SHA_512"},
};

static const sig_case ec_cases[] = {
    {"ECDSA", NULL, "SHA256", "ECDSA_SHA_256"},
    {"ECDSA", NULL, "SHA384", "ECDSA_SHA_384"},
    {"ECDSA", NULL, "SHA512", "ECDSA_SHA_512"},
};

START_TEST(test_sign_rsa)
{
    hwc_rkey *key = make_key(&f_rsa, rsa_priv, "kms:key/rsa", "RSA_2048",
                             HWC_USAGE_SIGN_VERIFY, FAKE_DER);

    run_digest_sign(&rsa_cases[_i], key, &f_rsa);
    run_sign(&rsa_cases[_i], key, &f_rsa);
    hwc_rkey_free(key);
}
END_TEST

/* KMS binds ECDSA to the curve's digest: P-256/SHA-256, P-384/SHA-384
 * (and P-521/SHA-512, should KMS add it). _i: curve * 3 + (DER|r||s|BER);
 * what the caller gets is DER whatever KMS sent. */
START_TEST(test_sign_ecdsa)
{
    EVP_PKEY *privs[] = {ec256_priv, ec384_priv, ec521_priv};
    fake_kms *fs[] = {&f_ec256, &f_ec384, &f_ec521};
    const char *specs[] = {"EC_P256", "EC_P384", "EC_P521"};
    static const enum fake_mode modes[] = {FAKE_DER, FAKE_RAW, FAKE_BER};
    int curve = _i / 3;
    hwc_rkey *key =
        make_key(fs[curve], privs[curve], "kms:key/ec", specs[curve],
                 HWC_USAGE_SIGN_VERIFY, modes[_i % 3]);

    run_digest_sign(&ec_cases[curve], key, fs[curve]);
    run_sign(&ec_cases[curve], key, fs[curve]);
    hwc_rkey_free(key);
}
END_TEST

/* A KMS whose PSS salt is not the digest's length (here the longest the
 * key allows): its signatures are still taken (checked with any salt
 * length) and verify with an automatic salt length; the salt is not the
 * digest's, so a digest-length check would refuse them. */
START_TEST(test_sign_pss_other_salt)
{
    static const unsigned char msg[] = "the quick brown fox";
    const sig_case *c = &rsa_cases[3 + _i];
    hwc_rkey *key = make_key(&f_rsa, rsa_priv, "kms:key/rsa", "RSA_2048",
                             HWC_USAGE_SIGN_VERIFY, FAKE_MAXSALT);
    void *ctx = sig_new("RSA");
    unsigned char sig[600];
    size_t siglen = 0;
    EVP_PKEY *pub = public_copy(rsa_priv);
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;

    ck_assert_int_eq(SIG("RSA", OSSL_FUNC_SIGNATURE_DIGEST_SIGN_INIT,
                         digest_sign_init)(ctx, c->md, key, NULL),
                     1);
    ck_assert_int_eq(sig_set(c, ctx), 1);
    ck_assert_int_eq(SIG("RSA", OSSL_FUNC_SIGNATURE_DIGEST_SIGN_UPDATE,
                         digest_sign_update)(ctx, msg, sizeof(msg) - 1),
                     1);
    ck_assert_int_eq(SIG("RSA", OSSL_FUNC_SIGNATURE_DIGEST_SIGN_FINAL,
                         digest_sign_final)(ctx, sig, &siglen, sizeof(sig)),
                     1);
    ck_assert_str_eq(f_rsa.last_alg, c->kms_alg);
    ck_assert_int_eq(
        EVP_DigestVerifyInit_ex(mctx, &pctx, c->md, NULL, NULL, pub, NULL), 1);
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO);
    ck_assert_int_eq(EVP_DigestVerify(mctx, sig, siglen, msg, sizeof(msg) - 1),
                     1);
    ck_assert_int_eq(
        EVP_DigestVerifyInit_ex(mctx, &pctx, c->md, NULL, NULL, pub, NULL), 1);
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
    ck_assert_int_ne(EVP_DigestVerify(mctx, sig, siglen, msg, sizeof(msg) - 1),
                     1);
    ERR_clear_error();
    EVP_MD_CTX_free(mctx);
    EVP_PKEY_free(pub);
    sig_free("RSA", ctx);
    hwc_rkey_free(key);
}
END_TEST

/* KMS's SECP256K1 keys sign ECDSA_SHA_256 like EC_P256 ones. */
START_TEST(test_sign_secp256k1)
{
    static const sig_case c = {"ECDSA", NULL, "SHA256", "ECDSA_SHA_256"};
    hwc_rkey *key = make_key(&f_k1, k1_priv, "kms:key/k1", "SECP256K1",
                             HWC_USAGE_SIGN_VERIFY, _i ? FAKE_RAW : FAKE_DER);

    run_digest_sign(&c, key, &f_k1);
    run_sign(&c, key, &f_k1);
    hwc_rkey_free(key);
}
END_TEST

/* OpenSSL's SM2 verification with the default distinguishing id. */
static int sm2_verifies(const unsigned char *sig, size_t siglen,
                        const unsigned char *msg, size_t msglen)
{
    EVP_PKEY *pub = public_copy(sm2_priv);
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_pkey(NULL, pub, NULL);
    int ok;

    ck_assert_int_eq(EVP_PKEY_CTX_set1_id(pctx, "1234567812345678", 16), 1);
    EVP_MD_CTX_set_pkey_ctx(mctx, pctx);
    ck_assert_int_eq(
        EVP_DigestVerifyInit_ex(mctx, NULL, "SM3", NULL, NULL, pub, NULL), 1);
    ok = EVP_DigestVerify(mctx, sig, siglen, msg, msglen) == 1;
    ERR_clear_error();
    EVP_MD_CTX_free(mctx);
    EVP_PKEY_CTX_free(pctx);
    EVP_PKEY_free(pub);
    return ok;
}

/* SM2: SM2DSA_SM3 of e = SM3(Z || M), Z with the default id, which
 * OpenSSL verifies once told that id; SM3 only, that id only. */
START_TEST(test_sign_sm2)
{
    static const unsigned char msg[] = "SM2 in KMS";
    hwc_rkey *key = make_key(&f_sm2, sm2_priv, "kms:key/sm2", "SM2",
                             HWC_USAGE_SIGN_VERIFY, _i ? FAKE_RAW : FAKE_DER);
    void *ctx = sig_new("SM2");
    unsigned char sig[200];
    size_t siglen = 0;
    OSSL_PARAM other_id[] = {OSSL_PARAM_octet_string("distid", "ABC", 3),
                             OSSL_PARAM_END};
    OSSL_PARAM default_id[] = {
        OSSL_PARAM_octet_string("distid", "1234567812345678", 16),
        OSSL_PARAM_END};

    ck_assert(key->sm2 && key->base_id == EVP_PKEY_SM2);
    ck_assert_int_eq(SIG("SM2", OSSL_FUNC_SIGNATURE_DIGEST_SIGN_INIT,
                         digest_sign_init)(ctx, NULL, key, default_id),
                     1);
    ck_assert_int_eq(SIG("SM2", OSSL_FUNC_SIGNATURE_DIGEST_SIGN_UPDATE,
                         digest_sign_update)(ctx, msg, sizeof(msg) - 1),
                     1);
    ck_assert_int_eq(SIG("SM2", OSSL_FUNC_SIGNATURE_DIGEST_SIGN_FINAL,
                         digest_sign_final)(ctx, sig, &siglen, sizeof(sig)),
                     1);
    ck_assert_str_eq(f_sm2.last_alg, "SM2DSA_SM3");
    ck_assert_int_eq(sm2_verifies(sig, siglen, msg, sizeof(msg) - 1), 1);
    /* our own verification takes it; a changed message fails */
    ck_assert_int_eq(SIG("SM2", OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_INIT,
                         digest_verify_init)(ctx, "SM3", key, NULL),
                     1);
    ck_assert_int_eq(SIG("SM2", OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_UPDATE,
                         digest_verify_update)(ctx, msg, sizeof(msg) - 1),
                     1);
    ck_assert_int_eq(SIG("SM2", OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_FINAL,
                         digest_verify_final)(ctx, sig, siglen),
                     1);
    ck_assert_int_eq(sm2_verifies(sig, siglen, msg, sizeof(msg) - 2), 0);
    /* SHA-256 or another id: refused before any request */
    f_sm2.sign_calls = 0;
    ck_assert_int_eq(SIG("SM2", OSSL_FUNC_SIGNATURE_DIGEST_SIGN_INIT,
                         digest_sign_init)(ctx, "SHA256", key, NULL),
                     0);
    expect_error("SM2 keys using SM3 only");
    ck_assert_int_eq(SIG("SM2", OSSL_FUNC_SIGNATURE_DIGEST_SIGN_INIT,
                         digest_sign_init)(ctx, "SM3", key, other_id),
                     0);
    expect_error("default id 1234567812345678 only");
    ck_assert_int_eq(f_sm2.sign_calls, 0);
    sig_free("SM2", ctx);
    hwc_rkey_free(key);
}
END_TEST

START_TEST(test_sign_refusals)
{
    hwc_rkey *key = make_key(&f_rsa, rsa_priv, "kms:key/rsa", "RSA_2048",
                             HWC_USAGE_SIGN_VERIFY, FAKE_DER);
    unsigned char dgst[64] = {1}, sig[600];
    size_t siglen = sizeof(sig);
    void *ctx = sig_new("RSA");
    OSSL_PARAM sha256[] = {OSSL_PARAM_utf8_string("digest", "SHA256", 0),
                           OSSL_PARAM_END};
    OSSL_PARAM sha1[] = {OSSL_PARAM_utf8_string("digest", "SHA1", 0),
                         OSSL_PARAM_END};
    OSSL_PARAM pss_max[] = {OSSL_PARAM_utf8_string("pad-mode", "pss", 0),
                            OSSL_PARAM_utf8_string("saltlen", "max", 0),
                            OSSL_PARAM_END};
    int pss = RSA_PKCS1_PSS_PADDING, minus1 = RSA_PSS_SALTLEN_DIGEST;
    OSSL_PARAM pss_int[] = {OSSL_PARAM_int("pad-mode", &pss),
                            OSSL_PARAM_int("saltlen", &minus1), OSSL_PARAM_END};
    OSSL_PARAM mgf_sha1[] = {OSSL_PARAM_utf8_string("mgf1-digest", "SHA1", 0),
                             OSSL_PARAM_END};

    ERR_clear_error();
    /* no digest set (pkeyutl without -pkeyopt digest:...) */
    ck_assert_int_eq(
        SIG("RSA", OSSL_FUNC_SIGNATURE_SIGN_INIT, sign_init)(ctx, key, NULL),
        1);
    ck_assert_int_eq(SIG("RSA", OSSL_FUNC_SIGNATURE_SIGN,
                         sign)(ctx, sig, &siglen, sizeof(sig), dgst, 32),
                     0);
    expect_error("set the digest");
    /* SHA-1 is refused for signing; verification is local and takes it */
    {
        unsigned char s1[256], d1[20] = {9};
        size_t s1len = sizeof(s1);
        EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_pkey(NULL, rsa_priv, NULL);
        void *vctx = sig_new("RSA");

        ck_assert_int_eq(EVP_PKEY_sign_init(pctx), 1);
        ck_assert_int_eq(EVP_PKEY_CTX_set_signature_md(pctx, EVP_sha1()), 1);
        ck_assert_int_eq(EVP_PKEY_sign(pctx, s1, &s1len, d1, 20), 1);
        ck_assert_int_eq(SIG("RSA", OSSL_FUNC_SIGNATURE_VERIFY_INIT,
                             verify_init)(vctx, key, sha1),
                         1);
        ck_assert_int_eq(SIG("RSA", OSSL_FUNC_SIGNATURE_VERIFY,
                             verify)(vctx, s1, s1len, d1, 20),
                         1);
        sig_free("RSA", vctx);
        EVP_PKEY_CTX_free(pctx);
    }
    /* SHA-1 is refused when set */
    ck_assert_int_eq(SIG("RSA", OSSL_FUNC_SIGNATURE_SET_CTX_PARAMS,
                         set_ctx_params)(ctx, sha1),
                     0);
    expect_error("SHA-256, SHA-384 or SHA-512");
    /* wrong digest length */
    ck_assert_int_eq(SIG("RSA", OSSL_FUNC_SIGNATURE_SET_CTX_PARAMS,
                         set_ctx_params)(ctx, sha256),
                     1);
    ck_assert_int_eq(SIG("RSA", OSSL_FUNC_SIGNATURE_SIGN,
                         sign)(ctx, sig, &siglen, sizeof(sig), dgst, 20),
                     0);
    expect_error("input is 20 bytes");
    /* PSS with a salt KMS cannot use */
    ck_assert_int_eq(SIG("RSA", OSSL_FUNC_SIGNATURE_SET_CTX_PARAMS,
                         set_ctx_params)(ctx, pss_max),
                     1);
    ck_assert_int_eq(SIG("RSA", OSSL_FUNC_SIGNATURE_SIGN,
                         sign)(ctx, sig, &siglen, sizeof(sig), dgst, 32),
                     0);
    expect_error("salt");
    ck_assert_int_eq(SIG("RSA", OSSL_FUNC_SIGNATURE_SET_CTX_PARAMS,
                         set_ctx_params)(ctx, mgf_sha1),
                     1);
    ck_assert_int_eq(SIG("RSA", OSSL_FUNC_SIGNATURE_SIGN,
                         sign)(ctx, sig, &siglen, sizeof(sig), dgst, 32),
                     0);
    ck_assert_int_eq(f_rsa.sign_calls, 0);
    ERR_clear_error();
    /* the int forms libssl uses: PSS, saltlen -1 */
    ck_assert_int_eq(
        SIG("RSA", OSSL_FUNC_SIGNATURE_SIGN_INIT, sign_init)(ctx, key, sha256),
        1);
    ck_assert_int_eq(SIG("RSA", OSSL_FUNC_SIGNATURE_SET_CTX_PARAMS,
                         set_ctx_params)(ctx, pss_int),
                     1);
    ck_assert_int_eq(SIG("RSA", OSSL_FUNC_SIGNATURE_SIGN,
                         sign)(ctx, sig, &siglen, sizeof(sig), dgst, 32),
                     1);
    ck_assert_int_eq(f_rsa.sign_calls, 1);
    ck_assert_str_eq(f_rsa.last_alg, "RSASSA_PSS_SHA_256");
    /* a signature that does not verify is never handed out */
    f_rsa.mode = FAKE_BROKEN;
    ck_assert_int_eq(SIG("RSA", OSSL_FUNC_SIGNATURE_SIGN,
                         sign)(ctx, sig, &siglen, sizeof(sig), dgst, 32),
                     0);
    expect_error("does not verify");
    sig_free("RSA", ctx);
    hwc_rkey_free(key);

    /* an ENCRYPT_DECRYPT key cannot sign: refused before any request */
    key = make_key(&f_rsa, rsa_priv, "kms:key/enc", "RSA_2048",
                   HWC_USAGE_ENCRYPT_DECRYPT, FAKE_DER);
    ctx = sig_new("RSA");
    ck_assert_int_eq(
        SIG("RSA", OSSL_FUNC_SIGNATURE_SIGN_INIT, sign_init)(ctx, key, sha256),
        1);
    ck_assert_int_eq(SIG("RSA", OSSL_FUNC_SIGNATURE_SIGN,
                         sign)(ctx, sig, &siglen, sizeof(sig), dgst, 32),
                     0);
    expect_error("ENCRYPT_DECRYPT");
    ck_assert_int_eq(f_rsa.sign_calls, 0);
    sig_free("RSA", ctx);
    hwc_rkey_free(key);
}
END_TEST

START_TEST(test_sign_ecdsa_broken)
{
    hwc_rkey *key = make_key(&f_ec256, ec256_priv, "kms:key/ec", "EC_P256",
                             HWC_USAGE_SIGN_VERIFY, FAKE_BROKEN);
    void *ctx = sig_new("ECDSA");
    unsigned char sig[200];
    size_t siglen = 0;

    ERR_clear_error();
    ck_assert_int_eq(SIG("ECDSA", OSSL_FUNC_SIGNATURE_DIGEST_SIGN_INIT,
                         digest_sign_init)(ctx, "SHA256", key, NULL),
                     1);
    ck_assert_int_eq(SIG("ECDSA", OSSL_FUNC_SIGNATURE_DIGEST_SIGN_FINAL,
                         digest_sign_final)(ctx, sig, &siglen, sizeof(sig)),
                     0);
    ck_assert_int_eq(f_ec256.sign_calls, 1);
    ck_assert_msg(strstr(tu_errors(), "does not verify") ||
                      strstr(tu_errors(), "neither DER"),
                  "broken ECDSA signature accepted");
    /* P-256 signs SHA-256 only; other digests are refused at init (where
     * libssl probes them), and still verify locally */
    ck_assert_int_eq(SIG("ECDSA", OSSL_FUNC_SIGNATURE_DIGEST_SIGN_INIT,
                         digest_sign_init)(ctx, "SHA384", key, NULL),
                     0);
    expect_error("using SHA256 only, not SHA384");
    ck_assert_int_eq(SIG("ECDSA", OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_INIT,
                         digest_verify_init)(ctx, "SHA512", key, NULL),
                     1);
    ck_assert_int_eq(f_ec256.sign_calls, 1);
    sig_free("ECDSA", ctx);
    hwc_rkey_free(key);
}
END_TEST

/* algorithm-id, as X.509 and CSR signing read it */
static int aid_nid(const char *type, hwc_rkey *key, const char *pad,
                   const char *md)
{
    void *ctx = sig_new(type);
    unsigned char aid[256];
    const unsigned char *p = aid;
    OSSL_PARAM get[] = {
        OSSL_PARAM_octet_string("algorithm-id", aid, sizeof(aid)),
        OSSL_PARAM_END};
    sig_case c = {type, pad, md, NULL};
    X509_ALGOR *alg;
    int nid;

    ck_assert_int_eq(SIG(type, OSSL_FUNC_SIGNATURE_DIGEST_SIGN_INIT,
                         digest_sign_init)(ctx, md, key, NULL),
                     1);
    ck_assert_int_eq(sig_set(&c, ctx), 1);
    ck_assert_int_eq(
        SIG(type, OSSL_FUNC_SIGNATURE_GET_CTX_PARAMS, get_ctx_params)(ctx, get),
        1);
    ck_assert_uint_gt(get[0].return_size, 0);
    alg = d2i_X509_ALGOR(NULL, &p, (long)get[0].return_size);
    ck_assert_ptr_nonnull(alg);
    nid = OBJ_obj2nid(alg->algorithm);
    X509_ALGOR_free(alg);
    sig_free(type, ctx);
    return nid;
}

/* Every parameter our signatures and cipher say they take is applied:
 * the digest properties they would have ignored are not offered. */
static const OSSL_PARAM *settable_of(const OSSL_DISPATCH *d, int id)
{
    for (; d->function_id != 0; d++) {
        if (d->function_id == id) {
            return ((const OSSL_PARAM *(*)(void *, void *))d->function)(NULL,
                                                                        NULL);
        }
    }
    return NULL;
}

START_TEST(test_settable_params_applied)
{
    static const char *const ignored[] = {
        OSSL_SIGNATURE_PARAM_PROPERTIES, OSSL_SIGNATURE_PARAM_MGF1_PROPERTIES,
        OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST_PROPS,
        OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST_PROPS};
    const OSSL_PARAM *t[] = {
        settable_of(hwc_rsa_signature_functions,
                    OSSL_FUNC_SIGNATURE_SETTABLE_CTX_PARAMS),
        settable_of(hwc_ecdsa_signature_functions,
                    OSSL_FUNC_SIGNATURE_SETTABLE_CTX_PARAMS),
        settable_of(hwc_rsa_asym_cipher_functions,
                    OSSL_FUNC_ASYM_CIPHER_SETTABLE_CTX_PARAMS)};

    for (size_t i = 0; i < HWC_NELEM(t); i++) {
        ck_assert_ptr_nonnull(t[i]);
        for (size_t j = 0; j < HWC_NELEM(ignored); j++) {
            ck_assert_msg(OSSL_PARAM_locate_const(t[i], ignored[j]) == NULL,
                          "table %zu offers %s", i, ignored[j]);
        }
    }
}
END_TEST

START_TEST(test_algorithm_id)
{
    hwc_rkey *rsa = make_key(&f_rsa, rsa_priv, "kms:key/rsa", "RSA_2048",
                             HWC_USAGE_SIGN_VERIFY, FAKE_DER);
    hwc_rkey *ec = make_key(&f_ec384, ec384_priv, "kms:key/ec", "EC_P384",
                            HWC_USAGE_SIGN_VERIFY, FAKE_DER);

    ck_assert_int_eq(aid_nid("RSA", rsa, "pkcs1", "SHA256"),
                     NID_sha256WithRSAEncryption);
    ck_assert_int_eq(aid_nid("RSA", rsa, "pkcs1", "SHA512"),
                     NID_sha512WithRSAEncryption);
    ck_assert_int_eq(aid_nid("RSA", rsa, "pss", "SHA384"), NID_rsassaPss);
    ck_assert_int_eq(aid_nid("ECDSA", ec, NULL, "SHA384"),
                     NID_ecdsa_with_SHA384);
    ck_assert_int_eq(f_rsa.sign_calls + f_ec384.sign_calls, 0);
    hwc_rkey_free(rsa);
    hwc_rkey_free(ec);
}
END_TEST

static Suite *signature_suite(void)
{
    Suite *s = suite_create("signature");
    TCase *tc = tcase_create("dispatch");

    tcase_add_unchecked_fixture(tc, keys_setup, keys_teardown);
    tcase_add_loop_test(tc, test_sign_rsa, 0, 6);
    tcase_add_loop_test(tc, test_sign_ecdsa, 0, 9);
    tcase_add_loop_test(tc, test_sign_pss_other_salt, 0, 3);
    tcase_add_loop_test(tc, test_sign_secp256k1, 0, 2);
    tcase_add_loop_test(tc, test_sign_sm2, 0, 2);
    tcase_add_test(tc, test_sign_refusals);
    tcase_add_test(tc, test_sign_ecdsa_broken);
    tcase_add_test(tc, test_algorithm_id);
    tcase_add_test(tc, test_settable_params_applied);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(signature_suite());
}
