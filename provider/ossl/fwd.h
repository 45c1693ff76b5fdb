/*
 * fwd.h: handing work to the implementation that another provider
 * (normally "default") has for the same algorithm, by calling that
 * provider's own dispatch functions with its own provider context.
 *
 * Why: libcrypto fetches key management by algorithm name, and the first
 * provider activated wins. With hwcloud activated before default, our
 * "RSA" and "EC" key management is asked to generate, import and hold
 * every RSA and EC key of the process, and libssl takes its EC TLS groups
 * from us. Keys hwcloud did not load ("local keys", rkey.h) are therefore
 * kept as key data of the other provider and every call on them is
 * forwarded, so that they behave exactly as without hwcloud and never
 * reach KMS. The other provider is the one EVP_KEYMGMT_fetch finds in the
 * provider's child library context with HWC_INTERNAL_PROPQ.
 */
#ifndef HWC_FWD_H
#define HWC_FWD_H

#include <openssl/core.h>
#include <openssl/evp.h>

#include "resolve/rkey.h"

/* One algorithm of another provider: its context and a copy of its
 * dispatch table. */
typedef struct hwc_fwd {
    void *provctx;
    OSSL_DISPATCH *fns;
} hwc_fwd;

/* The other provider's key management for "RSA" or "EC", shared by the
 * local keys made with it; it keeps that provider loaded. */
typedef struct hwc_kmfwd {
    int refs; /* atomic via hwc_kmfwd_up_ref/free */
    EVP_KEYMGMT *km;
    hwc_fwd f;
} hwc_kmfwd;

/* NULL with an error raised when no other provider offers type. */
hwc_kmfwd *hwc_kmfwd_get(OSSL_LIB_CTX *libctx, const char *type);
hwc_kmfwd *hwc_kmfwd_up_ref(hwc_kmfwd *k);
void hwc_kmfwd_free(hwc_kmfwd *k);
/* Frees key data made by k's key management. */
void hwc_kmfwd_free_kd(const hwc_kmfwd *k, void *kd);
/* A local key (rkey.h) holding kd, made by k's key management; takes
 * ownership of k (a reference) and kd, and frees both when it fails. */
hwc_rkey *hwc_rkey_new_local(hwc_kmfwd *k, void *kd);
/* The other provider's name for operation op on keys of k (its keymgmt's
 * query_operation_name, else the keymgmt's name). */
const char *hwc_kmfwd_op_name(const hwc_kmfwd *k, int op);

/*
 * The algorithm of operation op, in the provider of k, with name among its
 * names and, when props is not NULL, each "key=value" of the comma-separated
 * props in its property definition, and no other value for those keys
 * (props "output=text,structure=" asks for no structure at all). 1 and
 * *out filled, or 0 (nothing raised: callers say what was missing).
 */
int hwc_fwd_find(const hwc_kmfwd *k, int op, const char *name,
                 const char *props, hwc_fwd *out);
void hwc_fwd_clear(hwc_fwd *f);
/* dst (cleared) becomes a copy of src; 0 on allocation failure. */
int hwc_fwd_copy(hwc_fwd *dst, const hwc_fwd *src);
/* The function with that id, or NULL. */
void (*hwc_fwd_fn(const hwc_fwd *f, int id))(void);
#define HWC_FWD_FN(f, id, type) ((type *)hwc_fwd_fn((f), (id)))

/*
 * The provider's get_capabilities. "TLS-GROUP": the groups of the provider
 * that hwcloud's EC key management stands in for, so that libssl keeps
 * them when the "EC" fetch returns ours (libssl keeps a provider's group
 * only when that fetch returns the same provider's keymgmt). Any other
 * capability: none.
 */
int hwc_get_capabilities(void *provctx, const char *capability,
                         OSSL_CALLBACK *cb, void *arg);

#endif /* HWC_FWD_H */
