/*
 * signature.c: RSA (PKCS#1 v1.5, PSS), ECDSA and SM2 signatures with a
 * KMS-held key. Signing hashes locally and sends the digest to KMS
 * (key->ops->sign); every signature KMS returns is verified locally with
 * key->pub before it is handed out. Verification runs locally on key->pub only.
 * KMS offers SHA-256/384/512 and documents a PSS salt as long as the digest
 * (its signatures are checked with any salt length all the same).
 *
 * Local keys (rkey.h: keys our keymgmt made, which never reach KMS) get
 * the other provider's signature instead: a context of it is made at init
 * and every call is forwarded to it (fwd.h).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rsa.h>

#include "ossl/fwd.h"
#include "core/hwc.h"
#include "ossl/provider.h"
#include "resolve/rkey.h"
#include "ossl/signature.h"

static OSSL_FUNC_signature_newctx_fn hwc_sig_newctx;
static OSSL_FUNC_signature_freectx_fn hwc_sig_freectx;
static OSSL_FUNC_signature_dupctx_fn hwc_sig_dupctx;
static OSSL_FUNC_signature_sign_init_fn hwc_sig_sign_init;
static OSSL_FUNC_signature_sign_fn hwc_sig_sign;
static OSSL_FUNC_signature_verify_init_fn hwc_sig_verify_init;
static OSSL_FUNC_signature_verify_fn hwc_sig_verify;
static OSSL_FUNC_signature_verify_recover_init_fn hwc_sig_verify_recover_init;
static OSSL_FUNC_signature_verify_recover_fn hwc_sig_verify_recover;

/* The digests KMS signs, with the suffix of its algorithm names (SM3:
 * SM2 keys only, SM2 keys nothing else). */
static const struct hwc_sig_md hwc_sig_mds[] = {
    {"SHA256", "SHA_256"},
    {"SHA384", "SHA_384"},
    {"SHA512", "SHA_512"},
    {"SM3", "SM3"},
};

int hwc_sig_missing(void)
{
    hwc_raise(HWC_R_UNSUPPORTED, "operation not supported for this key");
    return 0;
}

OSSL_LIB_CTX *hwc_sig_libctx(const hwc_sig_ctx *ctx)
{
    return ctx->prov != NULL ? ctx->prov->libctx : NULL;
}

int hwc_sig_is_rsa(const hwc_sig_ctx *ctx)
{
    return ctx->key != NULL && ctx->key->base_id == EVP_PKEY_RSA;
}

static void *hwc_sig_newctx(void *provctx, const char *propq)
{
    hwc_sig_ctx *ctx = OPENSSL_zalloc(sizeof(*ctx));

    (void)propq;
    if (ctx == NULL) {
        hwc_raise(HWC_R_MALLOC, "signature context");
        return NULL;
    }
    ctx->prov = provctx;
    ctx->saltlen = HWC_SALT_UNSET;
    if (propq != NULL && (ctx->propq = OPENSSL_strdup(propq)) == NULL) {
        OPENSSL_free(ctx);
        hwc_raise(HWC_R_MALLOC, "signature context");
        return NULL;
    }
    return ctx;
}

static void hwc_sig_fwd_drop(hwc_sig_ctx *ctx)
{
    OSSL_FUNC_signature_freectx_fn *fn = SIGF(ctx, FREECTX, freectx);

    if (ctx->fwd_ctx != NULL && fn != NULL) {
        fn(ctx->fwd_ctx);
    }
    ctx->fwd_ctx = NULL;
    hwc_fwd_clear(&ctx->fwd);
}

static void hwc_sig_freectx(void *vctx)
{
    hwc_sig_ctx *ctx = vctx;

    if (ctx == NULL) {
        return;
    }
    hwc_sig_fwd_drop(ctx);
    hwc_rkey_free(ctx->key);
    EVP_MD_free(ctx->md);
    EVP_MD_CTX_free(ctx->mdctx);
    OPENSSL_free(ctx->propq);
    OPENSSL_clear_free(ctx, sizeof(*ctx));
}

static int hwc_sig_fwd_dup(hwc_sig_ctx *dst, const hwc_sig_ctx *src)
{
    OSSL_FUNC_signature_dupctx_fn *fn;

    if (src->fwd_ctx == NULL) {
        return 1;
    }
    if (!hwc_fwd_copy(&dst->fwd, &src->fwd) ||
        (fn = SIGF(src, DUPCTX, dupctx)) == NULL) {
        return 0;
    }
    return (dst->fwd_ctx = fn(src->fwd_ctx)) != NULL;
}

/* A context of the other provider's signature for the local key, made
 * again when the key comes from another provider. */
static int hwc_sig_fwd_ctx(hwc_sig_ctx *ctx, const hwc_rkey *key)
{
    OSSL_FUNC_signature_newctx_fn *fn;
    const char *name = hwc_kmfwd_op_name(key->fwd, OSSL_OP_SIGNATURE);

    if (ctx->fwd_ctx != NULL && ctx->fwd.provctx == key->fwd->f.provctx) {
        return 1;
    }
    hwc_sig_fwd_drop(ctx);
    if (!hwc_fwd_find(key->fwd, OSSL_OP_SIGNATURE, name, NULL, &ctx->fwd) ||
        (fn = SIGF(ctx, NEWCTX, newctx)) == NULL ||
        (ctx->fwd_ctx = fn(ctx->fwd.provctx, ctx->propq)) == NULL) {
        hwc_sig_fwd_drop(ctx);
        hwc_raise(HWC_R_UNSUPPORTED,
                  "no %s signature beside hwcloud's for this key", name);
        return 0;
    }
    return 1;
}

/*
 * Which way an init goes: 1 for a local key (provkey, else the key kept),
 * with ctx->fwd_ctx ready; 0 for a KMS key; -1 on error.
 */
int hwc_sig_route(hwc_sig_ctx *ctx, void *provkey)
{
    hwc_rkey *key = provkey != NULL ? provkey : ctx->key;

    if (key == NULL || !hwc_rkey_is_local(key)) {
        hwc_sig_fwd_drop(ctx);
        return 0;
    }
    if (key != ctx->key) {
        hwc_rkey_free(ctx->key);
        ctx->key = hwc_rkey_up_ref(key);
    }
    return hwc_sig_fwd_ctx(ctx, key) ? 1 : -1;
}

/* libssl and EVP_DigestSignFinal duplicate contexts mid-hash. */
static void *hwc_sig_dupctx(void *vctx)
{
    const hwc_sig_ctx *src = vctx;
    hwc_sig_ctx *dst = OPENSSL_memdup(src, sizeof(*src));

    if (dst == NULL) {
        hwc_raise(HWC_R_MALLOC, "signature context");
        return NULL;
    }
    dst->md = NULL;
    dst->mdctx = NULL;
    dst->propq = NULL;
    dst->fwd.fns = NULL;
    dst->fwd_ctx = NULL;
    hwc_rkey_up_ref(dst->key);
    if (src->md != NULL && EVP_MD_up_ref(src->md)) {
        dst->md = src->md;
    }
    if ((src->mdctx != NULL && ((dst->mdctx = EVP_MD_CTX_new()) == NULL ||
                                !EVP_MD_CTX_copy_ex(dst->mdctx, src->mdctx))) ||
        (src->propq != NULL &&
         (dst->propq = OPENSSL_strdup(src->propq)) == NULL) ||
        !hwc_sig_fwd_dup(dst, src)) {
        hwc_raise(HWC_R_MALLOC, "copying a signature context");
        hwc_sig_freectx(dst);
        return NULL;
    }
    return dst;
}

/* The digest of a key's own curve for EC, SHA-256 for RSA, SM3 for SM2. */
const char *hwc_sig_default_md(const hwc_sig_ctx *ctx)
{
    int bits = EVP_PKEY_get_bits(ctx->key->pub);

    if (ctx->key->sm2) {
        return "SM3";
    }
    if (hwc_sig_is_rsa(ctx) || bits <= 256) {
        return "SHA256";
    }
    return bits <= 384 ? "SHA384" : "SHA512";
}

/*
 * KMS binds ECDSA to the curve's digest (EC_P256: ECDSA_SHA_256 only,
 * EC_P384: ECDSA_SHA_384 only). Refused here, when libssl probes each
 * digest with digest_sign_init, so that it picks one KMS accepts.
 */
static int hwc_sig_md_fits_key(hwc_sig_ctx *ctx, const char *mdname)
{
    const char *want;

    if (!ctx->signing || hwc_sig_is_rsa(ctx)) {
        return 1;
    }
    want = hwc_sig_default_md(ctx);
    if (strcmp(mdname, want) == 0) {
        return 1;
    }
    hwc_raise(HWC_R_UNSUPPORTED,
              "KMS signs with a %d-bit %s key using %s only, not %s",
              EVP_PKEY_get_bits(ctx->key->pub), ctx->key->sm2 ? "SM2" : "EC",
              want, mdname);
    return 0;
}

/* SM2 hashes its id and key first, with SM3 (SM2 with anything else is
 * not KMS's SM2DSA_SM3); the other keys sign SHA-2 only. */
static int hwc_sig_md_fits_type(hwc_sig_ctx *ctx, const EVP_MD *md)
{
    int sm3 = EVP_MD_is_a(md, "SM3");

    if (ctx->key->sm2 && !sm3) {
        hwc_raise(HWC_R_UNSUPPORTED,
                  "KMS signs with SM2 keys using SM3 only, not %s",
                  EVP_MD_get0_name(md));
        return 0;
    }
    if (!ctx->key->sm2 && sm3 && ctx->signing) {
        hwc_raise(HWC_R_UNSUPPORTED, "SM3 signatures need an SM2 key");
        return 0;
    }
    return 1;
}

/* Signing: SHA-256/384/512 under any of their names. Verification is
 * local and takes any digest. NULL keeps none. */
int hwc_sig_set_md(hwc_sig_ctx *ctx, const char *name)
{
    EVP_MD *md;
    size_t i;

    if (name == NULL || *name == '\0') {
        return 1;
    }
    md = EVP_MD_fetch(hwc_sig_libctx(ctx), name, HWC_INTERNAL_PROPQ);
    for (i = 0; md != NULL && i < HWC_NELEM(hwc_sig_mds); i++) {
        if (EVP_MD_is_a(md, hwc_sig_mds[i].name)) {
            break;
        }
    }
    if (md == NULL || (i == HWC_NELEM(hwc_sig_mds) && ctx->signing)) {
        EVP_MD_free(md);
        hwc_raise(HWC_R_UNSUPPORTED,
                  "digest %s: KMS signs SHA-256, SHA-384 or SHA-512 (SM3 "
                  "with SM2 keys) only",
                  name);
        return 0;
    }
    if (!hwc_sig_md_fits_type(ctx, md) ||
        (ctx->signing && !hwc_sig_md_fits_key(ctx, hwc_sig_mds[i].name))) {
        EVP_MD_free(md);
        return 0;
    }
    if (ctx->mdctx != NULL && ctx->md != NULL &&
        !EVP_MD_is_a(md, EVP_MD_get0_name(ctx->md))) {
        EVP_MD_free(md);
        hwc_raise(HWC_R_UNSUPPORTED,
                  "the digest cannot change during a digest-sign operation");
        return 0;
    }
    EVP_MD_free(ctx->md);
    ctx->md = md;
    ctx->mdinfo = i < HWC_NELEM(hwc_sig_mds) ? &hwc_sig_mds[i] : NULL;
    return 1;
}

int hwc_sig_init(hwc_sig_ctx *ctx, void *provkey, int signing,
                 const OSSL_PARAM params[])
{
    hwc_rkey *key = provkey;

    if (key != NULL) {
        hwc_rkey_free(ctx->key);
        ctx->key = hwc_rkey_up_ref(key);
    }
    if (ctx->key == NULL || ctx->key->pub == NULL) {
        hwc_raise(HWC_R_INTERNAL, "no key for the signature");
        return 0;
    }
    ctx->signing = signing;
    ctx->recover = 0;
    ctx->pad = RSA_PKCS1_PADDING;
    ctx->saltlen = HWC_SALT_UNSET;
    ctx->mgf1[0] = '\0';
    ctx->mdinfo = NULL;
    EVP_MD_free(ctx->md);
    ctx->md = NULL;
    EVP_MD_CTX_free(ctx->mdctx);
    ctx->mdctx = NULL;
    if (ctx->key->sm2 && !hwc_sig_set_md(ctx, "SM3")) {
        return 0;
    }
    return hwc_sig_set_ctx_params(ctx, params);
}

/* Forwards one of sign/verify/verify_recover init for a local key. */
static int hwc_sig_fwd_init(hwc_sig_ctx *ctx, int id, const OSSL_PARAM params[])
{
    OSSL_FUNC_signature_sign_init_fn *fn =
        HWC_FWD_FN(&ctx->fwd, id, OSSL_FUNC_signature_sign_init_fn);

    if (fn == NULL) {
        return hwc_sig_missing();
    }
    return fn(ctx->fwd_ctx, ctx->key->fwd_kd, params);
}

static int hwc_sig_sign_init(void *vctx, void *provkey,
                             const OSSL_PARAM params[])
{
    int r = hwc_sig_route(vctx, provkey);

    if (r != 0) {
        return r > 0 &&
               hwc_sig_fwd_init(vctx, OSSL_FUNC_SIGNATURE_SIGN_INIT, params);
    }
    return hwc_sig_init(vctx, provkey, 1, params);
}

static int hwc_sig_verify_init(void *vctx, void *provkey,
                               const OSSL_PARAM params[])
{
    int r = hwc_sig_route(vctx, provkey);

    if (r != 0) {
        return r > 0 &&
               hwc_sig_fwd_init(vctx, OSSL_FUNC_SIGNATURE_VERIFY_INIT, params);
    }
    return hwc_sig_init(vctx, provkey, 0, params);
}

static int hwc_sig_verify_recover_init(void *vctx, void *provkey,
                                       const OSSL_PARAM params[])
{
    hwc_sig_ctx *ctx = vctx;
    int r = hwc_sig_route(ctx, provkey);

    if (r != 0) {
        return r > 0 &&
               hwc_sig_fwd_init(ctx, OSSL_FUNC_SIGNATURE_VERIFY_RECOVER_INIT,
                                params);
    }
    if (!hwc_sig_init(ctx, provkey, 0, params)) {
        return 0;
    }
    ctx->recover = 1;
    return 1;
}

/*---------------------------------------------- the local EVP_PKEY_CTX */

static int hwc_sig_local_params(const hwc_sig_ctx *ctx, enum hwc_local mode,
                                OSSL_PARAM *p, int *saltlen)
{
    int for_kms = mode != HWC_LOCAL_CALLER;

    OSSL_PARAM *start = p;

    if (ctx->md != NULL) {
        *p++ = OSSL_PARAM_construct_utf8_string(
            OSSL_SIGNATURE_PARAM_DIGEST, (char *)EVP_MD_get0_name(ctx->md), 0);
    }
    if (hwc_sig_is_rsa(ctx)) {
        int pss = ctx->pad == RSA_PKCS1_PSS_PADDING;

        *p++ = OSSL_PARAM_construct_utf8_string(
            OSSL_SIGNATURE_PARAM_PAD_MODE,
            pss ? OSSL_PKEY_RSA_PAD_MODE_PSS : OSSL_PKEY_RSA_PAD_MODE_PKCSV15,
            0);
        *saltlen = !for_kms                      ? ctx->saltlen
                   : mode == HWC_LOCAL_KMS_CHECK ? RSA_PSS_SALTLEN_AUTO
                                                 : RSA_PSS_SALTLEN_DIGEST;
        if (pss && *saltlen != HWC_SALT_UNSET) {
            *p++ = OSSL_PARAM_construct_int(OSSL_SIGNATURE_PARAM_PSS_SALTLEN,
                                            saltlen);
        }
        if (pss && !for_kms && ctx->mgf1[0] != '\0') {
            *p++ = OSSL_PARAM_construct_utf8_string(
                OSSL_SIGNATURE_PARAM_MGF1_DIGEST, (char *)ctx->mgf1, 0);
        }
    }
    *p = OSSL_PARAM_construct_end();
    return (int)(p - start);
}

/* A verify (or verify-recover) context on key->pub in the default
 * (non-hwcloud) provider. */
EVP_PKEY_CTX *hwc_sig_local_ctx(const hwc_sig_ctx *ctx, enum hwc_local mode)
{
    OSSL_PARAM params[6];
    int saltlen, recover = ctx->recover && mode == HWC_LOCAL_CALLER;
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_pkey(
        hwc_sig_libctx(ctx), ctx->key->pub, HWC_INTERNAL_PROPQ);

    hwc_sig_local_params(ctx, mode, params, &saltlen);
    if (pctx == NULL ||
        (recover ? EVP_PKEY_verify_recover_init(pctx)
                 : EVP_PKEY_verify_init(pctx)) <= 0 ||
        EVP_PKEY_CTX_set_params(pctx, params) <= 0) {
        EVP_PKEY_CTX_free(pctx);
        hwc_raise(HWC_R_INTERNAL, "cannot set up a local verification for %s",
                  ctx->key->uri);
        return NULL;
    }
    return pctx;
}

int hwc_sig_local_verify(const hwc_sig_ctx *ctx, enum hwc_local mode,
                         const unsigned char *sig, size_t siglen,
                         const unsigned char *tbs, size_t tbslen)
{
    EVP_PKEY_CTX *pctx = hwc_sig_local_ctx(ctx, mode);
    int ok;

    if (pctx == NULL) {
        return 0;
    }
    ok = EVP_PKEY_verify(pctx, sig, siglen, tbs, tbslen) == 1;
    EVP_PKEY_CTX_free(pctx);
    return ok;
}

/*---------------------------------------------------------- signing */

static int hwc_sig_sign(void *vctx, unsigned char *sig, size_t *siglen,
                        size_t sigsize, const unsigned char *tbs, size_t tbslen)
{
    hwc_sig_ctx *ctx = vctx;

    HWC_SIG_FORWARD(ctx, SIGN, sign, sig, siglen, sigsize, tbs, tbslen);
    if (sig == NULL) {
        *siglen = (size_t)EVP_PKEY_get_size(ctx->key->pub);
        return 1;
    }
    return hwc_sig_remote(ctx, sig, siglen, sigsize, tbs, tbslen);
}

static int hwc_sig_verify(void *vctx, const unsigned char *sig, size_t siglen,
                          const unsigned char *tbs, size_t tbslen)
{
    hwc_sig_ctx *ctx = vctx;

    HWC_SIG_FORWARD(ctx, VERIFY, verify, sig, siglen, tbs, tbslen);
    return hwc_sig_local_verify(ctx, HWC_LOCAL_CALLER, sig, siglen, tbs,
                                tbslen);
}

/* RSA only (public): locally on key->pub. */
static int hwc_sig_verify_recover(void *vctx, unsigned char *rout,
                                  size_t *routlen, size_t routsize,
                                  const unsigned char *sig, size_t siglen)
{
    hwc_sig_ctx *ctx = vctx;
    EVP_PKEY_CTX *pctx;
    int ok;

    HWC_SIG_FORWARD(ctx, VERIFY_RECOVER, verify_recover, rout, routlen,
                    routsize, sig, siglen);
    if (!ctx->recover ||
        (pctx = hwc_sig_local_ctx(ctx, HWC_LOCAL_CALLER)) == NULL) {
        return 0;
    }
    *routlen = routsize;
    ok = EVP_PKEY_verify_recover(pctx, rout, routlen, sig, siglen) == 1;
    EVP_PKEY_CTX_free(pctx);
    return ok;
}

#define HWC_SIG_COMMON                                                         \
    {OSSL_FUNC_SIGNATURE_NEWCTX, (void (*)(void))hwc_sig_newctx},              \
        {OSSL_FUNC_SIGNATURE_FREECTX, (void (*)(void))hwc_sig_freectx},        \
        {OSSL_FUNC_SIGNATURE_DUPCTX, (void (*)(void))hwc_sig_dupctx},          \
        {OSSL_FUNC_SIGNATURE_SIGN_INIT, (void (*)(void))hwc_sig_sign_init},    \
        {OSSL_FUNC_SIGNATURE_SIGN, (void (*)(void))hwc_sig_sign},              \
        {OSSL_FUNC_SIGNATURE_VERIFY_INIT,                                      \
         (void (*)(void))hwc_sig_verify_init},                                 \
        {OSSL_FUNC_SIGNATURE_VERIFY, (void (*)(void))hwc_sig_verify},          \
        {OSSL_FUNC_SIGNATURE_DIGEST_SIGN_INIT,                                 \
         (void (*)(void))hwc_sig_digest_sign_init},                            \
        {OSSL_FUNC_SIGNATURE_DIGEST_SIGN_UPDATE,                               \
         (void (*)(void))hwc_sig_digest_sign_update},                          \
        {OSSL_FUNC_SIGNATURE_DIGEST_SIGN_FINAL,                                \
         (void (*)(void))hwc_sig_digest_sign_final},                           \
        {OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_INIT,                               \
         (void (*)(void))hwc_sig_digest_verify_init},                          \
        {OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_UPDATE,                             \
         (void (*)(void))hwc_sig_digest_verify_update},                        \
        {OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_FINAL,                              \
         (void (*)(void))hwc_sig_digest_verify_final},                         \
        {OSSL_FUNC_SIGNATURE_GET_CTX_PARAMS,                                   \
         (void (*)(void))hwc_sig_get_ctx_params},                              \
        {OSSL_FUNC_SIGNATURE_GETTABLE_CTX_PARAMS,                              \
         (void (*)(void))hwc_sig_gettable_ctx_params},                         \
        {OSSL_FUNC_SIGNATURE_GET_CTX_MD_PARAMS,                                \
         (void (*)(void))hwc_sig_get_md_params},                               \
        {OSSL_FUNC_SIGNATURE_GETTABLE_CTX_MD_PARAMS,                           \
         (void (*)(void))hwc_sig_gettable_md},                                 \
        {OSSL_FUNC_SIGNATURE_SET_CTX_MD_PARAMS,                                \
         (void (*)(void))hwc_sig_set_md_params},                               \
    {                                                                          \
        OSSL_FUNC_SIGNATURE_SETTABLE_CTX_MD_PARAMS,                            \
            (void (*)(void))hwc_sig_settable_md                                \
    }

const OSSL_DISPATCH hwc_rsa_signature_functions[] = {
    HWC_SIG_COMMON,
    {OSSL_FUNC_SIGNATURE_VERIFY_RECOVER_INIT,
     (void (*)(void))hwc_sig_verify_recover_init},
    {OSSL_FUNC_SIGNATURE_VERIFY_RECOVER,
     (void (*)(void))hwc_sig_verify_recover},
    {OSSL_FUNC_SIGNATURE_SET_CTX_PARAMS,
     (void (*)(void))hwc_sig_set_ctx_params},
    {OSSL_FUNC_SIGNATURE_SETTABLE_CTX_PARAMS,
     (void (*)(void))hwc_rsa_sig_settable},
    {0, NULL}};

const OSSL_DISPATCH hwc_ecdsa_signature_functions[] = {
    HWC_SIG_COMMON,
    {OSSL_FUNC_SIGNATURE_SET_CTX_PARAMS,
     (void (*)(void))hwc_sig_set_ctx_params},
    {OSSL_FUNC_SIGNATURE_SETTABLE_CTX_PARAMS,
     (void (*)(void))hwc_ec_sig_settable},
    {0, NULL}};
