/*
 * signature.h: what signature.c (the operations), sigkms.c (a digest
 * signed in KMS), sigdigest.c (digest-sign and -verify) and sigparams.c
 * (their parameters) share: the signature context and the helpers they
 * use. Private to those files.
 */
#ifndef HWC_SIGNATURE_H
#define HWC_SIGNATURE_H

#include <limits.h>

#include <openssl/core_dispatch.h>
#include <openssl/evp.h>

#include "ossl/fwd.h"
#include "ossl/provider.h"
#include "resolve/rkey.h"

/* A digest KMS signs, with the suffix of its algorithm names. */
struct hwc_sig_md {
    const char *name;
    const char *kms; /* "SHA_256" in "RSASSA_PSS_SHA_256" */
};

#define HWC_SALT_UNSET INT_MIN

typedef struct hwc_sig_ctx {
    hwc_provctx *prov;
    hwc_rkey *key;                   /* a reference, or NULL before init */
    int signing;                     /* sign/digest-sign (1) or verify (0) */
    const struct hwc_sig_md *mdinfo; /* KMS digest; NULL for others */
    EVP_MD *md;        /* fetched from the child libctx, never ours */
    int pad;           /* RSA_PKCS1_PADDING or RSA_PKCS1_PSS_PADDING */
    int saltlen;       /* as asked for, or HWC_SALT_UNSET */
    char mgf1[32];     /* "" = same as the digest */
    EVP_MD_CTX *mdctx; /* digest-sign/verify: the running hash */
    int recover;       /* verify_recover_init was the last init */
    char *propq;       /* newctx's, for the other provider's context */
    hwc_fwd fwd;       /* local keys: the other provider's signature */
    void *fwd_ctx;     /* and its context, or NULL */
} hwc_sig_ctx;

/* The function ID of the other provider's signature (ctx->fwd). */
#define SIGF(ctx, ID, T)                                                       \
    HWC_FWD_FN(&(ctx)->fwd, OSSL_FUNC_SIGNATURE_##ID,                          \
               OSSL_FUNC_signature_##T##_fn)

/* For a local key, return what the other provider's function ID gives
 * (its context first, then the arguments). */
#define HWC_SIG_FORWARD(ctx, ID, T, ...)                                       \
    do {                                                                       \
        if ((ctx)->fwd_ctx != NULL) {                                          \
            OSSL_FUNC_signature_##T##_fn *fwd_fn_ = SIGF(ctx, ID, T);          \
                                                                               \
            return fwd_fn_ != NULL ? fwd_fn_((ctx)->fwd_ctx, __VA_ARGS__)      \
                                   : hwc_sig_missing();                        \
        }                                                                      \
    } while (0)

/*
 * Which settings a local context on pub mirrors: the caller's; KMS's (the
 * PSS salt it documents, the digest's length, as the AlgorithmIdentifier
 * of what we sign states it); or KMS's as the check of a signature it
 * returned, which takes a PSS salt of any length (auto), so that a KMS
 * whose salt convention is not the digest's length still signs.
 */
enum hwc_local { HWC_LOCAL_CALLER = 0, HWC_LOCAL_KMS, HWC_LOCAL_KMS_CHECK };

int hwc_sig_missing(void);
OSSL_LIB_CTX *hwc_sig_libctx(const hwc_sig_ctx *ctx);
int hwc_sig_is_rsa(const hwc_sig_ctx *ctx);
/* The digest by name: one KMS signs with, fitting the key. */
int hwc_sig_set_md(hwc_sig_ctx *ctx, const char *name);
/* The SM2 distinguishing id. */
int hwc_sig_set_distid(hwc_sig_ctx *ctx, const OSSL_PARAM *p);
/* A context of the default provider on the key's public half, with the
 * settings of mode. */
EVP_PKEY_CTX *hwc_sig_local_ctx(const hwc_sig_ctx *ctx, enum hwc_local mode);

/* The digest of a key's own curve for EC, SHA-256 for RSA, SM3 for SM2. */
const char *hwc_sig_default_md(const hwc_sig_ctx *ctx);
/* Which way an init goes: 1 for a local key (provkey, else the key kept),
 * with ctx->fwd_ctx ready; 0 for a KMS key; -1 on error. */
int hwc_sig_route(hwc_sig_ctx *ctx, void *provkey);
/* The init of a KMS key's context (signing or verifying). */
int hwc_sig_init(hwc_sig_ctx *ctx, void *provkey, int signing,
                 const OSSL_PARAM params[]);
/* Verifies sig over tbs (a digest) locally with the key's public half. */
int hwc_sig_local_verify(const hwc_sig_ctx *ctx, enum hwc_local mode,
                         const unsigned char *sig, size_t siglen,
                         const unsigned char *tbs, size_t tbslen);
/* Sign a digest in KMS, normalise, verify locally, copy out. */
int hwc_sig_remote(hwc_sig_ctx *ctx, unsigned char *out, size_t *outlen,
                   size_t outsize, const unsigned char *dgst, size_t dlen);

/* Digest-sign and digest-verify (sigdigest.c). */
OSSL_FUNC_signature_digest_sign_init_fn hwc_sig_digest_sign_init;
OSSL_FUNC_signature_digest_verify_init_fn hwc_sig_digest_verify_init;
OSSL_FUNC_signature_digest_sign_update_fn hwc_sig_digest_sign_update;
OSSL_FUNC_signature_digest_verify_update_fn hwc_sig_digest_verify_update;
OSSL_FUNC_signature_digest_sign_final_fn hwc_sig_digest_sign_final;
OSSL_FUNC_signature_digest_verify_final_fn hwc_sig_digest_verify_final;

/* The parameter functions (sigparams.c). */
OSSL_FUNC_signature_get_ctx_params_fn hwc_sig_get_ctx_params;
OSSL_FUNC_signature_gettable_ctx_params_fn hwc_sig_gettable_ctx_params;
OSSL_FUNC_signature_set_ctx_params_fn hwc_sig_set_ctx_params;
OSSL_FUNC_signature_settable_ctx_params_fn hwc_rsa_sig_settable;
OSSL_FUNC_signature_settable_ctx_params_fn hwc_ec_sig_settable;
OSSL_FUNC_signature_get_ctx_md_params_fn hwc_sig_get_md_params;
OSSL_FUNC_signature_gettable_ctx_md_params_fn hwc_sig_gettable_md;
OSSL_FUNC_signature_set_ctx_md_params_fn hwc_sig_set_md_params;
OSSL_FUNC_signature_settable_ctx_md_params_fn hwc_sig_settable_md;

#endif /* HWC_SIGNATURE_H */
