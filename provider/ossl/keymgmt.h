/*
 * keymgmt.h: what the key management (keymgmt.c) and the generation of
 * local keys (kmgen.c) share. Private to those two files.
 */
#ifndef HWC_KEYMGMT_H
#define HWC_KEYMGMT_H

#include <openssl/core_dispatch.h>

#include "ossl/fwd.h"
#include "resolve/rkey.h"

/* A function of the other provider's keymgmt f (hwc_kmfwd *). */
#define KMF(kf, ID, T)                                                         \
    HWC_FWD_FN(&(kf)->f, OSSL_FUNC_KEYMGMT_##ID, OSSL_FUNC_keymgmt_##T##_fn)

/* The instance's library context (provctx may be NULL: then NULL). */
OSSL_LIB_CTX *hwc_km_libctx(void *provctx);
/* key as key data of f's keymgmt: borrowed when it already is one (*owned
 * 0), else a copy of its selected parts (never the private half of a KMS
 * key, which is not here). NULL on failure. */
void *hwc_km_as_fwd(const hwc_rkey *key, const hwc_kmfwd *f, int selection,
                    int *owned);

/* Generation of local keys, by the other provider's keymgmt (kmgen.c). */
void hwc_km_gen_cleanup(void *genctx);
void *hwc_km_gen_init(void *provctx, const char *type, int selection,
                      const OSSL_PARAM params[]);
int hwc_km_gen_set_template(void *genctx, void *templ);
int hwc_km_gen_set_params(void *genctx, const OSSL_PARAM params[]);
const OSSL_PARAM *hwc_km_gen_settable(void *genctx, void *provctx,
                                      const char *type);
void *hwc_km_gen(void *genctx, OSSL_CALLBACK *cb, void *cbarg);
#ifdef OSSL_FUNC_KEYMGMT_GEN_GET_PARAMS
int hwc_km_gen_get_params(void *genctx, OSSL_PARAM params[]);
const OSSL_PARAM *hwc_km_gen_gettable(void *genctx, void *provctx,
                                      const char *type);
#endif

#endif /* HWC_KEYMGMT_H */
