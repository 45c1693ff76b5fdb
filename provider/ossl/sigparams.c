/*
 * sigparams.c: the parameters of the signature operations (signature.c):
 * what is asked of a context (the AlgorithmIdentifier, digest, RSA
 * padding, PSS salt length, MGF1 digest) and what may be set on it. For a
 * local key, every call goes to the other provider's signature.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/rsa.h>

#include "core/hwc.h"
#include "ossl/signature.h"

/* The AlgorithmIdentifier of what we produce, as the default provider
 * writes it for the same settings (X.509 and CSR signing need it). */
static int hwc_sig_get_aid(const hwc_sig_ctx *ctx, OSSL_PARAM *p)
{
    unsigned char aid[256];
    OSSL_PARAM q[2];
    EVP_PKEY_CTX *pctx;
    int ok;

    if (ctx->key == NULL || ctx->md == NULL) {
        return 1; /* nothing to say yet: return_size stays 0 */
    }
    if ((pctx = hwc_sig_local_ctx(
             ctx, ctx->signing ? HWC_LOCAL_KMS : HWC_LOCAL_CALLER)) == NULL) {
        return 0;
    }
    q[0] = OSSL_PARAM_construct_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID,
                                             aid, sizeof(aid));
    q[1] = OSSL_PARAM_construct_end();
    ok = EVP_PKEY_CTX_get_params(pctx, q) > 0 && OSSL_PARAM_modified(q) &&
         OSSL_PARAM_set_octet_string(p, aid, q[0].return_size);
    EVP_PKEY_CTX_free(pctx);
    return ok;
}

static int hwc_sig_get_pad(const hwc_sig_ctx *ctx, OSSL_PARAM *p)
{
    if (p->data_type == OSSL_PARAM_INTEGER) {
        return OSSL_PARAM_set_int(p, ctx->pad);
    }
    return OSSL_PARAM_set_utf8_string(p, ctx->pad == RSA_PKCS1_PSS_PADDING
                                             ? OSSL_PKEY_RSA_PAD_MODE_PSS
                                             : OSSL_PKEY_RSA_PAD_MODE_PKCSV15);
}

static int hwc_sig_get_salt(const hwc_sig_ctx *ctx, OSSL_PARAM *p)
{
    int v =
        ctx->saltlen == HWC_SALT_UNSET ? RSA_PSS_SALTLEN_DIGEST : ctx->saltlen;
    char buf[16];

    if (p->data_type == OSSL_PARAM_INTEGER) {
        return OSSL_PARAM_set_int(p, v);
    }
    if (v == RSA_PSS_SALTLEN_DIGEST) {
        return OSSL_PARAM_set_utf8_string(p, OSSL_PKEY_RSA_PSS_SALT_LEN_DIGEST);
    }
    snprintf(buf, sizeof(buf), "%d", v);
    return OSSL_PARAM_set_utf8_string(p, buf);
}

int hwc_sig_get_ctx_params(void *vctx, OSSL_PARAM params[])
{
    hwc_sig_ctx *ctx = vctx;
    OSSL_PARAM *p;

    HWC_SIG_FORWARD(ctx, GET_CTX_PARAMS, get_ctx_params, params);
    p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_ALGORITHM_ID);
    if (p != NULL && !hwc_sig_get_aid(ctx, p)) {
        return 0;
    }
    p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_DIGEST);
    if (p != NULL && ctx->md != NULL &&
        !OSSL_PARAM_set_utf8_string(p, EVP_MD_get0_name(ctx->md))) {
        return 0;
    }
    if (!hwc_sig_is_rsa(ctx)) {
        return 1;
    }
    p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_PAD_MODE);
    if (p != NULL && !hwc_sig_get_pad(ctx, p)) {
        return 0;
    }
    p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_PSS_SALTLEN);
    if (p != NULL && !hwc_sig_get_salt(ctx, p)) {
        return 0;
    }
    p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_MGF1_DIGEST);
    if (p != NULL &&
        !OSSL_PARAM_set_utf8_string(
            p, ctx->mgf1[0] != '\0'
                   ? ctx->mgf1
                   : (ctx->md != NULL ? EVP_MD_get0_name(ctx->md) : ""))) {
        return 0;
    }
    return 1;
}

static const OSSL_PARAM hwc_sig_gettable[] = {
    OSSL_PARAM_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID, NULL, 0),
    OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, NULL, 0),
    OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PAD_MODE, NULL, 0),
    OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PSS_SALTLEN, NULL, 0),
    OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_MGF1_DIGEST, NULL, 0),
    OSSL_PARAM_END};

/* A table of the other provider's signature (function id: one of the
 * gettable/settable ctx (md) params) for a local key's context, or NULL
 * (*fwd set to 0) for ours. */
static const OSSL_PARAM *hwc_sig_fwd_table(void *vctx, int id, int *fwd)
{
    hwc_sig_ctx *ctx = vctx;
    OSSL_FUNC_signature_gettable_ctx_params_fn *fn;

    *fwd = ctx != NULL && ctx->fwd_ctx != NULL;
    if (!*fwd) {
        return NULL;
    }
    fn = HWC_FWD_FN(&ctx->fwd, id, OSSL_FUNC_signature_gettable_ctx_params_fn);
    return fn != NULL ? fn(ctx->fwd_ctx, ctx->fwd.provctx) : NULL;
}

const OSSL_PARAM *hwc_sig_gettable_ctx_params(void *vctx, void *provctx)
{
    int fwd;
    const OSSL_PARAM *t =
        hwc_sig_fwd_table(vctx, OSSL_FUNC_SIGNATURE_GETTABLE_CTX_PARAMS, &fwd);

    (void)provctx;
    return fwd ? t : hwc_sig_gettable;
}

/* The digest's own parameters during digest-sign/verify (EVP_MD_CTX
 * get/set params), as the default provider passes them to its digest. */
int hwc_sig_get_md_params(void *vctx, OSSL_PARAM params[])
{
    hwc_sig_ctx *ctx = vctx;

    HWC_SIG_FORWARD(ctx, GET_CTX_MD_PARAMS, get_ctx_md_params, params);
    return ctx->mdctx != NULL && EVP_MD_CTX_get_params(ctx->mdctx, params);
}

int hwc_sig_set_md_params(void *vctx, const OSSL_PARAM params[])
{
    hwc_sig_ctx *ctx = vctx;

    HWC_SIG_FORWARD(ctx, SET_CTX_MD_PARAMS, set_ctx_md_params, params);
    return ctx->mdctx != NULL && EVP_MD_CTX_set_params(ctx->mdctx, params);
}

const OSSL_PARAM *hwc_sig_gettable_md(void *vctx)
{
    hwc_sig_ctx *ctx = vctx;
    OSSL_FUNC_signature_gettable_ctx_md_params_fn *fn;

    if (ctx->fwd_ctx != NULL) {
        fn = SIGF(ctx, GETTABLE_CTX_MD_PARAMS, gettable_ctx_md_params);
        return fn != NULL ? fn(ctx->fwd_ctx) : NULL;
    }
    return ctx->md != NULL ? EVP_MD_gettable_ctx_params(ctx->md) : NULL;
}

const OSSL_PARAM *hwc_sig_settable_md(void *vctx)
{
    hwc_sig_ctx *ctx = vctx;
    OSSL_FUNC_signature_settable_ctx_md_params_fn *fn;

    if (ctx->fwd_ctx != NULL) {
        fn = SIGF(ctx, SETTABLE_CTX_MD_PARAMS, settable_ctx_md_params);
        return fn != NULL ? fn(ctx->fwd_ctx) : NULL;
    }
    return ctx->md != NULL ? EVP_MD_settable_ctx_params(ctx->md) : NULL;
}

/* "pkcs1"/"pss" or RSA_PKCS1_PADDING/RSA_PKCS1_PSS_PADDING. */
static int hwc_sig_set_pad(hwc_sig_ctx *ctx, const OSSL_PARAM *p)
{
    int pad = 0;

    if (p->data_type == OSSL_PARAM_UTF8_STRING) {
        if (strcmp(p->data, OSSL_PKEY_RSA_PAD_MODE_PKCSV15) == 0) {
            pad = RSA_PKCS1_PADDING;
        } else if (strcmp(p->data, OSSL_PKEY_RSA_PAD_MODE_PSS) == 0) {
            pad = RSA_PKCS1_PSS_PADDING;
        }
    } else if (!OSSL_PARAM_get_int(p, &pad)) {
        pad = 0;
    }
    if (pad != RSA_PKCS1_PADDING && pad != RSA_PKCS1_PSS_PADDING) {
        hwc_raise(HWC_R_UNSUPPORTED,
                  "RSA padding: KMS signs with PKCS#1 v1.5 or PSS only");
        return 0;
    }
    ctx->pad = pad;
    return 1;
}

/* -1/"digest", a length, or "auto"/"max" (checked when signing). */
static int hwc_sig_set_salt(hwc_sig_ctx *ctx, const OSSL_PARAM *p)
{
    static const struct {
        const char *name;
        int v;
    } names[] = {{OSSL_PKEY_RSA_PSS_SALT_LEN_DIGEST, RSA_PSS_SALTLEN_DIGEST},
                 {OSSL_PKEY_RSA_PSS_SALT_LEN_AUTO, RSA_PSS_SALTLEN_AUTO},
                 {OSSL_PKEY_RSA_PSS_SALT_LEN_MAX, RSA_PSS_SALTLEN_MAX},
                 {"auto-digestmax", -4}};
    const char *s = p->data;
    char *end;
    size_t i;
    long v;

    if (p->data_type != OSSL_PARAM_UTF8_STRING) {
        return OSSL_PARAM_get_int(p, &ctx->saltlen);
    }
    for (i = 0; i < HWC_NELEM(names); i++) {
        if (strcmp(s, names[i].name) == 0) {
            ctx->saltlen = names[i].v;
            return 1;
        }
    }
    v = strtol(s, &end, 10); /* "-1" is how -sigopt spells "digest" */
    if (*s == '\0' || *end != '\0' || v < -4 || v > 1024) {
        hwc_raise(HWC_R_UNSUPPORTED, "PSS salt length \"%s\"", s);
        return 0;
    }
    ctx->saltlen = (int)v;
    return 1;
}

static int hwc_sig_set_mgf1(hwc_sig_ctx *ctx, const OSSL_PARAM *p)
{
    char *name = ctx->mgf1;

    if (!OSSL_PARAM_get_utf8_string(p, &name, sizeof(ctx->mgf1))) {
        hwc_raise(HWC_R_UNSUPPORTED, "MGF1 digest name");
        return 0;
    }
    return 1;
}

int hwc_sig_set_ctx_params(void *vctx, const OSSL_PARAM params[])
{
    hwc_sig_ctx *ctx = vctx;
    const OSSL_PARAM *p;

    HWC_SIG_FORWARD(ctx, SET_CTX_PARAMS, set_ctx_params, params);
    if (params == NULL) {
        return 1;
    }
    p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_DIGEST);
    if (p != NULL && (p->data_type != OSSL_PARAM_UTF8_STRING ||
                      !hwc_sig_set_md(ctx, p->data))) {
        return 0;
    }
    if (!hwc_sig_is_rsa(ctx)) {
        p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_DIST_ID);
        return p == NULL || hwc_sig_set_distid(ctx, p);
    }
    p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_PAD_MODE);
    if (p != NULL && !hwc_sig_set_pad(ctx, p)) {
        return 0;
    }
    p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_PSS_SALTLEN);
    if (p != NULL && !hwc_sig_set_salt(ctx, p)) {
        return 0;
    }
    p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_MGF1_DIGEST);
    return p == NULL || hwc_sig_set_mgf1(ctx, p);
}

/* What hwc_sig_set_ctx_params applies, and nothing else: digests are
 * always fetched away from hwcloud (HWC_INTERNAL_PROPQ), so no digest
 * properties are offered. */
static const OSSL_PARAM hwc_rsa_sig_settable_list[] = {
    OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, NULL, 0),
    OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PAD_MODE, NULL, 0),
    OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PSS_SALTLEN, NULL, 0),
    OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_MGF1_DIGEST, NULL, 0),
    OSSL_PARAM_END};

static const OSSL_PARAM hwc_ec_sig_settable_list[] = {
    OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, NULL, 0),
    OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_DIST_ID, NULL, 0), OSSL_PARAM_END};

const OSSL_PARAM *hwc_rsa_sig_settable(void *vctx, void *provctx)
{
    int fwd;
    const OSSL_PARAM *t =
        hwc_sig_fwd_table(vctx, OSSL_FUNC_SIGNATURE_SETTABLE_CTX_PARAMS, &fwd);

    (void)provctx;
    return fwd ? t : hwc_rsa_sig_settable_list;
}

const OSSL_PARAM *hwc_ec_sig_settable(void *vctx, void *provctx)
{
    int fwd;
    const OSSL_PARAM *t =
        hwc_sig_fwd_table(vctx, OSSL_FUNC_SIGNATURE_SETTABLE_CTX_PARAMS, &fwd);

    (void)provctx;
    return fwd ? t : hwc_ec_sig_settable_list;
}
