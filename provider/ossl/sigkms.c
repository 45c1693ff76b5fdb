/*
 * sigkms.c: a digest signed in KMS (signature.c): what KMS is asked (its
 * algorithm name, checked against the key and the context first), and
 * what it answers normalised (ECDSA as DER, RSA at the modulus length) and
 * verified locally before it is handed out.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "core/hwc.h"
#include "formats/der.h"
#include "ossl/signature.h"

/* What KMS cannot do is refused here, before any request. */
static int hwc_sig_check_kms(const hwc_sig_ctx *ctx, size_t tbslen)
{
    size_t mdlen;

    /* Checked here, not at init: libssl probes init with its marks set
     * and would turn our reason into "no suitable signature algorithm". */
    if (ctx->key->ops == NULL || ctx->key->ops->sign == NULL ||
        ctx->key->usage == HWC_USAGE_ENCRYPT_DECRYPT) {
        hwc_raise(HWC_R_UNSUPPORTED,
                  "%s is an ENCRYPT_DECRYPT key: KMS cannot sign with it",
                  ctx->key->uri);
        return 0;
    }
    if (ctx->mdinfo == NULL) {
        hwc_raise(HWC_R_UNSUPPORTED,
                  "KMS signs digests of a known type: set the digest "
                  "(e.g. -pkeyopt digest:sha256)");
        return 0;
    }
    mdlen = (size_t)EVP_MD_get_size(ctx->md);
    if (tbslen != mdlen) {
        hwc_raise(HWC_R_UNSUPPORTED,
                  "input is %zu bytes, a %s digest is %zu bytes", tbslen,
                  ctx->mdinfo->name, mdlen);
        return 0;
    }
    if (!hwc_sig_is_rsa(ctx) || ctx->pad != RSA_PKCS1_PSS_PADDING) {
        return 1;
    }
    if (ctx->saltlen != HWC_SALT_UNSET &&
        ctx->saltlen != RSA_PSS_SALTLEN_DIGEST && ctx->saltlen != (int)mdlen) {
        hwc_raise(HWC_R_UNSUPPORTED,
                  "KMS uses a PSS salt as long as the digest (%zu bytes); "
                  "saltlen %d is not possible",
                  mdlen, ctx->saltlen);
        return 0;
    }
    if (ctx->mgf1[0] != '\0' && !EVP_MD_is_a(ctx->md, ctx->mgf1)) {
        hwc_raise(HWC_R_UNSUPPORTED,
                  "KMS uses MGF1 with the signature digest (%s), not %s",
                  ctx->mdinfo->name, ctx->mgf1);
        return 0;
    }
    return 1;
}

static void hwc_sig_kms_alg(const hwc_sig_ctx *ctx, char *alg, size_t n)
{
    const char *scheme = ctx->key->sm2 ? "SM2DSA" : "ECDSA";

    if (hwc_sig_is_rsa(ctx)) {
        scheme = ctx->pad == RSA_PKCS1_PSS_PADDING ? "RSASSA_PSS"
                                                   : "RSASSA_PKCS1_V1_5";
    }
    /* Concatenation, not snprintf: this runs for every signature. */
    OPENSSL_strlcpy(alg, scheme, n);
    OPENSSL_strlcat(alg, "_", n);
    OPENSSL_strlcat(alg, ctx->mdinfo->kms, n);
}

/* ECDSA: DER ECDSA-Sig-Value whether KMS sent DER (re-encoded unless it
 * is DER already, as it is from KMS) or raw r||s. */
static int hwc_sig_ecdsa_der(const hwc_sig_ctx *ctx, unsigned char **sig,
                             size_t *siglen)
{
    const unsigned char *p = *sig;
    size_t half = ((size_t)EVP_PKEY_get_bits(ctx->key->pub) + 7) / 8;
    ECDSA_SIG *es;
    unsigned char *der = NULL;
    int len;

    if (hwc_der_is_ecdsa_sig(*sig, *siglen)) {
        return 1;
    }
    ERR_set_mark(); /* r||s is no failure */
    es = d2i_ECDSA_SIG(NULL, &p, (long)*siglen);
    ERR_pop_to_mark();
    if (es == NULL || p != *sig + *siglen) {
        BIGNUM *r, *s;

        ECDSA_SIG_free(es);
        es = NULL;
        if (*siglen != 2 * half) {
            hwc_raise(HWC_R_REMOTE_OP,
                      "ECDSA signature from KMS is neither DER nor r||s "
                      "(%zu bytes)",
                      *siglen);
            return 0;
        }
        r = BN_bin2bn(*sig, (int)half, NULL);
        s = BN_bin2bn(*sig + half, (int)half, NULL);
        if (r == NULL || s == NULL || (es = ECDSA_SIG_new()) == NULL ||
            !ECDSA_SIG_set0(es, r, s)) {
            BN_free(r);
            BN_free(s);
            ECDSA_SIG_free(es);
            hwc_raise(HWC_R_MALLOC, "ECDSA signature");
            return 0;
        }
    }
    len = i2d_ECDSA_SIG(es, &der);
    ECDSA_SIG_free(es);
    if (len <= 0) {
        hwc_raise(HWC_R_INTERNAL, "encoding an ECDSA signature");
        return 0;
    }
    OPENSSL_free(*sig);
    *sig = der;
    *siglen = (size_t)len;
    return 1;
}

/* RSA: exactly the modulus length (a short answer lost leading zeros). */
static int hwc_sig_rsa_fix(const hwc_sig_ctx *ctx, unsigned char **sig,
                           size_t *siglen)
{
    size_t n = (size_t)EVP_PKEY_get_size(ctx->key->pub);
    unsigned char *padded;

    if (*siglen == n) {
        return 1;
    }
    if (*siglen > n || (padded = OPENSSL_zalloc(n)) == NULL) {
        hwc_raise(HWC_R_REMOTE_OP,
                  "RSA signature from KMS is %zu bytes, modulus %zu", *siglen,
                  n);
        return 0;
    }
    memcpy(padded + (n - *siglen), *sig, *siglen);
    OPENSSL_free(*sig);
    *sig = padded;
    *siglen = n;
    return 1;
}

/* Sign a digest in KMS, normalise, verify locally, copy out. */
int hwc_sig_remote(hwc_sig_ctx *ctx, unsigned char *out, size_t *outlen,
                   size_t outsize, const unsigned char *dgst, size_t dlen)
{
    char alg[48];
    unsigned char *sig = NULL;
    size_t siglen = 0;
    int ok = 0;

    if (!hwc_sig_check_kms(ctx, dlen)) {
        return 0;
    }
    hwc_sig_kms_alg(ctx, alg, sizeof(alg));
    hwc_debug("signing with %s (%s)", ctx->key->uri, alg);
    if (!ctx->key->ops->sign(ctx->key->ops_arg, ctx->key->key_id, alg, dgst,
                             dlen, &sig, &siglen)) {
        return 0; /* the KMS client raised the error */
    }
    if (!(hwc_sig_is_rsa(ctx) ? hwc_sig_rsa_fix(ctx, &sig, &siglen)
                              : hwc_sig_ecdsa_der(ctx, &sig, &siglen))) {
        goto done;
    }
    if (!hwc_sig_local_verify(ctx, HWC_LOCAL_KMS_CHECK, sig, siglen, dgst,
                              dlen)) {
        hwc_raise(HWC_R_REMOTE_OP,
                  "the %s signature KMS returned for %s does not verify with "
                  "its public key",
                  alg, ctx->key->uri);
        goto done;
    }
    if (siglen > outsize) {
        hwc_raise(HWC_R_INTERNAL, "signature buffer too small");
        goto done;
    }
    memcpy(out, sig, siglen);
    *outlen = siglen;
    ok = 1;
done:
    OPENSSL_free(sig);
    return ok;
}
