/*
 * keymgmt.c: RSA and EC key management, for two kinds of key data, both
 * hwc_rkey (rkey.h):
 *  - KMS keys, loaded from the store: shared and immutable (load and dup
 *    take a reference). Everything public is answered from key->pub; the
 *    private half never leaves KMS, so private parts are never exported
 *    and nothing is imported into them.
 *  - local keys, every other RSA or EC key that libcrypto asks us to make:
 *    libcrypto fetches key management by name, so with hwcloud activated
 *    before the default provider this keymgmt generates and imports all of
 *    them. They are the key data of the other provider's keymgmt and every
 *    call is forwarded to it (fwd.h), so they behave as without hwcloud.
 *    Their generation is kmgen.c.
 */
#include <string.h>

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/core_object.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "ossl/fwd.h"
#include "core/hwc.h"
#include "ossl/keymgmt.h"
#include "ossl/provider.h"
#include "resolve/rkey.h"

OSSL_LIB_CTX *hwc_km_libctx(void *provctx)
{
    return provctx != NULL ? ((hwc_provctx *)provctx)->libctx : NULL;
}

/*------------------------------------------------ life cycle, both kinds */

/* libcrypto asks for a new key only to import into it (EVP_PKEY_fromdata,
 * copies of other keys): that is always a local key. */
static void *hwc_km_new(void *provctx, const char *type)
{
    hwc_kmfwd *f = hwc_kmfwd_get(hwc_km_libctx(provctx), type);
    OSSL_FUNC_keymgmt_new_fn *fn = f != NULL ? KMF(f, NEW, new) : NULL;

    if (fn == NULL) {
        hwc_kmfwd_free(f);
        return NULL;
    }
    return hwc_rkey_new_local(f, fn(f->f.provctx));
}

static void hwc_km_free(void *keydata)
{
    hwc_rkey_free(keydata);
}

/* KMS keys are immutable, so a duplicate is another reference. */
static void *hwc_km_dup(const void *keydata, int selection)
{
    const hwc_rkey *key = keydata;
    OSSL_FUNC_keymgmt_dup_fn *fn;

    if (key == NULL || !hwc_rkey_is_local(key)) {
        return hwc_rkey_up_ref((hwc_rkey *)key);
    }
    if ((fn = KMF(key->fwd, DUP, dup)) == NULL) {
        return NULL;
    }
    return hwc_rkey_new_local(hwc_kmfwd_up_ref(key->fwd),
                              fn(key->fwd_kd, selection));
}

/* The store passes a pointer to its hwc_rkey * (rkey.h): take a reference. */
static void *hwc_km_load(const void *reference, size_t reference_sz,
                         int base_id)
{
    hwc_rkey *key;

    if (reference == NULL || reference_sz != sizeof(hwc_rkey *)) {
        hwc_raise(HWC_R_INTERNAL, "bad key reference (size %zu)", reference_sz);
        return NULL;
    }
    key = *(hwc_rkey *const *)reference;
    if (key == NULL || key->pub == NULL || key->base_id != base_id) {
        hwc_raise(HWC_R_INTERNAL, "key reference of the wrong type");
        return NULL;
    }
    return hwc_rkey_up_ref(key);
}

/*-------------------------------------------------------------- has */

/* A KMS key's private half exists (in KMS) whenever it came from the
 * store. */
static int hwc_km_has(const void *keydata, int selection)
{
    const hwc_rkey *key = keydata;
    OSSL_FUNC_keymgmt_has_fn *fn;

    if (key == NULL) {
        return 0;
    }
    if (hwc_rkey_is_local(key)) {
        fn = KMF(key->fwd, HAS, has);
        return fn != NULL && fn(key->fwd_kd, selection);
    }
    if ((selection & OSSL_KEYMGMT_SELECT_ALL) == 0) {
        return 1;
    }
    if (key->pub == NULL) {
        return 0;
    }
    if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0 &&
        (key->ops == NULL ||
         (key->ops->sign == NULL && key->ops->decrypt == NULL))) {
        return 0;
    }
    return 1;
}

/* A KMS key is KMS's own: there is nothing to check here (as libcrypto
 * assumes for a keymgmt without validate). */
static int hwc_km_validate(const void *keydata, int selection, int checktype)
{
    const hwc_rkey *key = keydata;
    OSSL_FUNC_keymgmt_validate_fn *fn;

    if (key == NULL || !hwc_rkey_is_local(key)) {
        return key != NULL;
    }
    fn = KMF(key->fwd, VALIDATE, validate);
    return fn == NULL || fn(key->fwd_kd, selection, checktype);
}

/*------------------------------------------------------------ params */

/* RSA: SHA-256 at every size; EC: the digest matching the curve; SM2:
 * SM3. */
static const char *hwc_km_default_digest(const hwc_rkey *key)
{
    int bits = EVP_PKEY_get_bits(key->pub);

    if (key->sm2) {
        return "SM3";
    }
    if (key->base_id != EVP_PKEY_EC || bits <= 256) {
        return "SHA256";
    }
    return bits <= 384 ? "SHA384" : "SHA512";
}

/* KMS keys: every public parameter comes from pub (bits, n/e, group, pub
 * point...). */
static int hwc_km_get_params(void *keydata, OSSL_PARAM params[])
{
    hwc_rkey *key = keydata;
    OSSL_PARAM *p;

    if (key != NULL && hwc_rkey_is_local(key)) {
        OSSL_FUNC_keymgmt_get_params_fn *fn =
            KMF(key->fwd, GET_PARAMS, get_params);

        return fn != NULL && fn(key->fwd_kd, params);
    }
    if (key == NULL || key->pub == NULL) {
        return 0;
    }
    if (!EVP_PKEY_get_params(key->pub, params)) {
        return 0;
    }
    p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_DEFAULT_DIGEST);
    if (p != NULL &&
        !OSSL_PARAM_set_utf8_string(p, hwc_km_default_digest(key))) {
        return 0;
    }
    return 1;
}

static int hwc_km_set_params(void *keydata, const OSSL_PARAM params[])
{
    hwc_rkey *key = keydata;
    OSSL_FUNC_keymgmt_set_params_fn *fn;

    if (key != NULL && hwc_rkey_is_local(key)) {
        fn = KMF(key->fwd, SET_PARAMS, set_params);
        return fn != NULL && fn(key->fwd_kd, params);
    }
    if (params == NULL || params[0].key == NULL) {
        return 1;
    }
    hwc_raise(HWC_R_UNSUPPORTED, "a KMS key (%s) cannot be changed",
              key != NULL && key->uri != NULL ? key->uri : "?");
    return 0;
}

/* What a KMS key answers; the other provider's tables, a superset, are
 * given when it can be reached. */
static const OSSL_PARAM hwc_rsa_km_gettable_list[] = {
    OSSL_PARAM_int(OSSL_PKEY_PARAM_BITS, NULL),
    OSSL_PARAM_int(OSSL_PKEY_PARAM_SECURITY_BITS, NULL),
    OSSL_PARAM_int(OSSL_PKEY_PARAM_MAX_SIZE, NULL),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_DEFAULT_DIGEST, NULL, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_N, NULL, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_E, NULL, 0),
    OSSL_PARAM_END};

static const OSSL_PARAM hwc_ec_km_gettable_list[] = {
    OSSL_PARAM_int(OSSL_PKEY_PARAM_BITS, NULL),
    OSSL_PARAM_int(OSSL_PKEY_PARAM_SECURITY_BITS, NULL),
    OSSL_PARAM_int(OSSL_PKEY_PARAM_MAX_SIZE, NULL),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_DEFAULT_DIGEST, NULL, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, NULL, 0),
    OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, NULL, 0),
    OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, NULL, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, NULL, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_EC_PUB_X, NULL, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_EC_PUB_Y, NULL, 0),
    OSSL_PARAM_END};

/* A table of the other provider's keymgmt (function id: gettable or
 * settable params), or fallback. Provider tables are static: the pointer
 * outlives the look-up. */
static const OSSL_PARAM *hwc_km_table(void *provctx, const char *type, int id,
                                      const OSSL_PARAM *fallback)
{
    hwc_kmfwd *f;
    OSSL_FUNC_keymgmt_gettable_params_fn *fn;
    const OSSL_PARAM *t = NULL;

    ERR_set_mark();
    f = hwc_kmfwd_get(hwc_km_libctx(provctx), type);
    ERR_pop_to_mark();
    if (f != NULL &&
        (fn = HWC_FWD_FN(&f->f, id, OSSL_FUNC_keymgmt_gettable_params_fn)) !=
            NULL) {
        t = fn(f->f.provctx);
    }
    hwc_kmfwd_free(f);
    return t != NULL ? t : fallback;
}

/*------------------------------------------------------------- match */

struct hwc_km_imp {
    const hwc_kmfwd *f;
    void *kd;
    int selection;
};

static int hwc_km_import_cb(const OSSL_PARAM params[], void *arg)
{
    struct hwc_km_imp *imp = arg;
    OSSL_FUNC_keymgmt_import_fn *fn = KMF(imp->f, IMPORT, import);

    return fn != NULL && fn(imp->kd, imp->selection, params);
}

static int hwc_km_same_impl(const hwc_kmfwd *a, const hwc_kmfwd *b)
{
    return a == b || (EVP_KEYMGMT_get0_provider(a->km) ==
                          EVP_KEYMGMT_get0_provider(b->km) &&
                      a->f.provctx == b->f.provctx);
}

/* key as key data of f's keymgmt: borrowed when it already is one (*owned
 * 0), else a copy of its selected parts (never the private half of a KMS
 * key, which is not here). NULL on failure. */
void *hwc_km_as_fwd(const hwc_rkey *key, const hwc_kmfwd *f, int selection,
                    int *owned)
{
    struct hwc_km_imp imp = {f, NULL, selection};
    OSSL_FUNC_keymgmt_new_fn *nfn = KMF(f, NEW, new);
    OSSL_FUNC_keymgmt_export_fn *efn;
    int ok;

    *owned = 0;
    if (hwc_rkey_is_local(key) && hwc_km_same_impl(key->fwd, f)) {
        return key->fwd_kd;
    }
    if (nfn == NULL || (imp.kd = nfn(f->f.provctx)) == NULL) {
        return NULL;
    }
    if (hwc_rkey_is_local(key)) {
        efn = KMF(key->fwd, EXPORT, export);
        ok = efn != NULL && efn(key->fwd_kd, selection, hwc_km_import_cb, &imp);
    } else {
        imp.selection &= ~OSSL_KEYMGMT_SELECT_PRIVATE_KEY;
        ok = key->pub != NULL &&
             EVP_PKEY_export(key->pub, imp.selection, hwc_km_import_cb, &imp);
    }
    if (!ok) {
        hwc_kmfwd_free_kd(f, imp.kd);
        return NULL;
    }
    *owned = 1;
    return imp.kd;
}

/* Two KMS keys, or a KMS key and its public half: the public halves
 * decide (a KMS key and its public half are one key). */
static int hwc_km_match_kms(const hwc_rkey *k1, const hwc_rkey *k2,
                            int selection)
{
    if (k1->pub == NULL || k2->pub == NULL) {
        return 0;
    }
    if ((selection & OSSL_KEYMGMT_SELECT_KEYPAIR) != 0) {
        return EVP_PKEY_eq(k1->pub, k2->pub) == 1;
    }
    if ((selection & OSSL_KEYMGMT_SELECT_ALL_PARAMETERS) != 0) {
        return EVP_PKEY_parameters_eq(k1->pub, k2->pub) == 1;
    }
    return 1;
}

/* With a local key on either side, the other provider compares, in its
 * own key data; a KMS key takes part with its public half. */
static int hwc_km_match_fwd(const hwc_rkey *loc, const hwc_rkey *other,
                            int selection)
{
    OSSL_FUNC_keymgmt_match_fn *fn = KMF(loc->fwd, MATCH, match);
    void *kd;
    int owned, ok;

    if (!hwc_rkey_is_local(other) &&
        (selection & OSSL_KEYMGMT_SELECT_KEYPAIR) != 0) {
        selection = (selection & ~OSSL_KEYMGMT_SELECT_KEYPAIR) |
                    OSSL_KEYMGMT_SELECT_PUBLIC_KEY;
    }
    if (fn == NULL ||
        (kd = hwc_km_as_fwd(other, loc->fwd, selection, &owned)) == NULL) {
        return 0;
    }
    ok = fn(loc->fwd_kd, kd, selection);
    if (owned) {
        hwc_kmfwd_free_kd(loc->fwd, kd);
    }
    return ok;
}

static int hwc_km_match(const void *keydata1, const void *keydata2,
                        int selection)
{
    const hwc_rkey *k1 = keydata1, *k2 = keydata2;

    if (k1 == k2) {
        return 1;
    }
    if (k1 == NULL || k2 == NULL) {
        return 0;
    }
    if (hwc_rkey_is_local(k1)) {
        return hwc_km_match_fwd(k1, k2, selection);
    }
    if (hwc_rkey_is_local(k2)) {
        return hwc_km_match_fwd(k2, k1, selection);
    }
    return hwc_km_match_kms(k1, k2, selection);
}

/*---------------------------------------------------- import and export */

/*
 * KMS keys: public parts only. Refusing any selection with the private key
 * is what keeps libcrypto from handing a public-only copy to another
 * provider's operations (it then uses ours). No error is raised: libcrypto
 * expects this refusal and moves on. Local keys export what they have.
 */
static int hwc_km_export(void *keydata, int selection, OSSL_CALLBACK *cb,
                         void *cbarg)
{
    hwc_rkey *key = keydata;

    if (key != NULL && hwc_rkey_is_local(key)) {
        OSSL_FUNC_keymgmt_export_fn *fn = KMF(key->fwd, EXPORT, export);

        return fn != NULL && fn(key->fwd_kd, selection, cb, cbarg);
    }
    if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0) {
        hwc_debug("refusing to export the private part of %s",
                  key != NULL ? key->uri : "(null)");
        return 0;
    }
    if (key == NULL || key->pub == NULL) {
        return 0;
    }
    return EVP_PKEY_export(key->pub, selection, cb, cbarg);
}

/* Into a local key (made by hwc_km_new); nothing goes into a KMS key. */
static int hwc_km_import(void *keydata, int selection,
                         const OSSL_PARAM params[])
{
    hwc_rkey *key = keydata;
    OSSL_FUNC_keymgmt_import_fn *fn;

    if (key == NULL || !hwc_rkey_is_local(key)) {
        hwc_debug("refusing to import into a KMS key");
        return 0;
    }
    fn = KMF(key->fwd, IMPORT, import);
    return fn != NULL && fn(key->fwd_kd, selection, params);
}

/*
 * The parameters a key of each type takes and gives, KMS and local alike
 * (OpenSSL 3.0 asks without a provider context, so the other provider's
 * lists cannot be looked up there): those of the default provider for
 * two-prime RSA and named-curve EC keys.
 */
static const OSSL_PARAM hwc_rsa_km_types[] = {
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_N, NULL, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_E, NULL, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_D, NULL, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_FACTOR1, NULL, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_FACTOR2, NULL, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_EXPONENT1, NULL, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_EXPONENT2, NULL, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_COEFFICIENT1, NULL, 0),
    OSSL_PARAM_END};

static const OSSL_PARAM hwc_ec_km_types[] = {
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, NULL, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_ENCODING, NULL, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, NULL, 0),
    OSSL_PARAM_int(OSSL_PKEY_PARAM_USE_COFACTOR_ECDH, NULL),
    OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, NULL, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_PRIV_KEY, NULL, 0),
    OSSL_PARAM_END};

static const OSSL_PARAM *hwc_rsa_km_types_fn(int selection)
{
    return (selection & OSSL_KEYMGMT_SELECT_ALL) != 0 ? hwc_rsa_km_types : NULL;
}

static const OSSL_PARAM *hwc_ec_km_types_fn(int selection)
{
    return (selection & OSSL_KEYMGMT_SELECT_ALL) != 0 ? hwc_ec_km_types : NULL;
}

/* SM2 keys are EC keys on the SM2 curve, with the same parameters. */
#define hwc_sm2_km_types_fn hwc_ec_km_types_fn
#define hwc_sm2_km_gettable_list hwc_ec_km_gettable_list

/* RSA: our signature and asymmetric cipher take KMS keys and forward local
 * ones; they have names of their own so that ordinary keys of the default
 * provider never reach them. Key exchange and KEM: the standard names, and
 * libcrypto hands local keys (exported) to the default implementation. */
static const char *hwc_rsa_km_query_name(int operation_id)
{
    switch (operation_id) {
    case OSSL_OP_SIGNATURE:
        return HWC_SIG_RSA;
    case OSSL_OP_ASYM_CIPHER:
        return HWC_CIPHER_RSA;
    default:
        return "RSA";
    }
}

static const char *hwc_ec_km_query_name(int operation_id)
{
    switch (operation_id) {
    case OSSL_OP_SIGNATURE:
        return HWC_SIG_ECDSA;
    case OSSL_OP_KEYEXCH:
        return "ECDH";
    default:
        return NULL;
    }
}

/* SM2: our signature; SM2 encryption is the default provider's (local
 * keys, or a KMS key's public half). */
static const char *hwc_sm2_km_query_name(int operation_id)
{
    return operation_id == OSSL_OP_SIGNATURE ? HWC_SIG_SM2 : "SM2";
}

/*----------------------------------------------- per-type entry points */

#define HWC_KM_TYPED(t, TYPE, BASE)                                            \
    static void *hwc_##t##_km_new(void *provctx)                               \
    {                                                                          \
        return hwc_km_new(provctx, TYPE);                                      \
    }                                                                          \
    static void *hwc_##t##_km_load(const void *ref, size_t ref_sz)             \
    {                                                                          \
        return hwc_km_load(ref, ref_sz, BASE);                                 \
    }                                                                          \
    static const OSSL_PARAM *hwc_##t##_km_gettable(void *provctx)              \
    {                                                                          \
        return hwc_km_table(provctx, TYPE, OSSL_FUNC_KEYMGMT_GETTABLE_PARAMS,  \
                            hwc_##t##_km_gettable_list);                       \
    }                                                                          \
    static const OSSL_PARAM *hwc_##t##_km_settable(void *provctx)              \
    {                                                                          \
        return hwc_km_table(provctx, TYPE, OSSL_FUNC_KEYMGMT_SETTABLE_PARAMS,  \
                            NULL);                                             \
    }                                                                          \
    static void *hwc_##t##_km_gen_init(void *provctx, int selection,           \
                                       const OSSL_PARAM params[])              \
    {                                                                          \
        return hwc_km_gen_init(provctx, TYPE, selection, params);              \
    }                                                                          \
    static const OSSL_PARAM *hwc_##t##_km_gen_settable(void *genctx,           \
                                                       void *provctx)          \
    {                                                                          \
        return hwc_km_gen_settable(genctx, provctx, TYPE);                     \
    }                                                                          \
    HWC_KM_TYPED_GEN_GET(t, TYPE)

#ifdef OSSL_FUNC_KEYMGMT_GEN_GET_PARAMS
#define HWC_KM_TYPED_GEN_GET(t, TYPE)                                          \
    static const OSSL_PARAM *hwc_##t##_km_gen_gettable(void *genctx,           \
                                                       void *provctx)          \
    {                                                                          \
        return hwc_km_gen_gettable(genctx, provctx, TYPE);                     \
    }
#define HWC_KM_GEN_GET_FNS(t)                                                  \
    {OSSL_FUNC_KEYMGMT_GEN_GET_PARAMS, (void (*)(void))hwc_km_gen_get_params}, \
        {OSSL_FUNC_KEYMGMT_GEN_GETTABLE_PARAMS,                                \
         (void (*)(void))hwc_##t##_km_gen_gettable},
#else
#define HWC_KM_TYPED_GEN_GET(t, TYPE)
#define HWC_KM_GEN_GET_FNS(t)
#endif

HWC_KM_TYPED(rsa, "RSA", EVP_PKEY_RSA)
HWC_KM_TYPED(ec, "EC", EVP_PKEY_EC)
HWC_KM_TYPED(sm2, "SM2", EVP_PKEY_SM2)

#define HWC_KM_FUNCTIONS(t)                                                    \
    {OSSL_FUNC_KEYMGMT_NEW, (void (*)(void))hwc_##t##_km_new},                 \
        {OSSL_FUNC_KEYMGMT_FREE, (void (*)(void))hwc_km_free},                 \
        {OSSL_FUNC_KEYMGMT_DUP, (void (*)(void))hwc_km_dup},                   \
        {OSSL_FUNC_KEYMGMT_LOAD, (void (*)(void))hwc_##t##_km_load},           \
        {OSSL_FUNC_KEYMGMT_HAS, (void (*)(void))hwc_km_has},                   \
        {OSSL_FUNC_KEYMGMT_VALIDATE, (void (*)(void))hwc_km_validate},         \
        {OSSL_FUNC_KEYMGMT_GET_PARAMS, (void (*)(void))hwc_km_get_params},     \
        {OSSL_FUNC_KEYMGMT_GETTABLE_PARAMS,                                    \
         (void (*)(void))hwc_##t##_km_gettable},                               \
        {OSSL_FUNC_KEYMGMT_SET_PARAMS, (void (*)(void))hwc_km_set_params},     \
        {OSSL_FUNC_KEYMGMT_SETTABLE_PARAMS,                                    \
         (void (*)(void))hwc_##t##_km_settable},                               \
        {OSSL_FUNC_KEYMGMT_MATCH, (void (*)(void))hwc_km_match},               \
        {OSSL_FUNC_KEYMGMT_EXPORT, (void (*)(void))hwc_km_export},             \
        {OSSL_FUNC_KEYMGMT_EXPORT_TYPES,                                       \
         (void (*)(void))hwc_##t##_km_types_fn},                               \
        {OSSL_FUNC_KEYMGMT_IMPORT, (void (*)(void))hwc_km_import},             \
        {OSSL_FUNC_KEYMGMT_IMPORT_TYPES,                                       \
         (void (*)(void))hwc_##t##_km_types_fn},                               \
        {OSSL_FUNC_KEYMGMT_QUERY_OPERATION_NAME,                               \
         (void (*)(void))hwc_##t##_km_query_name},                             \
        {OSSL_FUNC_KEYMGMT_GEN_INIT, (void (*)(void))hwc_##t##_km_gen_init},   \
        {OSSL_FUNC_KEYMGMT_GEN_SET_TEMPLATE,                                   \
         (void (*)(void))hwc_km_gen_set_template},                             \
        {OSSL_FUNC_KEYMGMT_GEN_SET_PARAMS,                                     \
         (void (*)(void))hwc_km_gen_set_params},                               \
        {OSSL_FUNC_KEYMGMT_GEN_SETTABLE_PARAMS,                                \
         (void (*)(void))hwc_##t##_km_gen_settable},                           \
        {OSSL_FUNC_KEYMGMT_GEN, (void (*)(void))hwc_km_gen},                   \
        {OSSL_FUNC_KEYMGMT_GEN_CLEANUP, (void (*)(void))hwc_km_gen_cleanup},   \
        HWC_KM_GEN_GET_FNS(t)                                                  \
    {                                                                          \
        0, NULL                                                                \
    }

const OSSL_DISPATCH hwc_rsa_keymgmt_functions[] = {HWC_KM_FUNCTIONS(rsa)};
const OSSL_DISPATCH hwc_ec_keymgmt_functions[] = {HWC_KM_FUNCTIONS(ec)};
const OSSL_DISPATCH hwc_sm2_keymgmt_functions[] = {HWC_KM_FUNCTIONS(sm2)};
