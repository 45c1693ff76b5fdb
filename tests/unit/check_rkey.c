/*
 * check_rkey.c: the remote-key operations (keymgmt, signature, asym
 * cipher, encoders) driven through their dispatch tables, with an
 * hwc_rkey whose "KMS" is a local private key of the default provider.
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

#include "fwd.h"
#include "hwc.h"
#include "provider.h"
#include "rkey.h"
#include "testutil.h"

/*------------------------------------------------------- the fake KMS */

enum fake_mode { FAKE_DER, FAKE_RAW, FAKE_BROKEN, FAKE_MAXSALT };

typedef struct fake_kms {
    EVP_PKEY *priv;
    enum fake_mode mode;
    int sign_calls, decrypt_calls;
    char last_alg[48];
} fake_kms;

static const char *alg_md(const char *alg)
{
    size_t n = strlen(alg);

    if (strcmp(alg, "SM2DSA_SM3") == 0) {
        return "SM3";
    }
    if (n > 3 && strcmp(alg + n - 3, "256") == 0) {
        return "SHA256";
    }
    return strcmp(alg + n - 3, "384") == 0 ? "SHA384" : "SHA512";
}

/* DER ECDSA-Sig-Value to r||s of 2 * half bytes, as KMS may send it. */
static void der_to_raw(EVP_PKEY *k, unsigned char **sig, size_t *len)
{
    size_t half = ((size_t)EVP_PKEY_get_bits(k) + 7) / 8;
    const unsigned char *p = *sig;
    ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)*len);
    unsigned char *raw = OPENSSL_zalloc(2 * half);

    ck_assert_ptr_nonnull(es);
    BN_bn2binpad(ECDSA_SIG_get0_r(es), raw, (int)half);
    BN_bn2binpad(ECDSA_SIG_get0_s(es), raw + half, (int)half);
    ECDSA_SIG_free(es);
    OPENSSL_free(*sig);
    *sig = raw;
    *len = 2 * half;
}

static int fake_sign(void *arg, const char *key_id, const char *alg,
                     const unsigned char *dgst, size_t dlen,
                     unsigned char **sig, size_t *siglen)
{
    fake_kms *f = arg;
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_pkey(NULL, f->priv, NULL);
    EVP_MD *md = EVP_MD_fetch(NULL, alg_md(alg), NULL);

    (void)key_id;
    f->sign_calls++;
    OPENSSL_strlcpy(f->last_alg, alg, sizeof(f->last_alg));
    ck_assert_int_eq(EVP_PKEY_sign_init(pctx), 1);
    ck_assert_int_eq(EVP_PKEY_CTX_set_signature_md(pctx, md), 1);
    if (strncmp(alg, "RSASSA_PSS", 10) == 0) {
        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, f->mode == FAKE_MAXSALT
                                                   ? RSA_PSS_SALTLEN_MAX
                                                   : RSA_PSS_SALTLEN_DIGEST);
    } else if (strncmp(alg, "RSASSA_PKCS1", 12) == 0) {
        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING);
    }
    ck_assert_int_eq(EVP_PKEY_sign(pctx, NULL, siglen, dgst, dlen), 1);
    *sig = OPENSSL_malloc(*siglen);
    ck_assert_int_eq(EVP_PKEY_sign(pctx, *sig, siglen, dgst, dlen), 1);
    EVP_PKEY_CTX_free(pctx);
    EVP_MD_free(md);
    if (f->mode == FAKE_RAW && strncmp(alg, "ECDSA", 5) == 0) {
        der_to_raw(f->priv, sig, siglen);
    } else if (f->mode == FAKE_BROKEN) {
        (*sig)[*siglen / 2] ^= 0x40;
    }
    return 1;
}

static int fake_decrypt(void *arg, const char *key_id, const char *alg,
                        const unsigned char *ct, size_t ctlen,
                        unsigned char **pt, size_t *ptlen)
{
    fake_kms *f = arg;
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_pkey(NULL, f->priv, NULL);

    (void)key_id;
    f->decrypt_calls++;
    ck_assert_str_eq(alg, "RSAES_OAEP_SHA_256");
    ck_assert_int_eq(EVP_PKEY_decrypt_init(pctx), 1);
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_OAEP_PADDING);
    EVP_PKEY_CTX_set_rsa_oaep_md(pctx, EVP_sha256());
    ck_assert_int_eq(EVP_PKEY_decrypt(pctx, NULL, ptlen, ct, ctlen), 1);
    *pt = OPENSSL_malloc(*ptlen);
    ck_assert_int_eq(EVP_PKEY_decrypt(pctx, *pt, ptlen, ct, ctlen), 1);
    EVP_PKEY_CTX_free(pctx);
    return 1;
}

static const struct hwc_rkey_ops fake_ops = {fake_sign, fake_decrypt, NULL,
                                             NULL};

/*-------------------------------------------------------- fixtures */

static EVP_PKEY *rsa_priv, *ec256_priv, *ec384_priv, *ec521_priv;
static EVP_PKEY *k1_priv, *sm2_priv;
static fake_kms f_rsa, f_ec256, f_ec384, f_ec521, f_k1, f_sm2;
static hwc_provctx t_provctx; /* libctx NULL: the default library context */

static EVP_PKEY *public_copy(EVP_PKEY *priv)
{
    unsigned char *der = NULL;
    const unsigned char *p;
    int len = i2d_PUBKEY(priv, &der);
    EVP_PKEY *pub;

    ck_assert_int_gt(len, 0);
    p = der;
    pub = d2i_PUBKEY(NULL, &p, len);
    OPENSSL_free(der);
    ck_assert_ptr_nonnull(pub);
    return pub;
}

static hwc_rkey *make_key(fake_kms *f, EVP_PKEY *priv, const char *uri,
                          const char *spec, enum hwc_key_usage usage,
                          enum fake_mode mode)
{
    memset(f, 0, sizeof(*f));
    f->priv = priv;
    f->mode = mode;
    return hwc_rkey_new(uri, "0d0466b0-e727-4d9c-b35d-f84bb474a37f", spec,
                        usage, public_copy(priv), &fake_ops, f);
}

static void keys_setup(void)
{
    rsa_priv = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    ec256_priv = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    ec384_priv = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    ec521_priv = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
    ck_assert_ptr_nonnull(rsa_priv);
    ck_assert_ptr_nonnull(ec256_priv);
    ck_assert_ptr_nonnull(ec384_priv);
    ck_assert_ptr_nonnull(ec521_priv);
    k1_priv = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "secp256k1");
    sm2_priv = EVP_PKEY_Q_keygen(NULL, NULL, "SM2");
    ck_assert_ptr_nonnull(k1_priv);
    ck_assert_ptr_nonnull(sm2_priv);
}

static void keys_teardown(void)
{
    EVP_PKEY_free(rsa_priv);
    EVP_PKEY_free(ec256_priv);
    EVP_PKEY_free(ec384_priv);
    EVP_PKEY_free(ec521_priv);
    EVP_PKEY_free(k1_priv);
    EVP_PKEY_free(sm2_priv);
    rsa_priv = ec256_priv = ec384_priv = ec521_priv = NULL;
    k1_priv = sm2_priv = NULL;
}

/*------------------------------------------------- dispatch look-ups */

/* The function fid of the first algorithm of operation op whose names
 * start with name and whose properties contain props. */
static void (*find_fn(int op, const char *name, const char *props,
                      int fid))(void)
{
    const OSSL_ALGORITHM *a = hwc_algorithms(op);
    const OSSL_DISPATCH *d;

    ck_assert_ptr_nonnull(a);
    for (; a->algorithm_names != NULL; a++) {
        if (strncmp(a->algorithm_names, name, strlen(name)) != 0 ||
            strstr(a->property_definition, "provider=hwcloud") == NULL ||
            (props != NULL && strstr(a->property_definition, props) == NULL)) {
            continue;
        }
        for (d = a->implementation; d->function_id != 0; d++) {
            if (d->function_id == fid) {
                return d->function;
            }
        }
    }
    ck_abort_msg("no function %d for %s (%s)", fid, name, props);
    return NULL;
}

#define KM(name, id, T)                                                        \
    ((OSSL_FUNC_keymgmt_##T##_fn *)find_fn(OSSL_OP_KEYMGMT, name, NULL, id))
/* Our signatures by key type ("RSA", "ECDSA"): they have names of their
 * own (rkey.h). */
#define SIG_NAME(type)                                                         \
    (strcmp(type, "RSA") == 0   ? HWC_SIG_RSA                                  \
     : strcmp(type, "SM2") == 0 ? HWC_SIG_SM2                                  \
                                : HWC_SIG_ECDSA)
#define SIG(name, id, T)                                                       \
    ((OSSL_FUNC_signature_##T##_fn *)find_fn(OSSL_OP_SIGNATURE,                \
                                             SIG_NAME(name), NULL, id))
#define AC(id, T)                                                              \
    ((OSSL_FUNC_asym_cipher_##T##_fn *)find_fn(OSSL_OP_ASYM_CIPHER,            \
                                               HWC_CIPHER_RSA, NULL, id))
#define ENC(props, id, T)                                                      \
    ((OSSL_FUNC_encoder_##T##_fn *)find_fn(OSSL_OP_ENCODER, "RSA", props, id))

/* keymgmt load as the store calls it; returns the keymgmt's reference. */
static void *km_load(const char *name, hwc_rkey *key)
{
    return KM(name, OSSL_FUNC_KEYMGMT_LOAD, load)(&key, sizeof(key));
}

static void km_free(const char *name, void *kd)
{
    KM(name, OSSL_FUNC_KEYMGMT_FREE, free)(kd);
}

static int export_cb_calls;

static int export_cb(const OSSL_PARAM params[], void *arg)
{
    BIGNUM **n = arg;

    export_cb_calls++;
    if (n != NULL) {
        const OSSL_PARAM *p = OSSL_PARAM_locate_const(params, "n");

        ck_assert_ptr_nonnull(p);
        ck_assert_int_eq(OSSL_PARAM_get_BN(p, n), 1);
    }
    return 1;
}

/*--------------------------------------------------------- keymgmt */

START_TEST(test_keymgmt_rsa)
{
    hwc_rkey *key = make_key(&f_rsa, rsa_priv, "kms:key/rsa", "RSA_2048",
                             HWC_USAGE_SIGN_VERIFY, FAKE_DER);
    void *kd = km_load("RSA", key);
    int bits = 0, sbits = 0, size = 0;
    char dd[32] = "";
    BIGNUM *n = NULL, *want = NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_int(OSSL_PKEY_PARAM_BITS, &bits),
        OSSL_PARAM_int(OSSL_PKEY_PARAM_SECURITY_BITS, &sbits),
        OSSL_PARAM_int(OSSL_PKEY_PARAM_MAX_SIZE, &size),
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_DEFAULT_DIGEST, dd, sizeof(dd)),
        OSSL_PARAM_END};

    ck_assert_ptr_eq(kd, key);
    ck_assert_int_eq(key->refs, 2);
    hwc_rkey_free(key); /* the store's reference: keymgmt keeps its own */
    ck_assert_int_eq(KM("RSA", OSSL_FUNC_KEYMGMT_HAS,
                        has)(kd, OSSL_KEYMGMT_SELECT_PRIVATE_KEY),
                     1);
    ck_assert_int_eq(
        KM("RSA", OSSL_FUNC_KEYMGMT_HAS, has)(kd, OSSL_KEYMGMT_SELECT_KEYPAIR),
        1);
    ck_assert_int_eq(
        KM("RSA", OSSL_FUNC_KEYMGMT_GET_PARAMS, get_params)(kd, params), 1);
    ck_assert_int_eq(bits, 2048);
    ck_assert_int_eq(sbits, 112);
    ck_assert_int_eq(size, 256);
    ck_assert_str_eq(dd, "SHA256");

    /* private parts never leave; public ones do */
    export_cb_calls = 0;
    ck_assert_int_eq(KM("RSA", OSSL_FUNC_KEYMGMT_EXPORT,
                        export)(kd, OSSL_KEYMGMT_SELECT_ALL, export_cb, NULL),
                     0);
    ck_assert_int_eq(KM("RSA", OSSL_FUNC_KEYMGMT_EXPORT, export)(
                         kd, OSSL_KEYMGMT_SELECT_PRIVATE_KEY, export_cb, NULL),
                     0);
    ck_assert_int_eq(export_cb_calls, 0);
    ck_assert_int_eq(KM("RSA", OSSL_FUNC_KEYMGMT_EXPORT, export)(
                         kd, OSSL_KEYMGMT_SELECT_PUBLIC_KEY, export_cb, &n),
                     1);
    ck_assert_int_eq(export_cb_calls, 1);
    ck_assert_int_eq(EVP_PKEY_get_bn_param(rsa_priv, "n", &want), 1);
    ck_assert_int_eq(BN_cmp(n, want), 0);
    BN_free(n);
    BN_free(want);

    /* foreign keys are never imported */
    ck_assert_int_eq(KM("RSA", OSSL_FUNC_KEYMGMT_IMPORT,
                        import)(kd, OSSL_KEYMGMT_SELECT_PUBLIC_KEY, params),
                     0);
    km_free("RSA", kd);
}
END_TEST

START_TEST(test_keymgmt_ec_and_match)
{
    hwc_rkey *k256 = make_key(&f_ec256, ec256_priv, "kms:key/ec", "EC_P256",
                              HWC_USAGE_SIGN_VERIFY, FAKE_DER);
    hwc_rkey *k384 = make_key(&f_ec384, ec384_priv, "kms:key/ec384", "EC_P384",
                              HWC_USAGE_SIGN_VERIFY, FAKE_DER);
    hwc_rkey *again =
        hwc_rkey_new("kms:key/ec-again", "x", "EC_P256", HWC_USAGE_SIGN_VERIFY,
                     public_copy(ec256_priv), &fake_ops, NULL);
    void *a, *b, *c;
    char group[32] = "", dd[32] = "", fmt[32] = "";
    unsigned char pub[200];
    OSSL_PARAM params[] = {
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group,
                               sizeof(group)),
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_DEFAULT_DIGEST, dd, sizeof(dd)),
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, fmt,
                               sizeof(fmt)),
        OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pub,
                                sizeof(pub)),
        OSSL_PARAM_END};

    /* an EC key is not loaded as RSA */
    ERR_clear_error();
    ck_assert_ptr_null(km_load("RSA", k256));
    ck_assert_ptr_nonnull(strstr(tu_errors(), "wrong type"));

    a = km_load("EC", k256);
    b = km_load("EC", k384);
    c = km_load("EC", again);
    ck_assert_int_eq(
        KM("EC", OSSL_FUNC_KEYMGMT_GET_PARAMS, get_params)(a, params), 1);
    ck_assert_str_eq(group, "prime256v1");
    ck_assert_str_eq(dd, "SHA256");
    ck_assert_str_eq(fmt, "uncompressed");
    ck_assert_uint_eq(params[3].return_size, 65);
    ck_assert_int_eq(
        KM("EC", OSSL_FUNC_KEYMGMT_GET_PARAMS, get_params)(b, params), 1);
    ck_assert_str_eq(group, "secp384r1");
    ck_assert_str_eq(dd, "SHA384");
    ck_assert_str_eq(KM("EC", OSSL_FUNC_KEYMGMT_QUERY_OPERATION_NAME,
                        query_operation_name)(OSSL_OP_SIGNATURE),
                     HWC_SIG_ECDSA);
    ck_assert_str_eq(KM("EC", OSSL_FUNC_KEYMGMT_QUERY_OPERATION_NAME,
                        query_operation_name)(OSSL_OP_KEYEXCH),
                     "ECDH");

    ck_assert_int_eq(KM("EC", OSSL_FUNC_KEYMGMT_MATCH,
                        match)(a, c, OSSL_KEYMGMT_SELECT_KEYPAIR),
                     1);
    ck_assert_int_eq(KM("EC", OSSL_FUNC_KEYMGMT_MATCH,
                        match)(a, b, OSSL_KEYMGMT_SELECT_KEYPAIR),
                     0);
    km_free("EC", a);
    km_free("EC", b);
    km_free("EC", c);
    hwc_rkey_free(k256);
    hwc_rkey_free(k384);
    hwc_rkey_free(again);
}
END_TEST

/*------------------------------------------------------- signatures */

typedef struct sig_case {
    const char *type; /* "RSA" or "ECDSA" */
    const char *pad;  /* "pkcs1", "pss" or NULL */
    const char *md;
    const char *kms_alg;
} sig_case;

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

/* Plain EVP verification with the public key (default provider). */
static void evp_verify(const sig_case *c, EVP_PKEY *priv,
                       const unsigned char *sig, size_t siglen,
                       const unsigned char *msg, size_t msglen)
{
    EVP_PKEY *pub = public_copy(priv);
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;

    ck_assert_int_eq(
        EVP_DigestVerifyInit_ex(mctx, &pctx, c->md, NULL, NULL, pub, NULL), 1);
    if (c->pad != NULL && strcmp(c->pad, "pss") == 0) {
        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
    }
    ck_assert_int_eq(EVP_DigestVerify(mctx, sig, siglen, msg, msglen), 1);
    EVP_MD_CTX_free(mctx);
    EVP_PKEY_free(pub);
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
 * (and P-521/SHA-512, should KMS add it). _i: curve * 2 + (DER|r||s). */
START_TEST(test_sign_ecdsa)
{
    EVP_PKEY *privs[] = {ec256_priv, ec384_priv, ec521_priv};
    fake_kms *fs[] = {&f_ec256, &f_ec384, &f_ec521};
    const char *specs[] = {"EC_P256", "EC_P384", "EC_P521"};
    int curve = _i / 2;
    hwc_rkey *key =
        make_key(fs[curve], privs[curve], "kms:key/ec", specs[curve],
                 HWC_USAGE_SIGN_VERIFY, _i % 2 ? FAKE_RAW : FAKE_DER);

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

static void expect_error(const char *want);

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

static void expect_error(const char *want)
{
    const char *err = tu_errors();

    ck_assert_msg(strstr(err, want) != NULL, "want \"%s\" in \"%s\"", want,
                  err);
}

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

/*------------------------------------------------------- decryption */

static size_t evp_encrypt(EVP_PKEY *priv, int pad, const unsigned char *in,
                          size_t inlen, unsigned char *out)
{
    EVP_PKEY *pub = public_copy(priv);
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_pkey(NULL, pub, NULL);
    size_t outlen = 512;

    ck_assert_int_eq(EVP_PKEY_encrypt_init(pctx), 1);
    EVP_PKEY_CTX_set_rsa_padding(pctx, pad);
    if (pad == RSA_PKCS1_OAEP_PADDING) {
        EVP_PKEY_CTX_set_rsa_oaep_md(pctx, EVP_sha256());
    }
    ck_assert_int_eq(EVP_PKEY_encrypt(pctx, out, &outlen, in, inlen), 1);
    EVP_PKEY_CTX_free(pctx);
    EVP_PKEY_free(pub);
    return outlen;
}

static int ac_decrypt(void *ctx, const char *pad, const char *md,
                      const unsigned char *ct, size_t ctlen, unsigned char *out,
                      size_t *outlen)
{
    OSSL_PARAM p[3], *q = p;

    *q++ = OSSL_PARAM_construct_utf8_string("pad-mode", (char *)pad, 0);
    if (md != NULL) {
        *q++ = OSSL_PARAM_construct_utf8_string("digest", (char *)md, 0);
    }
    *q = OSSL_PARAM_construct_end();
    ck_assert_int_eq(
        AC(OSSL_FUNC_ASYM_CIPHER_SET_CTX_PARAMS, set_ctx_params)(ctx, p), 1);
    return AC(OSSL_FUNC_ASYM_CIPHER_DECRYPT, decrypt)(ctx, out, outlen, 512, ct,
                                                      ctlen);
}

START_TEST(test_decrypt)
{
    static const unsigned char secret[] = "premaster secret";
    hwc_rkey *key = make_key(&f_rsa, rsa_priv, "kms:key/enc", "RSA_2048",
                             HWC_USAGE_ENCRYPT_DECRYPT, FAKE_DER);
    unsigned char ct[512], pt[512];
    size_t ctlen, ptlen = 0;
    void *ctx = AC(OSSL_FUNC_ASYM_CIPHER_NEWCTX, newctx)(&t_provctx);

    ERR_clear_error();
    ck_assert_int_eq(
        AC(OSSL_FUNC_ASYM_CIPHER_DECRYPT_INIT, decrypt_init)(ctx, key, NULL),
        1);
    /* OAEP SHA-256 round trip through "KMS" */
    ctlen = evp_encrypt(rsa_priv, RSA_PKCS1_OAEP_PADDING, secret,
                        sizeof(secret), ct);
    ck_assert_int_eq(ac_decrypt(ctx, "oaep", "SHA256", ct, ctlen, pt, &ptlen),
                     1);
    ck_assert_uint_eq(ptlen, sizeof(secret));
    ck_assert_mem_eq(pt, secret, ptlen);
    ck_assert_int_eq(f_rsa.decrypt_calls, 1);

    /* PKCS#1 v1.5 (TLS 1.2 RSA key exchange) and OAEP-SHA1: no request */
    ctlen =
        evp_encrypt(rsa_priv, RSA_PKCS1_PADDING, secret, sizeof(secret), ct);
    ck_assert_int_eq(ac_decrypt(ctx, "pkcs1", NULL, ct, ctlen, pt, &ptlen), 0);
    expect_error("KMS cannot do PKCS#1 v1.5 decryption; use ECDHE");
    ck_assert_int_eq(ac_decrypt(ctx, "oaep", "SHA1", ct, ctlen, pt, &ptlen), 0);
    expect_error("SHA-256");
    ck_assert_int_eq(f_rsa.decrypt_calls, 1);
    AC(OSSL_FUNC_ASYM_CIPHER_FREECTX, freectx)(ctx);
    hwc_rkey_free(key);

    /* a SIGN_VERIFY key cannot decrypt: refused at init */
    key = make_key(&f_rsa, rsa_priv, "kms:key/sign", "RSA_2048",
                   HWC_USAGE_SIGN_VERIFY, FAKE_DER);
    ctx = AC(OSSL_FUNC_ASYM_CIPHER_NEWCTX, newctx)(&t_provctx);
    ck_assert_int_eq(
        AC(OSSL_FUNC_ASYM_CIPHER_DECRYPT_INIT, decrypt_init)(ctx, key, NULL),
        0);
    expect_error("SIGN_VERIFY");
    ck_assert_int_eq(f_rsa.decrypt_calls, 0);
    /* encryption is public and local */
    ck_assert_int_eq(
        AC(OSSL_FUNC_ASYM_CIPHER_ENCRYPT_INIT, encrypt_init)(ctx, key, NULL),
        1);
    ctlen = sizeof(ct);
    ck_assert_int_eq(AC(OSSL_FUNC_ASYM_CIPHER_ENCRYPT, encrypt)(
                         ctx, ct, &ctlen, sizeof(ct), secret, sizeof(secret)),
                     1);
    ck_assert_uint_eq(ctlen, 256);
    AC(OSSL_FUNC_ASYM_CIPHER_FREECTX, freectx)(ctx);
    hwc_rkey_free(key);
}
END_TEST

/*--------------------------------------------------------- encoders */

/* Core BIO upcalls for a library context of our own: in this test an
 * OSSL_CORE_BIO is simply a BIO. */
static int t_bio_write(OSSL_CORE_BIO *b, const void *d, size_t n, size_t *w)
{
    return BIO_write_ex((BIO *)b, d, n, w);
}

static int t_bio_read(OSSL_CORE_BIO *b, void *d, size_t n, size_t *r)
{
    return BIO_read_ex((BIO *)b, d, n, r);
}

static int t_bio_up_ref(OSSL_CORE_BIO *b)
{
    return BIO_up_ref((BIO *)b);
}

static int t_bio_free(OSSL_CORE_BIO *b)
{
    BIO_free((BIO *)b);
    return 1;
}

static int t_bio_puts(OSSL_CORE_BIO *b, const char *s)
{
    return BIO_puts((BIO *)b, s);
}

static int t_bio_gets(OSSL_CORE_BIO *b, char *s, int n)
{
    return BIO_gets((BIO *)b, s, n);
}

static long t_bio_ctrl(OSSL_CORE_BIO *b, int cmd, long l, void *p)
{
    return BIO_ctrl((BIO *)b, cmd, l, p);
}

static const OSSL_DISPATCH t_bio_dispatch[] = {
    {OSSL_FUNC_BIO_WRITE_EX, (void (*)(void))t_bio_write},
    {OSSL_FUNC_BIO_READ_EX, (void (*)(void))t_bio_read},
    {OSSL_FUNC_BIO_UP_REF, (void (*)(void))t_bio_up_ref},
    {OSSL_FUNC_BIO_FREE, (void (*)(void))t_bio_free},
    {OSSL_FUNC_BIO_PUTS, (void (*)(void))t_bio_puts},
    {OSSL_FUNC_BIO_GETS, (void (*)(void))t_bio_gets},
    {OSSL_FUNC_BIO_CTRL, (void (*)(void))t_bio_ctrl},
    {0, NULL}};

static int encode(const char *props, hwc_provctx *pc, hwc_rkey *key,
                  int selection, char **text)
{
    BIO *mem = BIO_new(BIO_s_mem());
    void *ctx = ENC(props, OSSL_FUNC_ENCODER_NEWCTX, newctx)(pc);
    char *data;
    long n;
    int ok;

    ok = ENC(props, OSSL_FUNC_ENCODER_ENCODE, encode)(
        ctx, (OSSL_CORE_BIO *)mem, key, NULL, selection, NULL, NULL);
    ENC(props, OSSL_FUNC_ENCODER_FREECTX, freectx)(ctx);
    n = BIO_get_mem_data(mem, &data);
    *text = n > 0 ? OPENSSL_strndup(data, (size_t)n) : OPENSSL_strdup("");
    BIO_free(mem);
    return ok;
}

START_TEST(test_encoders)
{
    hwc_provctx pc = {0};
    hwc_rkey *key = make_key(&f_rsa, rsa_priv, "kms:key/rsa-enc", "RSA_2048",
                             HWC_USAGE_SIGN_VERIFY, FAKE_DER);
    char *text = NULL;

    pc.libctx = OSSL_LIB_CTX_new_from_dispatch(NULL, t_bio_dispatch);
    ck_assert_ptr_nonnull(pc.libctx);
    ck_assert_int_eq(
        encode("output=text", &pc, key, OSSL_KEYMGMT_SELECT_KEYPAIR, &text), 1);
    ck_assert_ptr_nonnull(strstr(text, "Public-Key: (2048 bit)"));
    ck_assert_ptr_nonnull(strstr(text, "Modulus:"));
    ck_assert_ptr_nonnull(strstr(
        text, "Private key: held in Huawei Cloud KMS (kms:key/rsa-enc)"));
    OPENSSL_free(text);

    ck_assert_int_eq(
        encode("output=pem", &pc, key, OSSL_KEYMGMT_SELECT_KEYPAIR, &text), 1);
    ck_assert_ptr_nonnull(
        strstr(text, "-----BEGIN HWCLOUD PROVIDER URI-----\n"));
    ck_assert_ptr_null(strstr(text, "PRIVATE KEY"));
    OPENSSL_free(text);
    ck_assert_int_eq(ENC("output=pem", OSSL_FUNC_ENCODER_DOES_SELECTION,
                         does_selection)(&pc, OSSL_KEYMGMT_SELECT_PUBLIC_KEY),
                     0);

    ERR_clear_error();
    ck_assert_int_eq(
        encode("output=der", &pc, key, OSSL_KEYMGMT_SELECT_KEYPAIR, &text), 0);
    ck_assert_str_eq(text, "");
    OPENSSL_free(text);
    expect_error("a KMS key has no DER form; use PEM (HWCLOUD PROVIDER URI)");
    hwc_rkey_free(key);
    OSSL_LIB_CTX_free(pc.libctx);
}
END_TEST

/*-------------------------------------------- end to end via libcrypto */

/*
 * A provider named "hwcloud" made of our algorithm tables plus a tiny
 * store ("hwctest:<name>") that hands out e2e_keys by reference, as the
 * real store does for kms:key/<id>. This checks the routes libcrypto and
 * libssl take on the OpenSSL they run on.
 */
static hwc_rkey *e2e_rsa, *e2e_rsa_enc, *e2e_ec;

static OSSL_FUNC_store_open_fn ts_open;
static OSSL_FUNC_store_load_fn ts_load;
static OSSL_FUNC_store_eof_fn ts_eof;
static OSSL_FUNC_store_close_fn ts_close;

typedef struct ts_ctx {
    hwc_rkey *key;
    int done;
} ts_ctx;

static void *ts_open(void *provctx, const char *uri)
{
    ts_ctx *c = OPENSSL_zalloc(sizeof(*c));

    (void)provctx;
    if (strcmp(uri, "hwctest:rsa") == 0) {
        c->key = e2e_rsa;
    } else if (strcmp(uri, "hwctest:rsa-enc") == 0) {
        c->key = e2e_rsa_enc;
    } else if (strcmp(uri, "hwctest:ec") == 0) {
        c->key = e2e_ec;
    } else {
        OPENSSL_free(c);
        return NULL;
    }
    return c;
}

static int ts_load(void *vctx, OSSL_CALLBACK *cb, void *cbarg,
                   OSSL_PASSPHRASE_CALLBACK *pw_cb, void *pw_arg)
{
    ts_ctx *c = vctx;
    int type = OSSL_OBJECT_PKEY;
    OSSL_PARAM p[] = {OSSL_PARAM_int(OSSL_OBJECT_PARAM_TYPE, &type),
                      OSSL_PARAM_utf8_string(
                          OSSL_OBJECT_PARAM_DATA_TYPE,
                          c->key->base_id == EVP_PKEY_RSA ? "RSA" : "EC", 0),
                      OSSL_PARAM_octet_string(OSSL_OBJECT_PARAM_REFERENCE,
                                              &c->key, sizeof(c->key)),
                      OSSL_PARAM_END};

    (void)pw_cb;
    (void)pw_arg;
    c->done = 1;
    return cb(p, cbarg);
}

static int ts_eof(void *vctx)
{
    return ((ts_ctx *)vctx)->done;
}

static int ts_close(void *vctx)
{
    OPENSSL_free(vctx);
    return 1;
}

static const OSSL_DISPATCH ts_store_functions[] = {
    {OSSL_FUNC_STORE_OPEN, (void (*)(void))ts_open},
    {OSSL_FUNC_STORE_LOAD, (void (*)(void))ts_load},
    {OSSL_FUNC_STORE_EOF, (void (*)(void))ts_eof},
    {OSSL_FUNC_STORE_CLOSE, (void (*)(void))ts_close},
    {0, NULL}};

static const OSSL_ALGORITHM ts_stores[] = {
    {"hwctest", "provider=hwcloud", ts_store_functions, "test store"},
    {NULL, NULL, NULL, NULL}};

static const OSSL_ALGORITHM *tp_query(void *provctx, int id, int *no_cache)
{
    (void)provctx;
    *no_cache = 0;
    return id == OSSL_OP_STORE ? ts_stores : hwc_algorithms(id);
}

static void tp_teardown(void *provctx)
{
    OSSL_LIB_CTX_free(((hwc_provctx *)provctx)->libctx);
    OPENSSL_free(provctx);
}

static const OSSL_DISPATCH tp_functions[] = {
    {OSSL_FUNC_PROVIDER_QUERY_OPERATION, (void (*)(void))tp_query},
    {OSSL_FUNC_PROVIDER_TEARDOWN, (void (*)(void))tp_teardown},
    {OSSL_FUNC_PROVIDER_GET_CAPABILITIES, (void (*)(void))hwc_get_capabilities},
    {0, NULL}};

static int tp_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in,
                   const OSSL_DISPATCH **out, void **provctx)
{
    hwc_provctx *pc = OPENSSL_zalloc(sizeof(*pc));

    ck_assert_ptr_nonnull(pc);
    pc->handle = handle;
    pc->libctx = OSSL_LIB_CTX_new_child(handle, in);
    *out = tp_functions;
    *provctx = pc;
    return pc->libctx != NULL;
}

static OSSL_LIB_CTX *e2e_lib;
static OSSL_PROVIDER *e2e_default, *e2e_hwc;
static int e2e_first; /* hwcloud activated before the default provider */

static void e2e_setup_order(int first)
{
    keys_setup();
    e2e_rsa = make_key(&f_rsa, rsa_priv, "kms:key/e2e-rsa", "RSA_2048",
                       HWC_USAGE_SIGN_VERIFY, FAKE_DER);
    e2e_rsa_enc = hwc_rkey_new("kms:key/e2e-rsa-enc", "enc", "RSA_2048",
                               HWC_USAGE_ENCRYPT_DECRYPT, public_copy(rsa_priv),
                               &fake_ops, &f_rsa);
    e2e_ec = make_key(&f_ec256, ec256_priv, "kms:key/e2e-ec", "EC_P256",
                      HWC_USAGE_SIGN_VERIFY, FAKE_RAW);
    e2e_lib = OSSL_LIB_CTX_new();
    e2e_first = first;
    ck_assert_int_eq(OSSL_PROVIDER_add_builtin(e2e_lib, "hwcloud", tp_init), 1);
    if (first) {
        e2e_hwc = OSSL_PROVIDER_load(e2e_lib, "hwcloud");
    }
    e2e_default = OSSL_PROVIDER_load(e2e_lib, "default");
    if (!first) {
        e2e_hwc = OSSL_PROVIDER_load(e2e_lib, "hwcloud");
    }
    ck_assert_ptr_nonnull(e2e_default);
    ck_assert_ptr_nonnull(e2e_hwc);
}

static void e2e_setup(void)
{
    e2e_setup_order(0);
}

static void e2e_setup_first(void)
{
    e2e_setup_order(1);
}

/* Keys first: their public halves cache exports into the child libctx. */
static void e2e_teardown(void)
{
    hwc_rkey_free(e2e_rsa);
    hwc_rkey_free(e2e_rsa_enc);
    hwc_rkey_free(e2e_ec);
    keys_teardown();
    OSSL_PROVIDER_unload(e2e_hwc);
    OSSL_PROVIDER_unload(e2e_default);
    OSSL_LIB_CTX_free(e2e_lib);
}

static EVP_PKEY *e2e_load(const char *uri)
{
    OSSL_STORE_CTX *sc =
        OSSL_STORE_open_ex(uri, e2e_lib, NULL, NULL, NULL, NULL, NULL, NULL);
    OSSL_STORE_INFO *info;
    EVP_PKEY *pkey;

    ck_assert_msg(sc != NULL, "open %s: %s", uri, tu_errors());
    info = OSSL_STORE_load(sc);
    ck_assert_msg(info != NULL, "load %s: %s", uri, tu_errors());
    ck_assert_int_eq(OSSL_STORE_INFO_get_type(info), OSSL_STORE_INFO_PKEY);
    pkey = OSSL_STORE_INFO_get1_PKEY(info);
    OSSL_STORE_INFO_free(info);
    OSSL_STORE_close(sc);
    return pkey;
}

/* EVP_DigestSign as libssl does it for TLS 1.3 CertificateVerify; the
 * signature must come from our implementation and verify. */
static void e2e_digest_sign(EVP_PKEY *pkey, EVP_PKEY *priv, const char *md,
                            int pss)
{
    static const unsigned char msg[] = "TLS 1.3, server CertificateVerify";
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    unsigned char sig[600];
    size_t siglen = 0;
    sig_case c = {"", pss ? "pss" : NULL, md, NULL};

    ck_assert_msg(
        EVP_DigestSignInit_ex(mctx, &pctx, md, e2e_lib, NULL, pkey, NULL) == 1,
        "%s", tu_errors());
    if (pss) {
        ck_assert_int_eq(
            EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), 1);
        ck_assert_int_eq(
            EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST), 1);
    }
    ck_assert_int_eq(EVP_DigestSign(mctx, NULL, &siglen, msg, sizeof(msg) - 1),
                     1);
    ck_assert_uint_le(siglen, sizeof(sig));
    ck_assert_msg(EVP_DigestSign(mctx, sig, &siglen, msg, sizeof(msg) - 1) == 1,
                  "%s", tu_errors());
    EVP_MD_CTX_free(mctx);
    evp_verify(&c, priv, sig, siglen, msg, sizeof(msg) - 1);
}

/* A self-signed certificate for pkey, signed by signer (pkey itself
 * exercises X.509 signing through our algorithm-id). */
static X509 *e2e_cert(EVP_PKEY *pkey, EVP_PKEY *signer, const char *cn)
{
    X509 *x = X509_new_ex(e2e_lib, NULL);
    X509_NAME *name = X509_get_subject_name(x);

    ck_assert_int_eq(X509_set_version(x, X509_VERSION_3), 1);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -60);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               (const unsigned char *)cn, -1, -1, 0);
    ck_assert_int_eq(X509_set_issuer_name(x, name), 1);
    ck_assert_msg(X509_set_pubkey(x, pkey) == 1, "%s", tu_errors());
    ck_assert_msg(X509_sign(x, signer, EVP_sha256()) > 0, "%s", tu_errors());
    return x;
}

static int contains(BIO *b, const char *want)
{
    char *data = NULL;
    long n = BIO_get_mem_data(b, &data);
    char *text = OPENSSL_strndup(data != NULL ? data : "", (size_t)n);
    int found = strstr(text, want) != NULL;

    OPENSSL_free(text);
    (void)BIO_reset(b);
    return found;
}

START_TEST(test_e2e_rsa)
{
    EVP_PKEY *pkey = e2e_load("hwctest:rsa"), *pub = public_copy(rsa_priv);
    EVP_PKEY_CTX *pctx;
    unsigned char dgst[64] = {7}, sig[600];
    size_t siglen = sizeof(sig);
    int calls = f_rsa.sign_calls;
    BIO *mem = BIO_new(BIO_s_mem());
    X509 *x;

    ck_assert_str_eq(OSSL_PROVIDER_get0_name(EVP_PKEY_get0_provider(pkey)),
                     "hwcloud");
    ck_assert_int_eq(EVP_PKEY_is_a(pkey, "RSA"), 1);
    ck_assert_int_eq(EVP_PKEY_get_id(pkey), EVP_PKEY_RSA);
    ck_assert_int_eq(EVP_PKEY_get_bits(pkey), 2048);
    ck_assert_int_eq(EVP_PKEY_get_size(pkey), 256);
    ck_assert_int_eq(EVP_PKEY_get_security_bits(pkey), 112);

    /* EVP_DigestSign reaches our signature (remote) on this OpenSSL */
    e2e_digest_sign(pkey, rsa_priv, "SHA256", 0);
    e2e_digest_sign(pkey, rsa_priv, "SHA384", 1);
    e2e_digest_sign(pkey, rsa_priv, NULL, 0);
    ck_assert_int_eq(f_rsa.sign_calls, calls + 3);

    /* pkeyutl: EVP_PKEY_sign on a digest */
    pctx = EVP_PKEY_CTX_new_from_pkey(e2e_lib, pkey, NULL);
    ck_assert_int_eq(EVP_PKEY_sign_init(pctx), 1);
    ck_assert_int_eq(EVP_PKEY_CTX_set_signature_md(pctx, EVP_sha512()), 1);
    ck_assert_msg(EVP_PKEY_sign(pctx, sig, &siglen, dgst, 64) == 1, "%s",
                  tu_errors());
    ck_assert_int_eq(f_rsa.sign_calls, calls + 4);
    EVP_PKEY_CTX_free(pctx);

    /* public key comparisons and certificates */
    ck_assert_int_eq(EVP_PKEY_eq(pkey, pub), 1);
    x = e2e_cert(pkey, pkey, "e2e rsa");
    ck_assert_int_eq(X509_verify(x, pub), 1);
    ck_assert_msg(X509_check_private_key(x, pkey) == 1, "%s", tu_errors());

    /* encoders */
    ck_assert_int_eq(
        PEM_write_bio_PrivateKey(mem, pkey, NULL, NULL, 0, NULL, NULL), 1);
    ck_assert(contains(mem, "-----BEGIN HWCLOUD PROVIDER URI-----"));
    ck_assert_int_eq(PEM_write_bio_PUBKEY(mem, pkey), 1);
    ck_assert(contains(mem, "-----BEGIN PUBLIC KEY-----"));
    ck_assert_int_eq(EVP_PKEY_print_private(mem, pkey, 0, NULL), 1);
    ck_assert(contains(mem, "held in Huawei Cloud KMS (kms:key/e2e-rsa)"));
    ck_assert_int_le(i2d_PrivateKey(pkey, NULL), 0);
    ERR_clear_error();

    BIO_free(mem);
    X509_free(x);
    EVP_PKEY_free(pub);
    EVP_PKEY_free(pkey);
}
END_TEST

START_TEST(test_e2e_ec_and_decrypt)
{
    static const unsigned char secret[] = "secret";
    EVP_PKEY *ec = e2e_load("hwctest:ec"), *enc = e2e_load("hwctest:rsa-enc");
    EVP_PKEY_CTX *pctx;
    unsigned char ct[512], pt[512];
    size_t ctlen = sizeof(ct), ptlen = sizeof(pt);
    int calls = f_ec256.sign_calls, dcalls = f_rsa.decrypt_calls;

    ck_assert_int_eq(EVP_PKEY_is_a(ec, "EC"), 1);
    ck_assert_int_eq(EVP_PKEY_get_id(ec), EVP_PKEY_EC);
    e2e_digest_sign(ec, ec256_priv, "SHA256", 0);
    e2e_digest_sign(ec, ec256_priv, NULL, 0);
    ck_assert_int_eq(f_ec256.sign_calls, calls + 2);
    /* what libssl's EVP_PKEY_digestsign_supports_digest sees */
    ck_assert_int_le(
        EVP_PKEY_digestsign_supports_digest(ec, e2e_lib, "SHA384", NULL), 0);
    ck_assert_int_eq(
        EVP_PKEY_digestsign_supports_digest(ec, e2e_lib, "SHA256", NULL), 1);

    /* OAEP-SHA256 through EVP: encrypt (local) and decrypt (remote) */
    pctx = EVP_PKEY_CTX_new_from_pkey(e2e_lib, enc, NULL);
    ck_assert_int_eq(EVP_PKEY_encrypt_init(pctx), 1);
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_OAEP_PADDING);
    EVP_PKEY_CTX_set_rsa_oaep_md(pctx, EVP_sha256());
    ck_assert_int_eq(EVP_PKEY_encrypt(pctx, ct, &ctlen, secret, sizeof(secret)),
                     1);
    ck_assert_msg(EVP_PKEY_decrypt_init(pctx) == 1, "%s", tu_errors());
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_OAEP_PADDING);
    EVP_PKEY_CTX_set_rsa_oaep_md(pctx, EVP_sha256());
    ck_assert_msg(EVP_PKEY_decrypt(pctx, pt, &ptlen, ct, ctlen) == 1, "%s",
                  tu_errors());
    ck_assert_mem_eq(pt, secret, sizeof(secret));
    ck_assert_int_eq(f_rsa.decrypt_calls, dcalls + 1);
    /* PKCS#1 v1.5 is refused before any request */
    ck_assert_int_eq(EVP_PKEY_decrypt_init(pctx), 1);
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING);
    ptlen = sizeof(pt);
    ck_assert_int_le(EVP_PKEY_decrypt(pctx, pt, &ptlen, ct, ctlen), 0);
    expect_error("PKCS#1 v1.5");
    ck_assert_int_eq(f_rsa.decrypt_calls, dcalls + 1);
    EVP_PKEY_CTX_free(pctx);
    EVP_PKEY_free(enc);
    EVP_PKEY_free(ec);
}
END_TEST

/* With hwcloud loaded, ordinary keys keep working and never reach KMS:
 * generation, signing, encoding. With hwcloud first, our keymgmt makes
 * them and hands everything on. */
START_TEST(test_e2e_foreign_keys)
{
    static const unsigned char msg[] = "ordinary";
    const char *types[] = {"RSA", "EC"};
    int calls = f_rsa.sign_calls + f_ec256.sign_calls, i;

    for (i = 0; i < 2; i++) {
        EVP_PKEY *k =
            i == 0 ? EVP_PKEY_Q_keygen(e2e_lib, NULL, types[i], (size_t)2048)
                   : EVP_PKEY_Q_keygen(e2e_lib, NULL, types[i], "P-256");
        EVP_MD_CTX *mctx = EVP_MD_CTX_new();
        unsigned char sig[600];
        size_t siglen = sizeof(sig);
        BIO *mem = BIO_new(BIO_s_mem());

        ck_assert_msg(k != NULL, "keygen %s: %s", types[i], tu_errors());
        ck_assert_str_eq(OSSL_PROVIDER_get0_name(EVP_PKEY_get0_provider(k)),
                         e2e_first ? "hwcloud" : "default");
        ck_assert_int_eq(
            EVP_DigestSignInit_ex(mctx, NULL, "SHA256", e2e_lib, NULL, k, NULL),
            1);
        ck_assert_int_eq(
            EVP_DigestSign(mctx, sig, &siglen, msg, sizeof(msg) - 1), 1);
        ck_assert_int_eq(EVP_DigestVerifyInit_ex(mctx, NULL, "SHA256", e2e_lib,
                                                 NULL, k, NULL),
                         1);
        ck_assert_int_eq(
            EVP_DigestVerify(mctx, sig, siglen, msg, sizeof(msg) - 1), 1);
        ck_assert_int_eq(
            PEM_write_bio_PrivateKey(mem, k, NULL, NULL, 0, NULL, NULL), 1);
        ck_assert(contains(mem, "-----BEGIN PRIVATE KEY-----"));
        ck_assert_int_eq(EVP_PKEY_print_private(mem, k, 0, NULL), 1);
        ck_assert(!contains(mem, "Huawei Cloud KMS"));
        BIO_free(mem);
        EVP_MD_CTX_free(mctx);
        EVP_PKEY_free(k);
    }
    ck_assert_int_eq(f_rsa.sign_calls + f_ec256.sign_calls, calls);
}
END_TEST

/*------------------------------------------ local keys (either order) */

static const char *provider_of(const EVP_PKEY *k)
{
    return OSSL_PROVIDER_get0_name(EVP_PKEY_get0_provider(k));
}

/* The PKCS#8 PEM and the text of k. */
static char *pem_and_text(EVP_PKEY *k)
{
    BIO *mem = BIO_new(BIO_s_mem());
    char *data = NULL, *copy;
    long n;

    ck_assert_int_eq(
        PEM_write_bio_PrivateKey(mem, k, NULL, NULL, 0, NULL, NULL), 1);
    ck_assert_int_eq(EVP_PKEY_print_private(mem, k, 0, NULL), 1);
    n = BIO_get_mem_data(mem, &data);
    copy = OPENSSL_strndup(data, (size_t)n);
    BIO_free(mem);
    return copy;
}

/* k as the default provider alone reads it back from its PEM. */
static EVP_PKEY *reread(OSSL_LIB_CTX *plain, EVP_PKEY *k)
{
    BIO *mem = BIO_new(BIO_s_mem());
    EVP_PKEY *r;

    ck_assert_int_eq(
        PEM_write_bio_PrivateKey(mem, k, NULL, NULL, 0, NULL, NULL), 1);
    r = PEM_read_bio_PrivateKey_ex(mem, NULL, NULL, NULL, plain, NULL);
    ck_assert_msg(r != NULL, "%s", tu_errors());
    BIO_free(mem);
    return r;
}

static EVP_PKEY *fromdata(EVP_PKEY *src, int selection)
{
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *c =
        EVP_PKEY_CTX_new_from_name(e2e_lib, EVP_PKEY_get0_type_name(src), NULL);
    EVP_PKEY *k = NULL;

    ck_assert_int_eq(EVP_PKEY_todata(src, selection, &params), 1);
    ck_assert_int_eq(EVP_PKEY_fromdata_init(c), 1);
    ck_assert_msg(EVP_PKEY_fromdata(c, &k, selection, params) == 1, "%s",
                  tu_errors());
    OSSL_PARAM_free(params);
    EVP_PKEY_CTX_free(c);
    return k;
}

static size_t pkey_derive(EVP_PKEY *priv, EVP_PKEY *peer, unsigned char *out)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(e2e_lib, priv, NULL);
    size_t n = 256;

    ck_assert_int_eq(EVP_PKEY_derive_init(c), 1);
    ck_assert_int_eq(EVP_PKEY_derive_set_peer(c, peer), 1);
    ck_assert_msg(EVP_PKEY_derive(c, out, &n) == 1, "%s", tu_errors());
    EVP_PKEY_CTX_free(c);
    return n;
}

/* RSA: encrypt with a, decrypt with b; sign raw with b, recover with a. */
static void local_rsa_ops(EVP_PKEY *a, EVP_PKEY *b)
{
    static const unsigned char m[32] = "thirty-two bytes of a digest....";
    unsigned char ct[512], pt[512];
    size_t clen = sizeof(ct), plen = sizeof(pt);
    EVP_PKEY_CTX *e = EVP_PKEY_CTX_new_from_pkey(e2e_lib, a, NULL);
    EVP_PKEY_CTX *d = EVP_PKEY_CTX_new_from_pkey(e2e_lib, b, NULL);

    ck_assert_int_eq(EVP_PKEY_encrypt_init(e), 1);
    ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_padding(e, RSA_PKCS1_PADDING), 1);
    ck_assert_int_eq(EVP_PKEY_encrypt(e, ct, &clen, m, sizeof(m)), 1);
    ck_assert_int_eq(EVP_PKEY_decrypt_init(d), 1);
    ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_padding(d, RSA_PKCS1_PADDING), 1);
    ck_assert_msg(EVP_PKEY_decrypt(d, pt, &plen, ct, clen) == 1, "%s",
                  tu_errors());
    ck_assert_mem_eq(pt, m, sizeof(m));
    clen = sizeof(ct);
    plen = sizeof(pt);
    ck_assert_int_eq(EVP_PKEY_sign_init(d), 1);
    ck_assert_int_eq(EVP_PKEY_sign(d, ct, &clen, m, sizeof(m)), 1);
    ck_assert_int_eq(EVP_PKEY_verify_recover_init(e), 1);
    ck_assert_msg(EVP_PKEY_verify_recover(e, pt, &plen, ct, clen) == 1, "%s",
                  tu_errors());
    ck_assert_uint_eq(plen, sizeof(m));
    ck_assert_mem_eq(pt, m, sizeof(m));
    EVP_PKEY_CTX_free(e);
    EVP_PKEY_CTX_free(d);
}

/* EC: ECDH both ways with a key generated here, and a change of the
 * point format. */
static void local_ec_ops(EVP_PKEY *k)
{
    unsigned char s1[256], s2[256];
    char fmt[32] = "";
    EVP_PKEY *other = EVP_PKEY_Q_keygen(e2e_lib, NULL, "EC", "P-384");
    size_t n1 = pkey_derive(k, other, s1), n2 = pkey_derive(other, k, s2);

    ck_assert_uint_eq(n1, n2);
    ck_assert_mem_eq(s1, s2, n1);
    ck_assert_int_eq(
        EVP_PKEY_set_utf8_string_param(
            k, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, "compressed"),
        1);
    ck_assert_int_eq(EVP_PKEY_get_utf8_string_param(
                         k, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, fmt,
                         sizeof(fmt), NULL),
                     1);
    ck_assert_str_eq(fmt, "compressed");
    EVP_PKEY_free(other);
}

static void local_key_checks(EVP_PKEY *k, EVP_PKEY *ref)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(e2e_lib, k, NULL);
    EVP_PKEY *dup = EVP_PKEY_dup(k), *params = EVP_PKEY_new();

    ck_assert_int_eq(EVP_PKEY_check(c), 1);
    ck_assert_int_eq(EVP_PKEY_public_check(c), 1);
    ck_assert_int_eq(EVP_PKEY_eq(k, ref), 1);
    ck_assert_int_eq(EVP_PKEY_eq(dup, ref), 1);
    ck_assert_int_eq(EVP_PKEY_get_bits(k), EVP_PKEY_get_bits(ref));
    ck_assert_int_eq(EVP_PKEY_get_size(k), EVP_PKEY_get_size(ref));
    if (EVP_PKEY_is_a(k, "EC")) { /* RSA keys have no parameters */
        ck_assert_int_eq(EVP_PKEY_copy_parameters(params, k), 1);
        ck_assert_int_eq(EVP_PKEY_parameters_eq(params, ref), 1);
    }
    EVP_PKEY_free(params);
    EVP_PKEY_free(dup);
    EVP_PKEY_CTX_free(c);
}

/*
 * Keys made in e2e_lib by generation and by import from parameters: with
 * hwcloud first they are ours, and every operation gives what the
 * default provider alone gives (the same encodings, byte for byte), with
 * no call to KMS.
 */
START_TEST(test_e2e_local_keys)
{
    OSSL_LIB_CTX *plain = OSSL_LIB_CTX_new();
    OSSL_PROVIDER *dflt = OSSL_PROVIDER_load(plain, "default");
    const char *want = e2e_first ? "hwcloud" : "default";
    int calls = f_rsa.sign_calls + f_ec256.sign_calls + f_rsa.decrypt_calls;
    int i;

    ck_assert_ptr_nonnull(dflt);
    for (i = 0; i < 2; i++) {
        EVP_PKEY *k =
            i == 0 ? EVP_PKEY_Q_keygen(e2e_lib, NULL, "RSA", (size_t)2048)
                   : EVP_PKEY_Q_keygen(e2e_lib, NULL, "EC", "P-384");
        EVP_PKEY *ref, *imp, *pub;
        char *a, *b;

        ck_assert_msg(k != NULL, "%s", tu_errors());
        ck_assert_str_eq(provider_of(k), want);
        ref = reread(plain, k);
        ck_assert_str_eq(provider_of(ref), "default");
        a = pem_and_text(k);
        b = pem_and_text(ref);
        ck_assert_str_eq(a, b);
        OPENSSL_free(a);
        OPENSSL_free(b);
        imp = fromdata(ref, EVP_PKEY_KEYPAIR);
        pub = fromdata(ref, EVP_PKEY_PUBLIC_KEY);
        ck_assert_str_eq(provider_of(imp), want);
        local_key_checks(imp, ref);
        local_key_checks(k, ref);
        e2e_digest_sign(imp, ref, "SHA384", 0);
        if (i == 0) {
            e2e_digest_sign(imp, ref, "SHA256", 1);
            local_rsa_ops(pub, imp);
            local_rsa_ops(imp, ref);
        } else {
            local_ec_ops(imp);
        }
        EVP_PKEY_free(pub);
        EVP_PKEY_free(imp);
        EVP_PKEY_free(ref);
        EVP_PKEY_free(k);
    }
    ck_assert_int_eq(
        f_rsa.sign_calls + f_ec256.sign_calls + f_rsa.decrypt_calls, calls);
    OSSL_PROVIDER_unload(dflt);
    OSSL_LIB_CTX_free(plain);
}
END_TEST

/* A KMS key gives its public half and nothing more, in either order. */
START_TEST(test_e2e_kms_not_exported)
{
    EVP_PKEY *ec = e2e_load("hwctest:ec");
    OSSL_PARAM *params = NULL;
    EVP_PKEY *pub;

    ck_assert_int_le(EVP_PKEY_todata(ec, EVP_PKEY_KEYPAIR, &params), 0);
    ck_assert_ptr_null(params);
    ck_assert_int_le(i2d_PrivateKey(ec, NULL), 0);
    ERR_clear_error();
    pub = fromdata(ec, EVP_PKEY_PUBLIC_KEY);
    ck_assert_int_eq(EVP_PKEY_eq(pub, ec), 1);
    ck_assert_int_eq(EVP_PKEY_eq(ec, pub), 1);
    ck_assert_int_eq(
        EVP_PKEY_set_utf8_string_param(
            ec, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, "compressed"),
        0);
    ERR_clear_error();
    EVP_PKEY_free(pub);
    EVP_PKEY_free(ec);
}
END_TEST

/* libssl's EC groups are there whichever provider wins the "EC" fetch. */
START_TEST(test_e2e_tls_groups)
{
    SSL_CTX *ctx = SSL_CTX_new_ex(e2e_lib, NULL, TLS_client_method());

    ck_assert_ptr_nonnull(ctx);
    ck_assert_msg(SSL_CTX_set1_groups_list(ctx, "P-256:P-384:P-521") == 1, "%s",
                  tu_errors());
    ck_assert_int_eq(SSL_CTX_set1_groups_list(ctx, "X25519:ffdhe2048"), 1);
    SSL_CTX_free(ctx);
}
END_TEST

/* One in-memory handshake; returns 1 when both sides finish. */
static int tls_handshake(SSL_CTX *sctx, SSL_CTX *cctx)
{
    SSL *s = SSL_new(sctx), *c = SSL_new(cctx);
    BIO *sb, *cb;
    int i, sdone = 0, cdone = 0;

    ck_assert_int_eq(BIO_new_bio_pair(&sb, 0, &cb, 0), 1);
    SSL_set_bio(s, sb, sb);
    SSL_set_bio(c, cb, cb);
    SSL_set_accept_state(s);
    SSL_set_connect_state(c);
    for (i = 0; i < 50 && !(sdone && cdone); i++) {
        if (!cdone) {
            int r = SSL_do_handshake(c);

            cdone = r == 1;
            if (r <= 0 && SSL_get_error(c, r) != SSL_ERROR_WANT_READ) {
                break;
            }
        }
        if (!sdone) {
            int r = SSL_do_handshake(s);

            sdone = r == 1;
            if (r <= 0 && SSL_get_error(s, r) != SSL_ERROR_WANT_READ) {
                break;
            }
        }
    }
    SSL_free(s);
    SSL_free(c);
    return sdone && cdone;
}

static void e2e_tls(const char *uri, EVP_PKEY *priv, fake_kms *f, int version,
                    const char *ciphers)
{
    EVP_PKEY *pkey = e2e_load(uri);
    X509 *x = e2e_cert(pkey, pkey, "localhost");
    SSL_CTX *sctx = SSL_CTX_new_ex(e2e_lib, NULL, TLS_server_method());
    SSL_CTX *cctx = SSL_CTX_new_ex(e2e_lib, NULL, TLS_client_method());
    int calls;

    (void)priv;
    ck_assert_int_eq(SSL_CTX_use_certificate(sctx, x), 1);
    ck_assert_msg(SSL_CTX_use_PrivateKey(sctx, pkey) == 1, "%s", tu_errors());
    ck_assert_int_eq(SSL_CTX_check_private_key(sctx), 1);
    SSL_CTX_set_min_proto_version(sctx, version);
    SSL_CTX_set_max_proto_version(sctx, version);
    if (ciphers != NULL) {
        ck_assert_int_eq(SSL_CTX_set_cipher_list(sctx, ciphers), 1);
    }
    ck_assert_int_eq(X509_STORE_add_cert(SSL_CTX_get_cert_store(cctx), x), 1);
    SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
    calls = f->sign_calls;
    ck_assert_msg(tls_handshake(sctx, cctx), "%s", tu_errors());
    ck_assert_int_eq(f->sign_calls, calls + 1);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
    X509_free(x);
    EVP_PKEY_free(pkey);
}

START_TEST(test_e2e_tls)
{
    e2e_tls("hwctest:rsa", rsa_priv, &f_rsa, TLS1_3_VERSION, NULL);
    e2e_tls("hwctest:ec", ec256_priv, &f_ec256, TLS1_3_VERSION, NULL);
    e2e_tls("hwctest:rsa", rsa_priv, &f_rsa, TLS1_2_VERSION,
            "ECDHE-RSA-AES128-GCM-SHA256");
    e2e_tls("hwctest:ec", ec256_priv, &f_ec256, TLS1_2_VERSION, NULL);
}
END_TEST

/* TLS 1.2 RSA key exchange needs PKCS#1 v1.5 decryption: refused cleanly
 * on the server, with no request to KMS. */
START_TEST(test_e2e_tls_rsa_kx)
{
    EVP_PKEY *pkey = e2e_load("hwctest:rsa-enc");
    X509 *x = e2e_cert(pkey, rsa_priv, "localhost");
    SSL_CTX *sctx = SSL_CTX_new_ex(e2e_lib, NULL, TLS_server_method());
    SSL_CTX *cctx = SSL_CTX_new_ex(e2e_lib, NULL, TLS_client_method());
    int calls = f_rsa.decrypt_calls;

    ck_assert_int_eq(SSL_CTX_use_certificate(sctx, x), 1);
    ck_assert_int_eq(SSL_CTX_use_PrivateKey(sctx, pkey), 1);
    SSL_CTX_set_max_proto_version(sctx, TLS1_2_VERSION);
    ck_assert_int_eq(SSL_CTX_set_cipher_list(sctx, "AES128-GCM-SHA256"), 1);
    ck_assert_int_eq(X509_STORE_add_cert(SSL_CTX_get_cert_store(cctx), x), 1);
    ERR_clear_error();
    ck_assert_int_eq(tls_handshake(sctx, cctx), 0);
    expect_error("KMS cannot do PKCS#1 v1.5 decryption; use ECDHE");
    ck_assert_int_eq(f_rsa.decrypt_calls, calls);
    /* a SIGN_VERIFY key is refused at decrypt_init */
    EVP_PKEY_free(pkey);
    pkey = e2e_load("hwctest:rsa");
    ck_assert_int_eq(SSL_CTX_use_PrivateKey(sctx, pkey), 1);
    ck_assert_int_eq(tls_handshake(sctx, cctx), 0);
    expect_error("SIGN_VERIFY key: KMS cannot decrypt with it (TLS: RSA key "
                 "exchange needs decryption; use ECDHE cipher suites)");
    ck_assert_int_eq(f_rsa.decrypt_calls, calls);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
    X509_free(x);
    EVP_PKEY_free(pkey);
}
END_TEST

static Suite *rkey_suite(void)
{
    Suite *s = suite_create("rkey");
    TCase *tc = tcase_create("dispatch");

    tcase_add_unchecked_fixture(tc, keys_setup, keys_teardown);
    tcase_add_test(tc, test_keymgmt_rsa);
    tcase_add_test(tc, test_keymgmt_ec_and_match);
    tcase_add_loop_test(tc, test_sign_rsa, 0, 6);
    tcase_add_loop_test(tc, test_sign_ecdsa, 0, 6);
    tcase_add_loop_test(tc, test_sign_pss_other_salt, 0, 3);
    tcase_add_loop_test(tc, test_sign_secp256k1, 0, 2);
    tcase_add_loop_test(tc, test_sign_sm2, 0, 2);
    tcase_add_test(tc, test_sign_refusals);
    tcase_add_test(tc, test_sign_ecdsa_broken);
    tcase_add_test(tc, test_algorithm_id);
    tcase_add_test(tc, test_settable_params_applied);
    tcase_add_test(tc, test_decrypt);
    tcase_add_test(tc, test_encoders);
    suite_add_tcase(s, tc);

    tc = tcase_create("libcrypto");
    tcase_add_unchecked_fixture(tc, e2e_setup, e2e_teardown);
    tcase_add_test(tc, test_e2e_rsa);
    tcase_add_test(tc, test_e2e_ec_and_decrypt);
    tcase_add_test(tc, test_e2e_foreign_keys);
    tcase_add_test(tc, test_e2e_local_keys);
    tcase_add_test(tc, test_e2e_kms_not_exported);
    tcase_add_test(tc, test_e2e_tls_groups);
    tcase_add_test(tc, test_e2e_tls);
    tcase_add_test(tc, test_e2e_tls_rsa_kx);
    suite_add_tcase(s, tc);

    /* The same with hwcloud activated before the default provider. */
    tc = tcase_create("hwcloud first");
    tcase_add_unchecked_fixture(tc, e2e_setup_first, e2e_teardown);
    tcase_add_test(tc, test_e2e_rsa);
    tcase_add_test(tc, test_e2e_ec_and_decrypt);
    tcase_add_test(tc, test_e2e_foreign_keys);
    tcase_add_test(tc, test_e2e_local_keys);
    tcase_add_test(tc, test_e2e_kms_not_exported);
    tcase_add_test(tc, test_e2e_tls_groups);
    tcase_add_test(tc, test_e2e_tls);
    tcase_add_test(tc, test_e2e_tls_rsa_kx);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(rkey_suite());
}
