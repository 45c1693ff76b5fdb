/*
 * asym_cipher.c: RSA decryption with a KMS-held key. KMS decrypts
 * RSAES-OAEP with SHA-256 (MGF1 SHA-256, no label) and nothing else, so
 * every other padding (PKCS#1 v1.5 as in TLS 1.2 RSA key exchange, raw
 * RSA) is refused before any request. Encryption is public: it runs
 * locally on key->pub.
 *
 * Local keys (rkey.h: keys our keymgmt made, which never reach KMS) get
 * the other provider's RSA cipher: every call is forwarded (fwd.h).
 */
#include <string.h>

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rsa.h>

#include "ossl/fwd.h"
#include "core/hwc.h"
#include "ossl/provider.h"
#include "resolve/rkey.h"

static OSSL_FUNC_asym_cipher_newctx_fn hwc_ac_newctx;
static OSSL_FUNC_asym_cipher_freectx_fn hwc_ac_freectx;
static OSSL_FUNC_asym_cipher_dupctx_fn hwc_ac_dupctx;
static OSSL_FUNC_asym_cipher_encrypt_init_fn hwc_ac_encrypt_init;
static OSSL_FUNC_asym_cipher_encrypt_fn hwc_ac_encrypt;
static OSSL_FUNC_asym_cipher_decrypt_init_fn hwc_ac_decrypt_init;
static OSSL_FUNC_asym_cipher_decrypt_fn hwc_ac_decrypt;
static OSSL_FUNC_asym_cipher_get_ctx_params_fn hwc_ac_get_ctx_params;
static OSSL_FUNC_asym_cipher_gettable_ctx_params_fn hwc_ac_gettable;
static OSSL_FUNC_asym_cipher_set_ctx_params_fn hwc_ac_set_ctx_params;
static OSSL_FUNC_asym_cipher_settable_ctx_params_fn hwc_ac_settable;

#define HWC_KMS_OAEP "RSAES_OAEP_SHA_256"

typedef struct hwc_ac_ctx {
    hwc_provctx *prov;
    hwc_rkey *key;    /* a reference, or NULL before init */
    int pad;          /* RSA_*_PADDING */
    char oaep_md[32]; /* "" = OpenSSL's default (SHA-1) */
    char mgf1_md[32]; /* "" = same as oaep_md */
    unsigned char *label;
    size_t label_len;
    hwc_fwd fwd;   /* local keys: the other provider's cipher */
    void *fwd_ctx; /* and its context, or NULL */
} hwc_ac_ctx;

#define ACF(ctx, ID, T)                                                        \
    HWC_FWD_FN(&(ctx)->fwd, OSSL_FUNC_ASYM_CIPHER_##ID,                        \
               OSSL_FUNC_asym_cipher_##T##_fn)

/* For a local key, return what the other provider's function ID gives
 * (its context first, then the arguments). */
#define HWC_AC_FORWARD(ctx, ID, T, ...)                                        \
    do {                                                                       \
        if ((ctx)->fwd_ctx != NULL) {                                          \
            OSSL_FUNC_asym_cipher_##T##_fn *fwd_fn_ = ACF(ctx, ID, T);         \
                                                                               \
            return fwd_fn_ != NULL ? fwd_fn_((ctx)->fwd_ctx, __VA_ARGS__)      \
                                   : hwc_ac_missing();                         \
        }                                                                      \
    } while (0)

static int hwc_ac_missing(void)
{
    hwc_raise(HWC_R_UNSUPPORTED, "operation not supported for this key");
    return 0;
}

static const struct {
    const char *name;
    int pad;
} hwc_ac_pads[] = {
    {OSSL_PKEY_RSA_PAD_MODE_NONE, RSA_NO_PADDING},
    {OSSL_PKEY_RSA_PAD_MODE_PKCSV15, RSA_PKCS1_PADDING},
    {OSSL_PKEY_RSA_PAD_MODE_OAEP, RSA_PKCS1_OAEP_PADDING},
    {OSSL_PKEY_RSA_PAD_MODE_X931, RSA_X931_PADDING},
};

static OSSL_LIB_CTX *hwc_ac_libctx(const hwc_ac_ctx *ctx)
{
    return ctx->prov != NULL ? ctx->prov->libctx : NULL;
}

static void *hwc_ac_newctx(void *provctx)
{
    hwc_ac_ctx *ctx = OPENSSL_zalloc(sizeof(*ctx));

    if (ctx == NULL) {
        hwc_raise(HWC_R_MALLOC, "asym cipher context");
        return NULL;
    }
    ctx->prov = provctx;
    ctx->pad = RSA_PKCS1_PADDING;
    return ctx;
}

static void hwc_ac_fwd_drop(hwc_ac_ctx *ctx)
{
    OSSL_FUNC_asym_cipher_freectx_fn *fn = ACF(ctx, FREECTX, freectx);

    if (ctx->fwd_ctx != NULL && fn != NULL) {
        fn(ctx->fwd_ctx);
    }
    ctx->fwd_ctx = NULL;
    hwc_fwd_clear(&ctx->fwd);
}

static int hwc_ac_fwd_dup(hwc_ac_ctx *dst, const hwc_ac_ctx *src)
{
    OSSL_FUNC_asym_cipher_dupctx_fn *fn;

    if (src->fwd_ctx == NULL) {
        return 1;
    }
    if (!hwc_fwd_copy(&dst->fwd, &src->fwd) ||
        (fn = ACF(src, DUPCTX, dupctx)) == NULL) {
        return 0;
    }
    return (dst->fwd_ctx = fn(src->fwd_ctx)) != NULL;
}

/* A context of the other provider's cipher for a local key (provkey, else
 * the key kept): 1 when ready, 0 for a KMS key, -1 on error. */
static int hwc_ac_route(hwc_ac_ctx *ctx, void *provkey)
{
    hwc_rkey *key = provkey != NULL ? provkey : ctx->key;
    OSSL_FUNC_asym_cipher_newctx_fn *fn;
    const char *name;

    if (key == NULL || !hwc_rkey_is_local(key)) {
        hwc_ac_fwd_drop(ctx);
        return 0;
    }
    if (key != ctx->key) {
        hwc_rkey_free(ctx->key);
        ctx->key = hwc_rkey_up_ref(key);
    }
    if (ctx->fwd_ctx != NULL && ctx->fwd.provctx == key->fwd->f.provctx) {
        return 1;
    }
    hwc_ac_fwd_drop(ctx);
    name = hwc_kmfwd_op_name(key->fwd, OSSL_OP_ASYM_CIPHER);
    if (!hwc_fwd_find(key->fwd, OSSL_OP_ASYM_CIPHER, name, NULL, &ctx->fwd) ||
        (fn = ACF(ctx, NEWCTX, newctx)) == NULL ||
        (ctx->fwd_ctx = fn(ctx->fwd.provctx)) == NULL) {
        hwc_ac_fwd_drop(ctx);
        hwc_raise(HWC_R_UNSUPPORTED,
                  "no %s cipher beside hwcloud's for this key", name);
        return -1;
    }
    return 1;
}

/* Forwards encrypt_init or decrypt_init for a local key. */
static int hwc_ac_fwd_init(hwc_ac_ctx *ctx, int id, const OSSL_PARAM params[])
{
    OSSL_FUNC_asym_cipher_encrypt_init_fn *fn =
        HWC_FWD_FN(&ctx->fwd, id, OSSL_FUNC_asym_cipher_encrypt_init_fn);

    return fn != NULL ? fn(ctx->fwd_ctx, ctx->key->fwd_kd, params)
                      : hwc_ac_missing();
}

static void hwc_ac_freectx(void *vctx)
{
    hwc_ac_ctx *ctx = vctx;

    if (ctx == NULL) {
        return;
    }
    hwc_ac_fwd_drop(ctx);
    hwc_rkey_free(ctx->key);
    OPENSSL_clear_free(ctx->label, ctx->label_len);
    OPENSSL_clear_free(ctx, sizeof(*ctx));
}

static void *hwc_ac_dupctx(void *vctx)
{
    const hwc_ac_ctx *src = vctx;
    hwc_ac_ctx *dst = OPENSSL_memdup(src, sizeof(*src));

    if (dst == NULL) {
        hwc_raise(HWC_R_MALLOC, "asym cipher context");
        return NULL;
    }
    hwc_rkey_up_ref(dst->key);
    dst->fwd.fns = NULL;
    dst->fwd_ctx = NULL;
    if (src->label != NULL &&
        (dst->label = OPENSSL_memdup(src->label, src->label_len)) == NULL) {
        dst->label_len = 0;
        hwc_ac_freectx(dst);
        return NULL;
    }
    if (!hwc_ac_fwd_dup(dst, src)) {
        hwc_ac_freectx(dst);
        return NULL;
    }
    return dst;
}

static int hwc_ac_init(hwc_ac_ctx *ctx, void *provkey,
                       const OSSL_PARAM params[])
{
    hwc_rkey *key = provkey;

    if (key != NULL) {
        hwc_rkey_free(ctx->key);
        ctx->key = hwc_rkey_up_ref(key);
    }
    if (ctx->key == NULL || ctx->key->pub == NULL ||
        ctx->key->base_id != EVP_PKEY_RSA) {
        hwc_raise(HWC_R_INTERNAL, "no RSA key for the cipher");
        return 0;
    }
    ctx->pad = RSA_PKCS1_PADDING;
    ctx->oaep_md[0] = ctx->mgf1_md[0] = '\0';
    OPENSSL_clear_free(ctx->label, ctx->label_len);
    ctx->label = NULL;
    ctx->label_len = 0;
    return hwc_ac_set_ctx_params(ctx, params);
}

static int hwc_ac_encrypt_init(void *ctx, void *provkey,
                               const OSSL_PARAM params[])
{
    int r = hwc_ac_route(ctx, provkey);

    if (r != 0) {
        return r > 0 &&
               hwc_ac_fwd_init(ctx, OSSL_FUNC_ASYM_CIPHER_ENCRYPT_INIT, params);
    }
    return hwc_ac_init(ctx, provkey, params);
}

static int hwc_ac_decrypt_init(void *vctx, void *provkey,
                               const OSSL_PARAM params[])
{
    hwc_ac_ctx *ctx = vctx;
    int r = hwc_ac_route(ctx, provkey);

    if (r != 0) {
        return r > 0 &&
               hwc_ac_fwd_init(ctx, OSSL_FUNC_ASYM_CIPHER_DECRYPT_INIT, params);
    }
    if (!hwc_ac_init(ctx, provkey, params)) {
        return 0;
    }
    if (ctx->key->ops == NULL || ctx->key->ops->decrypt == NULL ||
        ctx->key->usage == HWC_USAGE_SIGN_VERIFY) {
        /* The usual way here is TLS 1.2 RSA key exchange: say the cure. */
        hwc_raise(HWC_R_UNSUPPORTED,
                  "%s is a SIGN_VERIFY key: KMS cannot decrypt with it "
                  "(TLS: RSA key exchange needs decryption; use ECDHE "
                  "cipher suites)",
                  ctx->key->uri);
        return 0;
    }
    return 1;
}

/*------------------------------------------------------- encryption */

/* The OSSL name of a padding mode, or NULL (e.g. TLS-style PKCS#1). */
static const char *hwc_ac_pad_name(int pad)
{
    size_t i;

    for (i = 0; i < HWC_NELEM(hwc_ac_pads); i++) {
        if (hwc_ac_pads[i].pad == pad) {
            return hwc_ac_pads[i].name;
        }
    }
    return NULL;
}

/* Params for a local context on pub that mirrors ours. */
static void hwc_ac_local_params(const hwc_ac_ctx *ctx, OSSL_PARAM *p)
{
    const char *pad = hwc_ac_pad_name(ctx->pad);

    if (pad != NULL) {
        *p++ = OSSL_PARAM_construct_utf8_string(OSSL_ASYM_CIPHER_PARAM_PAD_MODE,
                                                (char *)pad, 0);
    }
    if (ctx->pad == RSA_PKCS1_OAEP_PADDING && ctx->oaep_md[0] != '\0') {
        *p++ = OSSL_PARAM_construct_utf8_string(
            OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST, (char *)ctx->oaep_md, 0);
    }
    if (ctx->pad == RSA_PKCS1_OAEP_PADDING && ctx->mgf1_md[0] != '\0') {
        *p++ = OSSL_PARAM_construct_utf8_string(
            OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST, (char *)ctx->mgf1_md, 0);
    }
    if (ctx->pad == RSA_PKCS1_OAEP_PADDING && ctx->label != NULL) {
        *p++ = OSSL_PARAM_construct_octet_string(
            OSSL_ASYM_CIPHER_PARAM_OAEP_LABEL, ctx->label, ctx->label_len);
    }
    *p = OSSL_PARAM_construct_end();
}

static int hwc_ac_encrypt(void *vctx, unsigned char *out, size_t *outlen,
                          size_t outsize, const unsigned char *in, size_t inlen)
{
    hwc_ac_ctx *ctx = vctx;
    OSSL_PARAM params[5];
    EVP_PKEY_CTX *pctx;
    int ok;

    HWC_AC_FORWARD(ctx, ENCRYPT, encrypt, out, outlen, outsize, in, inlen);
    *outlen = outsize;
    hwc_ac_local_params(ctx, params);
    pctx = EVP_PKEY_CTX_new_from_pkey(hwc_ac_libctx(ctx), ctx->key->pub,
                                      HWC_INTERNAL_PROPQ);
    ok = pctx != NULL && EVP_PKEY_encrypt_init(pctx) > 0 &&
         EVP_PKEY_CTX_set_params(pctx, params) > 0 &&
         EVP_PKEY_encrypt(pctx, out, outlen, in, inlen) > 0;
    EVP_PKEY_CTX_free(pctx);
    return ok;
}

/*------------------------------------------------------- decryption */

static int hwc_ac_is_md(const hwc_ac_ctx *ctx, const char *name,
                        const char *want)
{
    EVP_MD *md;
    int ok;

    if (name == NULL || *name == '\0') {
        return 0;
    }
    md = EVP_MD_fetch(hwc_ac_libctx(ctx), name, HWC_INTERNAL_PROPQ);
    ok = md != NULL && EVP_MD_is_a(md, want);
    EVP_MD_free(md);
    return ok;
}

/* Only what KMS can do goes out; the rest is refused here. */
static int hwc_ac_check_kms(const hwc_ac_ctx *ctx, size_t inlen)
{
    const char *mgf1 = ctx->mgf1_md[0] != '\0' ? ctx->mgf1_md : ctx->oaep_md;

    if (ctx->pad == RSA_PKCS1_PADDING ||
        ctx->pad == RSA_PKCS1_WITH_TLS_PADDING) { /* TLS 1.2 RSA kx */
        hwc_raise(HWC_R_UNSUPPORTED,
                  "KMS cannot do PKCS#1 v1.5 decryption; use ECDHE cipher "
                  "suites");
        return 0;
    }
    if (ctx->pad != RSA_PKCS1_OAEP_PADDING) {
        hwc_raise(HWC_R_UNSUPPORTED,
                  "KMS decrypts RSAES-OAEP only (no raw or X9.31 RSA)");
        return 0;
    }
    if (!hwc_ac_is_md(ctx, ctx->oaep_md, "SHA256") ||
        !hwc_ac_is_md(ctx, mgf1, "SHA256") || ctx->label_len != 0) {
        hwc_raise(HWC_R_UNSUPPORTED,
                  "KMS decrypts RSAES-OAEP with SHA-256, MGF1 SHA-256 and no "
                  "label only (e.g. -pkeyopt rsa_oaep_md:sha256)");
        return 0;
    }
    if (inlen != (size_t)EVP_PKEY_get_size(ctx->key->pub)) {
        hwc_raise(HWC_R_UNSUPPORTED, "ciphertext is %zu bytes, the modulus %d",
                  inlen, EVP_PKEY_get_size(ctx->key->pub));
        return 0;
    }
    return 1;
}

static int hwc_ac_decrypt(void *vctx, unsigned char *out, size_t *outlen,
                          size_t outsize, const unsigned char *in, size_t inlen)
{
    hwc_ac_ctx *ctx = vctx;
    unsigned char *pt = NULL;
    size_t ptlen = 0;
    int ok = 0;

    HWC_AC_FORWARD(ctx, DECRYPT, decrypt, out, outlen, outsize, in, inlen);
    if (out == NULL) {
        *outlen = (size_t)EVP_PKEY_get_size(ctx->key->pub);
        return 1;
    }
    if (!hwc_ac_check_kms(ctx, inlen)) {
        return 0;
    }
    hwc_debug("decrypting with %s (%s)", ctx->key->uri, HWC_KMS_OAEP);
    if (!ctx->key->ops->decrypt(ctx->key->ops_arg, ctx->key->key_id,
                                HWC_KMS_OAEP, in, inlen, &pt, &ptlen)) {
        return 0; /* the KMS client raised the error */
    }
    if (ptlen > outsize) {
        hwc_raise(HWC_R_REMOTE_OP,
                  "KMS returned %zu bytes for a %zu-byte buffer", ptlen,
                  outsize);
    } else {
        memcpy(out, pt, ptlen);
        *outlen = ptlen;
        ok = 1;
    }
    OPENSSL_clear_free(pt, ptlen);
    return ok;
}

/*---------------------------------------------------------- params */

static int hwc_ac_set_pad(hwc_ac_ctx *ctx, const OSSL_PARAM *p)
{
    size_t i;

    if (p->data_type != OSSL_PARAM_UTF8_STRING) {
        return OSSL_PARAM_get_int(p, &ctx->pad);
    }
    for (i = 0; i < HWC_NELEM(hwc_ac_pads); i++) {
        if (strcmp(p->data, hwc_ac_pads[i].name) == 0) {
            ctx->pad = hwc_ac_pads[i].pad;
            return 1;
        }
    }
    hwc_raise(HWC_R_UNSUPPORTED, "RSA padding \"%s\"", (const char *)p->data);
    return 0;
}

static int hwc_ac_set_label(hwc_ac_ctx *ctx, const OSSL_PARAM *p)
{
    void *label = NULL;
    size_t len = 0;

    if (!OSSL_PARAM_get_octet_string(p, &label, 0, &len)) {
        return 0;
    }
    OPENSSL_clear_free(ctx->label, ctx->label_len);
    ctx->label = label;
    ctx->label_len = len;
    if (len == 0) { /* an empty label is no label */
        OPENSSL_free(label);
        ctx->label = NULL;
    }
    return 1;
}

static int hwc_ac_set_name(const OSSL_PARAM *p, char *buf, size_t n)
{
    return OSSL_PARAM_get_utf8_string(p, &buf, n);
}

static int hwc_ac_set_ctx_params(void *vctx, const OSSL_PARAM params[])
{
    hwc_ac_ctx *ctx = vctx;
    const OSSL_PARAM *p;

    HWC_AC_FORWARD(ctx, SET_CTX_PARAMS, set_ctx_params, params);
    if (params == NULL) {
        return 1;
    }
    p = OSSL_PARAM_locate_const(params, OSSL_ASYM_CIPHER_PARAM_PAD_MODE);
    if (p != NULL && !hwc_ac_set_pad(ctx, p)) {
        return 0;
    }
    p = OSSL_PARAM_locate_const(params, OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST);
    if (p != NULL && !hwc_ac_set_name(p, ctx->oaep_md, sizeof(ctx->oaep_md))) {
        return 0;
    }
    p = OSSL_PARAM_locate_const(params, OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST);
    if (p != NULL && !hwc_ac_set_name(p, ctx->mgf1_md, sizeof(ctx->mgf1_md))) {
        return 0;
    }
    p = OSSL_PARAM_locate_const(params, OSSL_ASYM_CIPHER_PARAM_OAEP_LABEL);
    return p == NULL || hwc_ac_set_label(ctx, p);
}

static int hwc_ac_get_ctx_params(void *vctx, OSSL_PARAM params[])
{
    hwc_ac_ctx *ctx = vctx;
    OSSL_PARAM *p;

    HWC_AC_FORWARD(ctx, GET_CTX_PARAMS, get_ctx_params, params);
    p = OSSL_PARAM_locate(params, OSSL_ASYM_CIPHER_PARAM_PAD_MODE);
    if (p != NULL && p->data_type == OSSL_PARAM_INTEGER &&
        !OSSL_PARAM_set_int(p, ctx->pad)) {
        return 0;
    }
    if (p != NULL && p->data_type == OSSL_PARAM_UTF8_STRING &&
        (hwc_ac_pad_name(ctx->pad) == NULL ||
         !OSSL_PARAM_set_utf8_string(p, hwc_ac_pad_name(ctx->pad)))) {
        return 0;
    }
    p = OSSL_PARAM_locate(params, OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST);
    if (p != NULL && !OSSL_PARAM_set_utf8_string(
                         p, ctx->oaep_md[0] ? ctx->oaep_md : "SHA1")) {
        return 0;
    }
    p = OSSL_PARAM_locate(params, OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST);
    if (p != NULL &&
        !OSSL_PARAM_set_utf8_string(
            p, ctx->mgf1_md[0] ? ctx->mgf1_md
                               : (ctx->oaep_md[0] ? ctx->oaep_md : "SHA1"))) {
        return 0;
    }
    p = OSSL_PARAM_locate(params, OSSL_ASYM_CIPHER_PARAM_OAEP_LABEL);
    return p == NULL || OSSL_PARAM_set_octet_ptr(p, ctx->label, ctx->label_len);
}

static const OSSL_PARAM hwc_ac_gettable_list[] = {
    OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_PAD_MODE, NULL, 0),
    OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST, NULL, 0),
    OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST, NULL, 0),
    OSSL_PARAM_octet_ptr(OSSL_ASYM_CIPHER_PARAM_OAEP_LABEL, NULL, 0),
    OSSL_PARAM_END};

/* The TLS version params are accepted (and unused): decryption for TLS
 * 1.2 RSA key exchange is refused at decrypt time with a clear error.
 * Digests are names of KMS algorithms here, never fetched: no digest
 * properties. */
static const OSSL_PARAM hwc_ac_settable_list[] = {
    OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_PAD_MODE, NULL, 0),
    OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST, NULL, 0),
    OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST, NULL, 0),
    OSSL_PARAM_octet_string(OSSL_ASYM_CIPHER_PARAM_OAEP_LABEL, NULL, 0),
    OSSL_PARAM_uint(OSSL_ASYM_CIPHER_PARAM_TLS_CLIENT_VERSION, NULL),
    OSSL_PARAM_uint(OSSL_ASYM_CIPHER_PARAM_TLS_NEGOTIATED_VERSION, NULL),
    OSSL_PARAM_END};

/* For a local key's context, the other provider's table (function id). */
static const OSSL_PARAM *hwc_ac_table(void *vctx, int id,
                                      const OSSL_PARAM *ours)
{
    hwc_ac_ctx *ctx = vctx;
    OSSL_FUNC_asym_cipher_gettable_ctx_params_fn *fn;

    if (ctx == NULL || ctx->fwd_ctx == NULL) {
        return ours;
    }
    fn =
        HWC_FWD_FN(&ctx->fwd, id, OSSL_FUNC_asym_cipher_gettable_ctx_params_fn);
    return fn != NULL ? fn(ctx->fwd_ctx, ctx->fwd.provctx) : NULL;
}

static const OSSL_PARAM *hwc_ac_gettable(void *vctx, void *provctx)
{
    (void)provctx;
    return hwc_ac_table(vctx, OSSL_FUNC_ASYM_CIPHER_GETTABLE_CTX_PARAMS,
                        hwc_ac_gettable_list);
}

static const OSSL_PARAM *hwc_ac_settable(void *vctx, void *provctx)
{
    (void)provctx;
    return hwc_ac_table(vctx, OSSL_FUNC_ASYM_CIPHER_SETTABLE_CTX_PARAMS,
                        hwc_ac_settable_list);
}

const OSSL_DISPATCH hwc_rsa_asym_cipher_functions[] = {
    {OSSL_FUNC_ASYM_CIPHER_NEWCTX, (void (*)(void))hwc_ac_newctx},
    {OSSL_FUNC_ASYM_CIPHER_FREECTX, (void (*)(void))hwc_ac_freectx},
    {OSSL_FUNC_ASYM_CIPHER_DUPCTX, (void (*)(void))hwc_ac_dupctx},
    {OSSL_FUNC_ASYM_CIPHER_ENCRYPT_INIT, (void (*)(void))hwc_ac_encrypt_init},
    {OSSL_FUNC_ASYM_CIPHER_ENCRYPT, (void (*)(void))hwc_ac_encrypt},
    {OSSL_FUNC_ASYM_CIPHER_DECRYPT_INIT, (void (*)(void))hwc_ac_decrypt_init},
    {OSSL_FUNC_ASYM_CIPHER_DECRYPT, (void (*)(void))hwc_ac_decrypt},
    {OSSL_FUNC_ASYM_CIPHER_GET_CTX_PARAMS,
     (void (*)(void))hwc_ac_get_ctx_params},
    {OSSL_FUNC_ASYM_CIPHER_GETTABLE_CTX_PARAMS,
     (void (*)(void))hwc_ac_gettable},
    {OSSL_FUNC_ASYM_CIPHER_SET_CTX_PARAMS,
     (void (*)(void))hwc_ac_set_ctx_params},
    {OSSL_FUNC_ASYM_CIPHER_SETTABLE_CTX_PARAMS,
     (void (*)(void))hwc_ac_settable},
    {0, NULL}};
