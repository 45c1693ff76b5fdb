/*
 * encoder.c: encoders for the keys of our keymgmt. For KMS keys: text
 * shows the public half the way `openssl pkey -text` does, then where the
 * private half lives; PEM writes the PEM-wrapped URI (HWCLOUD PROVIDER
 * URI) in place of private key material, so the file can be given back to
 * applications that only read PEM keys; DER has no such form and is
 * refused.
 *
 * libcrypto tries the encoders of the key's own provider first, so ours
 * also get the local keys (rkey.h): each of our encoders forwards them to
 * the other provider's encoder for the same key type, output and structure
 * (fwd.h), with the same parameters (cipher) and passphrase callback, and
 * the output is byte for byte that provider's.
 */
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "formats/uriwrap.h"
#include "ossl/fwd.h"
#include "core/hwc.h"
#include "ossl/provider.h"
#include "resolve/rkey.h"

enum hwc_enc_form { HWC_ENC_TEXT, HWC_ENC_PEM, HWC_ENC_DER };

/* One of our encoders: the key type, what it writes for KMS keys, and the
 * properties of the other provider's encoder for local keys. */
typedef struct hwc_enc_kind {
    const char *type;
    enum hwc_enc_form form;
    const char *props; /* ours, and what to look for ("structure=": none) */
} hwc_enc_kind;

typedef struct hwc_enc_ctx {
    hwc_provctx *prov;
    const hwc_enc_kind *kind;
    hwc_fwd fwd;   /* the other provider's encoder, when found */
    void *fwd_ctx; /* and its context */
} hwc_enc_ctx;

#define ENCF(ctx, ID, T)                                                       \
    HWC_FWD_FN(&(ctx)->fwd, OSSL_FUNC_ENCODER_##ID, OSSL_FUNC_encoder_##T##_fn)

/* The other provider's encoder is looked up here, for local keys; a KMS
 * key does without it, so failures are only remembered (no fwd_ctx). */
static void hwc_enc_find_fwd(hwc_enc_ctx *ctx)
{
    hwc_kmfwd *f;
    OSSL_FUNC_encoder_newctx_fn *fn;

    ERR_set_mark();
    f = hwc_kmfwd_get(ctx->prov != NULL ? ctx->prov->libctx : NULL,
                      ctx->kind->type);
    ERR_pop_to_mark();
    if (f != NULL &&
        hwc_fwd_find(f, OSSL_OP_ENCODER, ctx->kind->type, ctx->kind->props,
                     &ctx->fwd) &&
        (fn = ENCF(ctx, NEWCTX, newctx)) != NULL) {
        ctx->fwd_ctx = fn(ctx->fwd.provctx);
    }
    hwc_kmfwd_free(f);
}

static void *hwc_enc_newctx(void *provctx, const hwc_enc_kind *kind)
{
    hwc_enc_ctx *ctx = OPENSSL_zalloc(sizeof(*ctx));

    if (ctx == NULL) {
        hwc_raise(HWC_R_MALLOC, "encoder context");
        return NULL;
    }
    ctx->prov = provctx;
    ctx->kind = kind;
    hwc_enc_find_fwd(ctx);
    return ctx;
}

static void hwc_enc_freectx(void *vctx)
{
    hwc_enc_ctx *ctx = vctx;
    OSSL_FUNC_encoder_freectx_fn *fn;

    if (ctx == NULL) {
        return;
    }
    if (ctx->fwd_ctx != NULL && (fn = ENCF(ctx, FREECTX, freectx)) != NULL) {
        fn(ctx->fwd_ctx);
    }
    hwc_fwd_clear(&ctx->fwd);
    OPENSSL_free(ctx);
}

/* The cipher and save-parameters settings matter to local keys only. */
static int hwc_enc_set_ctx_params(void *vctx, const OSSL_PARAM params[])
{
    hwc_enc_ctx *ctx = vctx;
    OSSL_FUNC_encoder_set_ctx_params_fn *fn;

    if (ctx->fwd_ctx == NULL ||
        (fn = ENCF(ctx, SET_CTX_PARAMS, set_ctx_params)) == NULL) {
        return 1;
    }
    return fn(ctx->fwd_ctx, params);
}

static int hwc_enc_text_does_selection(void *provctx, int selection)
{
    (void)provctx;
    return (selection & OSSL_KEYMGMT_SELECT_KEYPAIR) != 0;
}

/* PEM/DER stand in for private keys only: public keys and parameters
 * are left to the default provider (we export those). */
static int hwc_enc_priv_does_selection(void *provctx, int selection)
{
    (void)provctx;
    return (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0;
}

static BIO *hwc_enc_bio(const hwc_provctx *prov, OSSL_CORE_BIO *cout)
{
    BIO *out = BIO_new_from_core_bio(prov != NULL ? prov->libctx : NULL, cout);

    if (out == NULL) {
        hwc_raise(HWC_R_INTERNAL, "cannot write to the output BIO");
    }
    return out;
}

static int hwc_enc_text(const hwc_enc_ctx *ctx, OSSL_CORE_BIO *cout,
                        const hwc_rkey *key, int selection)
{
    BIO *out = hwc_enc_bio(ctx->prov, cout);
    int ok;

    if (out == NULL) {
        return 0;
    }
    ok = EVP_PKEY_print_public(out, key->pub, 0, NULL) > 0;
    if (ok && (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0) {
        ok = BIO_printf(out, "Private key: held in Huawei Cloud KMS (%s)\n",
                        key->uri) > 0;
    }
    BIO_free(out);
    return ok;
}

static int hwc_enc_pem(const hwc_enc_ctx *ctx, OSSL_CORE_BIO *cout,
                       const hwc_rkey *key, int selection)
{
    char *pem;
    BIO *out;
    int ok;

    if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) == 0 ||
        (pem = hwc_uri_wrap_pem(key->uri)) == NULL) {
        return 0;
    }
    if ((out = hwc_enc_bio(ctx->prov, cout)) == NULL) {
        OPENSSL_free(pem);
        return 0;
    }
    ok = BIO_write(out, pem, (int)strlen(pem)) == (int)strlen(pem);
    BIO_free(out);
    OPENSSL_free(pem);
    return ok;
}

/* A local key goes, with everything the caller gave, to the other
 * provider's encoder (made for the provider of the key's own data). */
static int hwc_enc_forward(const hwc_enc_ctx *ctx, OSSL_CORE_BIO *cout,
                           const hwc_rkey *key, const OSSL_PARAM abstract[],
                           int selection, OSSL_PASSPHRASE_CALLBACK *cb,
                           void *cbarg)
{
    OSSL_FUNC_encoder_encode_fn *fn = ENCF(ctx, ENCODE, encode);

    if (ctx->fwd_ctx == NULL || fn == NULL ||
        ctx->fwd.provctx != key->fwd->f.provctx) {
        hwc_raise(HWC_R_UNSUPPORTED,
                  "no %s encoder (%s) beside hwcloud's for this key",
                  ctx->kind->type, ctx->kind->props);
        return 0;
    }
    return fn(ctx->fwd_ctx, cout, key->fwd_kd, abstract, selection, cb, cbarg);
}

static int hwc_enc_encode(void *vctx, OSSL_CORE_BIO *cout, const void *obj_raw,
                          const OSSL_PARAM obj_abstract[], int selection,
                          OSSL_PASSPHRASE_CALLBACK *cb, void *cbarg)
{
    hwc_enc_ctx *ctx = vctx;
    const hwc_rkey *key = obj_raw;

    if (key != NULL && hwc_rkey_is_local(key)) {
        return hwc_enc_forward(ctx, cout, key, obj_abstract, selection, cb,
                               cbarg);
    }
    if (key == NULL || key->pub == NULL) {
        hwc_raise(HWC_R_UNSUPPORTED, "no KMS key to encode");
        return 0;
    }
    switch (ctx->kind->form) {
    case HWC_ENC_TEXT:
        return hwc_enc_text(ctx, cout, key, selection);
    case HWC_ENC_PEM:
        return hwc_enc_pem(ctx, cout, key, selection);
    default:
        hwc_raise(HWC_R_UNSUPPORTED,
                  "a KMS key has no DER form; use PEM (" HWC_URI_PEM_LABEL ")");
        return 0;
    }
}

/*------------------------------------------------- the algorithm table */

#define HWC_TEXT "output=text,structure="
#define HWC_PEM_PKI "output=pem,structure=PrivateKeyInfo"
#define HWC_PEM_TS "output=pem,structure=type-specific"
#define HWC_DER_PKI "output=der,structure=PrivateKeyInfo"
#define HWC_DER_TS "output=der,structure=type-specific"

/* One kind: its descriptor, newctx and dispatch table. */
#define HWC_ENC_KIND(id, type, form, props, does_selection)                    \
    static const hwc_enc_kind hwc_enc_kind_##id = {type, form, props};         \
    static void *hwc_enc_new_##id(void *provctx)                               \
    {                                                                          \
        return hwc_enc_newctx(provctx, &hwc_enc_kind_##id);                    \
    }                                                                          \
    static const OSSL_DISPATCH hwc_enc_fns_##id[] = {                          \
        {OSSL_FUNC_ENCODER_NEWCTX, (void (*)(void))hwc_enc_new_##id},          \
        {OSSL_FUNC_ENCODER_FREECTX, (void (*)(void))hwc_enc_freectx},          \
        {OSSL_FUNC_ENCODER_SET_CTX_PARAMS,                                     \
         (void (*)(void))hwc_enc_set_ctx_params},                              \
        {OSSL_FUNC_ENCODER_DOES_SELECTION, (void (*)(void))does_selection},    \
        {OSSL_FUNC_ENCODER_ENCODE, (void (*)(void))hwc_enc_encode},            \
        {0, NULL}};

#define HWC_ENC_KINDS(t, TYPE)                                                 \
    HWC_ENC_KIND(t##_text, TYPE, HWC_ENC_TEXT, HWC_TEXT,                       \
                 hwc_enc_text_does_selection)                                  \
    HWC_ENC_KIND(t##_pem_pki, TYPE, HWC_ENC_PEM, HWC_PEM_PKI,                  \
                 hwc_enc_priv_does_selection)                                  \
    HWC_ENC_KIND(t##_pem_ts, TYPE, HWC_ENC_PEM, HWC_PEM_TS,                    \
                 hwc_enc_priv_does_selection)                                  \
    HWC_ENC_KIND(t##_der_pki, TYPE, HWC_ENC_DER, HWC_DER_PKI,                  \
                 hwc_enc_priv_does_selection)                                  \
    HWC_ENC_KIND(t##_der_ts, TYPE, HWC_ENC_DER, HWC_DER_TS,                    \
                 hwc_enc_priv_does_selection)

HWC_ENC_KINDS(rsa, "RSA")
HWC_ENC_KINDS(ec, "EC")
HWC_ENC_KINDS(sm2, "SM2")

#define HWC_RSA_NAMES "RSA:rsaEncryption:1.2.840.113549.1.1.1"
#define HWC_EC_NAMES "EC:id-ecPublicKey:1.2.840.10045.2.1"
#define HWC_SM2_NAMES "SM2:1.2.156.10197.1.301"
#define HWC_ENC_ALG(names, props, id)                                          \
    {                                                                          \
        names, HWC_PROPS "," props, hwc_enc_fns_##id,                          \
            "Huawei Cloud KMS key encoder"                                     \
    }

static const OSSL_ALGORITHM hwc_encoder_algs[] = {
    HWC_ENC_ALG(HWC_RSA_NAMES, "output=text", rsa_text),
    HWC_ENC_ALG(HWC_EC_NAMES, "output=text", ec_text),
    HWC_ENC_ALG(HWC_RSA_NAMES, HWC_PEM_PKI, rsa_pem_pki),
    HWC_ENC_ALG(HWC_EC_NAMES, HWC_PEM_PKI, ec_pem_pki),
    HWC_ENC_ALG(HWC_RSA_NAMES, HWC_PEM_TS, rsa_pem_ts),
    HWC_ENC_ALG(HWC_EC_NAMES, HWC_PEM_TS, ec_pem_ts),
    HWC_ENC_ALG(HWC_RSA_NAMES, HWC_DER_PKI, rsa_der_pki),
    HWC_ENC_ALG(HWC_EC_NAMES, HWC_DER_PKI, ec_der_pki),
    HWC_ENC_ALG(HWC_RSA_NAMES, HWC_DER_TS, rsa_der_ts),
    HWC_ENC_ALG(HWC_EC_NAMES, HWC_DER_TS, ec_der_ts),
    HWC_ENC_ALG(HWC_SM2_NAMES, "output=text", sm2_text),
    HWC_ENC_ALG(HWC_SM2_NAMES, HWC_PEM_PKI, sm2_pem_pki),
    HWC_ENC_ALG(HWC_SM2_NAMES, HWC_PEM_TS, sm2_pem_ts),
    HWC_ENC_ALG(HWC_SM2_NAMES, HWC_DER_PKI, sm2_der_pki),
    HWC_ENC_ALG(HWC_SM2_NAMES, HWC_DER_TS, sm2_der_ts),
    {NULL, NULL, NULL, NULL}};

const OSSL_ALGORITHM *hwc_encoder_algorithms(void)
{
    return hwc_encoder_algs;
}
