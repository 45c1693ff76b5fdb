/*
 * sigdigest.c: digest-sign and digest-verify of the signature operations
 * (signature.c): the message is hashed here, the digest signed in KMS or
 * verified locally; for SM2 the hash starts with Z, computed from the
 * distinguishing id and the public key (GB/T 32918.2).
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "core/hwc.h"
#include "ossl/signature.h"

/* The distinguishing id KMS's SM2DSA_SM3 and OpenSSL's SM2 verification
 * assume when none is set (GB/T 32918.2's example id). */
static const unsigned char hwc_sm2_default_id[] = "1234567812345678";

/* Appends a field element (or coordinate) of bytes bytes, big-endian. */
static int hwc_sig_put_bn(const BIGNUM *bn, unsigned char **p, int bytes)
{
    if (bn == NULL || BN_bn2binpad(bn, *p, bytes) != bytes) {
        return 0;
    }
    *p += bytes;
    return 1;
}

/* ENTL || ID || a || b || xG || yG (SM2 curve) || xA || yA into buf. */
static int hwc_sig_sm2_z_input(const hwc_sig_ctx *ctx, unsigned char *buf,
                               size_t *len)
{
    const size_t idlen = sizeof(hwc_sm2_default_id) - 1;
    EC_GROUP *g =
        EC_GROUP_new_by_curve_name_ex(hwc_sig_libctx(ctx), NULL, NID_sm2);
    BIGNUM *a = BN_new(), *b = BN_new(), *x = BN_new(), *y = BN_new();
    BIGNUM *qx = NULL, *qy = NULL;
    unsigned char *p = buf;
    int ok;

    *p++ = (unsigned char)((idlen * 8) >> 8);
    *p++ = (unsigned char)(idlen * 8);
    memcpy(p, hwc_sm2_default_id, idlen);
    p += idlen;
    ok = g != NULL && a != NULL && b != NULL && x != NULL && y != NULL &&
         EC_GROUP_get_curve(g, NULL, a, b, NULL) &&
         EC_POINT_get_affine_coordinates(g, EC_GROUP_get0_generator(g), x, y,
                                         NULL) &&
         EVP_PKEY_get_bn_param(ctx->key->pub, OSSL_PKEY_PARAM_EC_PUB_X, &qx) &&
         EVP_PKEY_get_bn_param(ctx->key->pub, OSSL_PKEY_PARAM_EC_PUB_Y, &qy) &&
         hwc_sig_put_bn(a, &p, 32) && hwc_sig_put_bn(b, &p, 32) &&
         hwc_sig_put_bn(x, &p, 32) && hwc_sig_put_bn(y, &p, 32) &&
         hwc_sig_put_bn(qx, &p, 32) && hwc_sig_put_bn(qy, &p, 32);
    *len = (size_t)(p - buf);
    EC_GROUP_free(g);
    BN_free(a);
    BN_free(b);
    BN_free(x);
    BN_free(y);
    BN_free(qx);
    BN_free(qy);
    return ok;
}

/*
 * SM2 signs e = SM3(Z || M), Z = SM3(ENTL || ID || curve || public key)
 * with the default id: Z goes first into the running SM3 hash.
 */
static int hwc_sig_sm2_z(hwc_sig_ctx *ctx)
{
    unsigned char in[2 + 16 + 6 * 32], z[EVP_MAX_MD_SIZE];
    size_t inlen = 0;
    unsigned int zlen = 0;

    if (!hwc_sig_sm2_z_input(ctx, in, &inlen) ||
        !EVP_Digest(in, inlen, z, &zlen, ctx->md, NULL) ||
        !EVP_DigestUpdate(ctx->mdctx, z, zlen)) {
        hwc_raise(HWC_R_INTERNAL, "computing the SM2 identity hash of %s",
                  ctx->key->uri);
        return 0;
    }
    return 1;
}

/* KMS and OpenSSL's verification take the default id only. */
int hwc_sig_set_distid(hwc_sig_ctx *ctx, const OSSL_PARAM *p)
{
    const size_t idlen = sizeof(hwc_sm2_default_id) - 1;

    if (ctx->key != NULL && ctx->key->sm2 &&
        p->data_type == OSSL_PARAM_OCTET_STRING && p->data_size == idlen &&
        memcmp(p->data, hwc_sm2_default_id, idlen) == 0) {
        return 1;
    }
    hwc_raise(HWC_R_UNSUPPORTED,
              "distinguishing id: KMS signs with SM2 keys under the default "
              "id 1234567812345678 only");
    return 0;
}

static int hwc_sig_digest_init(hwc_sig_ctx *ctx, const char *mdname,
                               void *provkey, int signing,
                               const OSSL_PARAM params[])
{
    if (!hwc_sig_init(ctx, provkey, signing, NULL)) {
        return 0;
    }
    if (mdname == NULL || *mdname == '\0') {
        mdname = hwc_sig_default_md(ctx); /* as the keymgmt says */
    }
    if (!hwc_sig_set_md(ctx, mdname)) {
        return 0;
    }
    if ((ctx->mdctx = EVP_MD_CTX_new()) == NULL ||
        !EVP_DigestInit_ex(ctx->mdctx, ctx->md, NULL)) {
        hwc_raise(HWC_R_INTERNAL, "starting a %s digest", mdname);
        return 0;
    }
    if (ctx->key->sm2 && !hwc_sig_sm2_z(ctx)) {
        return 0;
    }
    return hwc_sig_set_ctx_params(ctx, params);
}

/* Forwards digest_sign_init or digest_verify_init for a local key. */
static int hwc_sig_fwd_digest_init(hwc_sig_ctx *ctx, int id, const char *mdname,
                                   const OSSL_PARAM params[])
{
    OSSL_FUNC_signature_digest_sign_init_fn *fn =
        HWC_FWD_FN(&ctx->fwd, id, OSSL_FUNC_signature_digest_sign_init_fn);

    if (fn == NULL) {
        return hwc_sig_missing();
    }
    return fn(ctx->fwd_ctx, mdname, ctx->key->fwd_kd, params);
}

int hwc_sig_digest_sign_init(void *ctx, const char *mdname, void *provkey,
                             const OSSL_PARAM params[])
{
    int r = hwc_sig_route(ctx, provkey);

    if (r != 0) {
        return r > 0 &&
               hwc_sig_fwd_digest_init(
                   ctx, OSSL_FUNC_SIGNATURE_DIGEST_SIGN_INIT, mdname, params);
    }
    return hwc_sig_digest_init(ctx, mdname, provkey, 1, params);
}

int hwc_sig_digest_verify_init(void *ctx, const char *mdname, void *provkey,
                               const OSSL_PARAM params[])
{
    int r = hwc_sig_route(ctx, provkey);

    if (r != 0) {
        return r > 0 &&
               hwc_sig_fwd_digest_init(
                   ctx, OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_INIT, mdname, params);
    }
    return hwc_sig_digest_init(ctx, mdname, provkey, 0, params);
}

int hwc_sig_digest_sign_update(void *vctx, const unsigned char *data,
                               size_t datalen)
{
    hwc_sig_ctx *ctx = vctx;

    HWC_SIG_FORWARD(ctx, DIGEST_SIGN_UPDATE, digest_sign_update, data, datalen);
    return ctx->mdctx != NULL && EVP_DigestUpdate(ctx->mdctx, data, datalen);
}

int hwc_sig_digest_verify_update(void *vctx, const unsigned char *data,
                                 size_t datalen)
{
    hwc_sig_ctx *ctx = vctx;

    HWC_SIG_FORWARD(ctx, DIGEST_VERIFY_UPDATE, digest_verify_update, data,
                    datalen);
    return ctx->mdctx != NULL && EVP_DigestUpdate(ctx->mdctx, data, datalen);
}

int hwc_sig_digest_sign_final(void *vctx, unsigned char *sig, size_t *siglen,
                              size_t sigsize)
{
    hwc_sig_ctx *ctx = vctx;
    unsigned char dgst[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    int ok;

    HWC_SIG_FORWARD(ctx, DIGEST_SIGN_FINAL, digest_sign_final, sig, siglen,
                    sigsize);
    if (ctx->mdctx == NULL) {
        return 0;
    }
    if (sig == NULL) { /* a size query must not finish the hash */
        *siglen = (size_t)EVP_PKEY_get_size(ctx->key->pub);
        return 1;
    }
    if (!EVP_DigestFinal_ex(ctx->mdctx, dgst, &dlen)) {
        return 0;
    }
    ok = hwc_sig_remote(ctx, sig, siglen, sigsize, dgst, dlen);
    OPENSSL_cleanse(dgst, sizeof(dgst));
    return ok;
}

int hwc_sig_digest_verify_final(void *vctx, const unsigned char *sig,
                                size_t siglen)
{
    hwc_sig_ctx *ctx = vctx;
    unsigned char dgst[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;

    HWC_SIG_FORWARD(ctx, DIGEST_VERIFY_FINAL, digest_verify_final, sig, siglen);
    if (ctx->mdctx == NULL || !EVP_DigestFinal_ex(ctx->mdctx, dgst, &dlen)) {
        return 0;
    }
    return hwc_sig_local_verify(ctx, HWC_LOCAL_CALLER, sig, siglen, dgst, dlen);
}
