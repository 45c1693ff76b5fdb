/*
 * fwd.c: finding another provider's implementation of an algorithm and
 * its dispatch functions (see fwd.h for why), and the TLS-GROUP
 * capability that goes with standing in for its EC key management.
 */
#include <string.h>

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/params.h>
#include <openssl/provider.h>

#include "ossl/fwd.h"
#include "core/hwc.h"
#include "ossl/provider.h"
#include "resolve/rkey.h"

/* Is want one of the colon-separated names? */
static int fwd_has_name(const char *names, const char *want)
{
    size_t n = strlen(want);
    const char *p = names;

    while (p != NULL && *p != '\0') {
        const char *end = strchr(p, ':');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

        if (len == n && OPENSSL_strncasecmp(p, want, n) == 0) {
            return 1;
        }
        p = end != NULL ? end + 1 : NULL;
    }
    return 0;
}

/* The value of key in a property definition ("a=b,c=d"), copied to val;
 * 0 when the key is absent. */
static int fwd_prop(const char *def, const char *key, char *val, size_t n)
{
    size_t klen = strlen(key);
    const char *p = def;

    while (p != NULL && *p != '\0') {
        const char *end = strchr(p, ',');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

        while (len > 0 && *p == ' ') {
            p++;
            len--;
        }
        if (len > klen && p[klen] == '=' &&
            OPENSSL_strncasecmp(p, key, klen) == 0) {
            size_t vlen = len - klen - 1;

            if (vlen >= n) {
                vlen = n - 1;
            }
            memcpy(val, p + klen + 1, vlen);
            val[vlen] = '\0';
            return 1;
        }
        p = end != NULL ? end + 1 : NULL;
    }
    return 0;
}

/* Does def carry every "key=value" of want ("key=" meaning absent)? */
static int fwd_props_match(const char *def, const char *want)
{
    char item[64], val[64];
    const char *p = want;

    while (p != NULL && *p != '\0') {
        const char *end = strchr(p, ',');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        char *eq;
        int has;

        if (len >= sizeof(item)) {
            return 0;
        }
        memcpy(item, p, len);
        item[len] = '\0';
        if ((eq = strchr(item, '=')) == NULL) {
            return 0;
        }
        *eq = '\0';
        has = fwd_prop(def != NULL ? def : "", item, val, sizeof(val));
        if (eq[1] == '\0' ? has
                          : !has || OPENSSL_strcasecmp(val, eq + 1) != 0) {
            return 0;
        }
        p = end != NULL ? end + 1 : NULL;
    }
    return 1;
}

static OSSL_DISPATCH *fwd_copy(const OSSL_DISPATCH *in)
{
    size_t n = 0;

    while (in[n].function_id != 0) {
        n++;
    }
    return OPENSSL_memdup(in, (n + 1) * sizeof(*in));
}

/* The first algorithm that fits, preferring one whose description is
 * desc (a provider may offer one name twice, with other properties). */
static const OSSL_ALGORITHM *fwd_pick(const OSSL_ALGORITHM *algs,
                                      const char *name, const char *props,
                                      const char *desc)
{
    const OSSL_ALGORITHM *a, *first = NULL;

    for (a = algs; a != NULL && a->algorithm_names != NULL; a++) {
        if (!fwd_has_name(a->algorithm_names, name) ||
            (props != NULL &&
             !fwd_props_match(a->property_definition, props))) {
            continue;
        }
        if (desc == NULL || (a->algorithm_description != NULL &&
                             strcmp(a->algorithm_description, desc) == 0)) {
            return a;
        }
        if (first == NULL) {
            first = a;
        }
    }
    return first;
}

static int fwd_resolve(OSSL_PROVIDER *prov, int op, const char *name,
                       const char *props, const char *desc, hwc_fwd *out)
{
    int no_cache = 0;
    const OSSL_ALGORITHM *algs =
        OSSL_PROVIDER_query_operation(prov, op, &no_cache);
    const OSSL_ALGORITHM *a = fwd_pick(algs, name, props, desc);

    out->provctx = OSSL_PROVIDER_get0_provider_ctx(prov);
    out->fns = a != NULL ? fwd_copy(a->implementation) : NULL;
    if (algs != NULL) {
        OSSL_PROVIDER_unquery_operation(prov, op, algs);
    }
    return out->fns != NULL;
}

hwc_kmfwd *hwc_kmfwd_get(OSSL_LIB_CTX *libctx, const char *type)
{
    EVP_KEYMGMT *km = EVP_KEYMGMT_fetch(libctx, type, HWC_INTERNAL_PROPQ);
    hwc_kmfwd *k;

    if (km == NULL) {
        hwc_raise(HWC_R_UNSUPPORTED,
                  "no provider other than hwcloud offers %s keys (is the "
                  "default provider loaded?)",
                  type);
        return NULL;
    }
    if ((k = OPENSSL_zalloc(sizeof(*k))) == NULL ||
        !fwd_resolve((OSSL_PROVIDER *)EVP_KEYMGMT_get0_provider(km),
                     OSSL_OP_KEYMGMT, type, NULL,
                     EVP_KEYMGMT_get0_description(km), &k->f)) {
        hwc_raise(HWC_R_INTERNAL, "cannot use the %s keys of %s", type,
                  OSSL_PROVIDER_get0_name(EVP_KEYMGMT_get0_provider(km)));
        OPENSSL_free(k);
        EVP_KEYMGMT_free(km);
        return NULL;
    }
    k->refs = 1;
    k->km = km;
    return k;
}

hwc_kmfwd *hwc_kmfwd_up_ref(hwc_kmfwd *k)
{
    if (k != NULL) {
        __atomic_add_fetch(&k->refs, 1, __ATOMIC_RELAXED);
    }
    return k;
}

void hwc_kmfwd_free(hwc_kmfwd *k)
{
    if (k == NULL || __atomic_sub_fetch(&k->refs, 1, __ATOMIC_ACQ_REL) > 0) {
        return;
    }
    hwc_fwd_clear(&k->f);
    EVP_KEYMGMT_free(k->km);
    OPENSSL_free(k);
}

void hwc_kmfwd_free_kd(const hwc_kmfwd *k, void *kd)
{
    OSSL_FUNC_keymgmt_free_fn *fn =
        HWC_FWD_FN(&k->f, OSSL_FUNC_KEYMGMT_FREE, OSSL_FUNC_keymgmt_free_fn);

    if (kd != NULL && fn != NULL) {
        fn(kd);
    }
}

/* A local key's share of hwc_rkey_free. */
static void kmfwd_free_key(hwc_kmfwd *fwd, void *kd)
{
    hwc_kmfwd_free_kd(fwd, kd);
    hwc_kmfwd_free(fwd);
}

hwc_rkey *hwc_rkey_new_local(hwc_kmfwd *fwd, void *kd)
{
    hwc_rkey *k = OPENSSL_zalloc(sizeof(*k));

    if (k == NULL || fwd == NULL || kd == NULL) {
        if (fwd != NULL) {
            hwc_kmfwd_free_kd(fwd, kd);
        }
        hwc_kmfwd_free(fwd);
        OPENSSL_free(k);
        if (k == NULL) {
            hwc_raise(HWC_R_MALLOC, "allocating a key object");
        }
        return NULL;
    }
    k->refs = 1;
    k->sm2 = EVP_KEYMGMT_is_a(fwd->km, "SM2");
    k->base_id = EVP_KEYMGMT_is_a(fwd->km, "RSA") ? EVP_PKEY_RSA
                 : k->sm2                         ? EVP_PKEY_SM2
                                                  : EVP_PKEY_EC;
    k->fwd = fwd;
    k->fwd_kd = kd;
    k->fwd_free = kmfwd_free_key;
    return k;
}

const char *hwc_kmfwd_op_name(const hwc_kmfwd *k, int op)
{
    OSSL_FUNC_keymgmt_query_operation_name_fn *fn =
        HWC_FWD_FN(&k->f, OSSL_FUNC_KEYMGMT_QUERY_OPERATION_NAME,
                   OSSL_FUNC_keymgmt_query_operation_name_fn);
    const char *name = fn != NULL ? fn(op) : NULL;

    return name != NULL ? name : EVP_KEYMGMT_get0_name(k->km);
}

int hwc_fwd_find(const hwc_kmfwd *k, int op, const char *name,
                 const char *props, hwc_fwd *out)
{
    return fwd_resolve((OSSL_PROVIDER *)EVP_KEYMGMT_get0_provider(k->km), op,
                       name, props, NULL, out);
}

void hwc_fwd_clear(hwc_fwd *f)
{
    OPENSSL_free(f->fns);
    f->fns = NULL;
    f->provctx = NULL;
}

int hwc_fwd_copy(hwc_fwd *dst, const hwc_fwd *src)
{
    dst->provctx = src->provctx;
    dst->fns = src->fns != NULL ? fwd_copy(src->fns) : NULL;
    return src->fns == NULL || dst->fns != NULL;
}

void (*hwc_fwd_fn(const hwc_fwd *f, int id))(void)
{
    const OSSL_DISPATCH *d;

    for (d = f->fns; d != NULL && d->function_id != 0; d++) {
        if (d->function_id == id) {
            return d->function;
        }
    }
    return NULL;
}

/*--------------------------------------------------- TLS-GROUP capability */

struct fwd_groups {
    OSSL_CALLBACK *cb;
    void *arg;
};

/* Only the groups of our key types (EC, and SM2 where libssl has an SM2
 * group): for the others, libssl's fetch never returns our keymgmt and it
 * would drop our copies anyway. */
static int fwd_group(const OSSL_PARAM params[], void *arg)
{
    struct fwd_groups *g = arg;
    const OSSL_PARAM *p =
        OSSL_PARAM_locate_const(params, OSSL_CAPABILITY_TLS_GROUP_ALG);

    if (p == NULL || p->data_type != OSSL_PARAM_UTF8_STRING ||
        (OPENSSL_strcasecmp(p->data, "EC") != 0 &&
         OPENSSL_strcasecmp(p->data, "SM2") != 0)) {
        return 1;
    }
    return g->cb(params, g->arg);
}

int hwc_get_capabilities(void *provctx, const char *capability,
                         OSSL_CALLBACK *cb, void *arg)
{
    hwc_provctx *prov = provctx;
    struct fwd_groups g = {cb, arg};
    EVP_KEYMGMT *km;
    int ok;

    if (OPENSSL_strcasecmp(capability, "TLS-GROUP") != 0) {
        return 1; /* nothing to add; 0 would fail the caller's whole scan */
    }
    ERR_set_mark();
    km = EVP_KEYMGMT_fetch(prov->libctx, "EC", HWC_INTERNAL_PROPQ);
    ERR_pop_to_mark();
    if (km == NULL) {
        return 1; /* no EC anywhere else: nothing to stand in for */
    }
    ok = OSSL_PROVIDER_get_capabilities(EVP_KEYMGMT_get0_provider(km),
                                        "TLS-GROUP", fwd_group, &g);
    EVP_KEYMGMT_free(km);
    return ok;
}
