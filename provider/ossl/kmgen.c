/*
 * kmgen.c: generation of keys by our keymgmt (keymgmt.c). Such keys are
 * local, never KMS keys: each generation runs in the other provider's
 * keymgmt (fwd.h) and the key comes back as its key data.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "ossl/fwd.h"
#include "core/hwc.h"
#include "ossl/keymgmt.h"
#include "ossl/provider.h"
#include "resolve/rkey.h"

typedef struct hwc_km_genctx {
    hwc_kmfwd *f;
    void *inner; /* the other provider's generation context */
    void *tmpl;  /* a template copied into f's key data, or NULL */
} hwc_km_genctx;

void hwc_km_gen_cleanup(void *genctx)
{
    hwc_km_genctx *g = genctx;
    OSSL_FUNC_keymgmt_gen_cleanup_fn *fn;

    if (g == NULL) {
        return;
    }
    if (g->inner != NULL &&
        (fn = KMF(g->f, GEN_CLEANUP, gen_cleanup)) != NULL) {
        fn(g->inner);
    }
    hwc_kmfwd_free_kd(g->f, g->tmpl);
    hwc_kmfwd_free(g->f);
    OPENSSL_free(g);
}

void *hwc_km_gen_init(void *provctx, const char *type, int selection,
                      const OSSL_PARAM params[])
{
    hwc_km_genctx *g = OPENSSL_zalloc(sizeof(*g));
    OSSL_FUNC_keymgmt_gen_init_fn *fn;

    if (g == NULL) {
        hwc_raise(HWC_R_MALLOC, "key generation context");
        return NULL;
    }
    if ((g->f = hwc_kmfwd_get(hwc_km_libctx(provctx), type)) == NULL ||
        (fn = KMF(g->f, GEN_INIT, gen_init)) == NULL ||
        (g->inner = fn(g->f->f.provctx, selection, params)) == NULL) {
        hwc_km_gen_cleanup(g);
        return NULL;
    }
    return g;
}

int hwc_km_gen_set_template(void *genctx, void *templ)
{
    hwc_km_genctx *g = genctx;
    OSSL_FUNC_keymgmt_gen_set_template_fn *fn =
        KMF(g->f, GEN_SET_TEMPLATE, gen_set_template);
    void *kd = NULL;
    int owned = 0;

    if (fn == NULL) {
        return 0; /* as libcrypto says for a keymgmt without templates */
    }
    if (templ != NULL &&
        (kd = hwc_km_as_fwd(templ, g->f, OSSL_KEYMGMT_SELECT_ALL_PARAMETERS,
                            &owned)) == NULL) {
        return 0;
    }
    if (owned) {
        hwc_kmfwd_free_kd(g->f, g->tmpl);
        g->tmpl = kd; /* kept until the generation is done */
    }
    return fn(g->inner, kd);
}

int hwc_km_gen_set_params(void *genctx, const OSSL_PARAM params[])
{
    hwc_km_genctx *g = genctx;
    OSSL_FUNC_keymgmt_gen_set_params_fn *fn =
        KMF(g->f, GEN_SET_PARAMS, gen_set_params);

    return fn != NULL && fn(g->inner, params);
}

const OSSL_PARAM *hwc_km_gen_settable(void *genctx, void *provctx,
                                      const char *type)
{
    hwc_km_genctx *g = genctx;
    OSSL_FUNC_keymgmt_gen_settable_params_fn *fn;
    hwc_kmfwd *f;
    const OSSL_PARAM *t = NULL;

    if (g != NULL) {
        fn = KMF(g->f, GEN_SETTABLE_PARAMS, gen_settable_params);
        return fn != NULL ? fn(g->inner, g->f->f.provctx) : NULL;
    }
    ERR_set_mark();
    f = hwc_kmfwd_get(hwc_km_libctx(provctx), type);
    ERR_pop_to_mark();
    if (f != NULL &&
        (fn = KMF(f, GEN_SETTABLE_PARAMS, gen_settable_params)) != NULL) {
        t = fn(NULL, f->f.provctx);
    }
    hwc_kmfwd_free(f);
    return t;
}

void *hwc_km_gen(void *genctx, OSSL_CALLBACK *cb, void *cbarg)
{
    hwc_km_genctx *g = genctx;
    OSSL_FUNC_keymgmt_gen_fn *fn = KMF(g->f, GEN, gen);
    void *kd = fn != NULL ? fn(g->inner, cb, cbarg) : NULL;

    if (kd == NULL) {
        return NULL;
    }
    return hwc_rkey_new_local(hwc_kmfwd_up_ref(g->f), kd);
}

#ifdef OSSL_FUNC_KEYMGMT_GEN_GET_PARAMS
int hwc_km_gen_get_params(void *genctx, OSSL_PARAM params[])
{
    hwc_km_genctx *g = genctx;
    OSSL_FUNC_keymgmt_gen_get_params_fn *fn =
        KMF(g->f, GEN_GET_PARAMS, gen_get_params);

    return fn != NULL && fn(g->inner, params);
}

const OSSL_PARAM *hwc_km_gen_gettable(void *genctx, void *provctx,
                                      const char *type)
{
    hwc_km_genctx *g = genctx;
    OSSL_FUNC_keymgmt_gen_gettable_params_fn *fn;
    hwc_kmfwd *f;
    const OSSL_PARAM *t = NULL;

    if (g != NULL) {
        fn = KMF(g->f, GEN_GETTABLE_PARAMS, gen_gettable_params);
        return fn != NULL ? fn(g->inner, g->f->f.provctx) : NULL;
    }
    ERR_set_mark();
    f = hwc_kmfwd_get(hwc_km_libctx(provctx), type);
    ERR_pop_to_mark();
    if (f != NULL &&
        (fn = KMF(f, GEN_GETTABLE_PARAMS, gen_gettable_params)) != NULL) {
        t = fn(NULL, f->f.provctx);
    }
    hwc_kmfwd_free(f);
    return t;
}
#endif
