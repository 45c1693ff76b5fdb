/*
 * keymgmt.c: RSA and EC key management for KMS-held keys (hwc_rkey). The
 * key data is the hwc_rkey itself, shared and immutable: load and dup take
 * a reference, free drops one. Everything public is answered from
 * key->pub; the private half never leaves KMS, so export of private parts
 * and import of foreign keys are refused (pitfalls.md items 6 and 16).
 */
#include <string.h>

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/core_object.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "hwc.h"
#include "provider.h"
#include "rkey.h"

extern const OSSL_DISPATCH hwc_rsa_keymgmt_functions[];
extern const OSSL_DISPATCH hwc_ec_keymgmt_functions[];

static OSSL_FUNC_keymgmt_new_fn hwc_km_new;
static OSSL_FUNC_keymgmt_free_fn hwc_km_free;
static OSSL_FUNC_keymgmt_dup_fn hwc_km_dup;
static OSSL_FUNC_keymgmt_load_fn hwc_rsa_km_load;
static OSSL_FUNC_keymgmt_load_fn hwc_ec_km_load;
static OSSL_FUNC_keymgmt_has_fn hwc_km_has;
static OSSL_FUNC_keymgmt_get_params_fn hwc_km_get_params;
static OSSL_FUNC_keymgmt_gettable_params_fn hwc_rsa_km_gettable_params;
static OSSL_FUNC_keymgmt_gettable_params_fn hwc_ec_km_gettable_params;
static OSSL_FUNC_keymgmt_match_fn hwc_km_match;
static OSSL_FUNC_keymgmt_export_fn hwc_km_export;
static OSSL_FUNC_keymgmt_export_types_fn hwc_rsa_km_export_types;
static OSSL_FUNC_keymgmt_export_types_fn hwc_ec_km_export_types;
static OSSL_FUNC_keymgmt_import_fn hwc_km_import;
static OSSL_FUNC_keymgmt_import_types_fn hwc_km_import_types;
static OSSL_FUNC_keymgmt_query_operation_name_fn hwc_rsa_km_query_name;
static OSSL_FUNC_keymgmt_query_operation_name_fn hwc_ec_km_query_name;

/* An empty key: libcrypto's generic paths (import attempts, EVP_PKEY
 * copies) need a constructor; an empty key has nothing and does nothing. */
static void *hwc_km_new(void *provctx)
{
    (void)provctx;
    return hwc_rkey_new(NULL, NULL, NULL, HWC_USAGE_UNKNOWN, NULL, NULL, NULL);
}

static void hwc_km_free(void *keydata)
{
    hwc_rkey_free(keydata);
}

/* Keys are immutable after creation, so a duplicate is another reference. */
static void *hwc_km_dup(const void *keydata, int selection)
{
    (void)selection;
    return hwc_rkey_up_ref((hwc_rkey *)keydata);
}

/* The store passes a pointer to its hwc_rkey * (rkey.h): take a reference. */
static void *hwc_km_load(const void *reference, size_t reference_sz,
                         int base_id)
{
    hwc_rkey *key;

    if (reference == NULL || reference_sz != sizeof(hwc_rkey *)) {
        hwc_raise(NULL, HWC_R_INTERNAL, "bad key reference (size %zu)",
                  reference_sz);
        return NULL;
    }
    key = *(hwc_rkey *const *)reference;
    if (key == NULL || key->pub == NULL || key->base_id != base_id) {
        hwc_raise(NULL, HWC_R_INTERNAL, "key reference of the wrong type");
        return NULL;
    }
    return hwc_rkey_up_ref(key);
}

static void *hwc_rsa_km_load(const void *reference, size_t reference_sz)
{
    return hwc_km_load(reference, reference_sz, EVP_PKEY_RSA);
}

static void *hwc_ec_km_load(const void *reference, size_t reference_sz)
{
    return hwc_km_load(reference, reference_sz, EVP_PKEY_EC);
}

/* The private half exists (in KMS) whenever the key came from the store. */
static int hwc_km_has(const void *keydata, int selection)
{
    const hwc_rkey *key = keydata;

    if (key == NULL) {
        return 0;
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

/* RSA: SHA-256 at every size; EC: the digest matching the curve. */
static const char *hwc_km_default_digest(const hwc_rkey *key)
{
    int bits = EVP_PKEY_get_bits(key->pub);

    if (key->base_id != EVP_PKEY_EC || bits <= 256) {
        return "SHA256";
    }
    return bits <= 384 ? "SHA384" : "SHA512";
}

/* Every public parameter comes from pub (bits, n/e, group, pub point...). */
static int hwc_km_get_params(void *keydata, OSSL_PARAM params[])
{
    hwc_rkey *key = keydata;
    OSSL_PARAM *p;

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

static const OSSL_PARAM hwc_rsa_km_gettable[] = {
    OSSL_PARAM_int(OSSL_PKEY_PARAM_BITS, NULL),
    OSSL_PARAM_int(OSSL_PKEY_PARAM_SECURITY_BITS, NULL),
    OSSL_PARAM_int(OSSL_PKEY_PARAM_MAX_SIZE, NULL),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_DEFAULT_DIGEST, NULL, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_N, NULL, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_E, NULL, 0),
    OSSL_PARAM_END};

static const OSSL_PARAM hwc_ec_km_gettable[] = {
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

static const OSSL_PARAM *hwc_rsa_km_gettable_params(void *provctx)
{
    (void)provctx;
    return hwc_rsa_km_gettable;
}

static const OSSL_PARAM *hwc_ec_km_gettable_params(void *provctx)
{
    (void)provctx;
    return hwc_ec_km_gettable;
}

/*
 * libcrypto only matches two key datas of this keymgmt, so both are ours:
 * the public halves decide (a KMS key and its public half are one key).
 */
static int hwc_km_match(const void *keydata1, const void *keydata2,
                        int selection)
{
    const hwc_rkey *k1 = keydata1, *k2 = keydata2;

    if (k1 == k2) {
        return 1;
    }
    if (k1 == NULL || k2 == NULL || k1->pub == NULL || k2->pub == NULL) {
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

/*
 * Public parts only. Refusing any selection with the private key is what
 * keeps libcrypto from handing a public-only copy to another provider's
 * signature (do_sigver_init then falls back to our own implementation).
 * No error is raised: libcrypto expects this refusal and moves on.
 */
static int hwc_km_export(void *keydata, int selection, OSSL_CALLBACK *cb,
                         void *cbarg)
{
    hwc_rkey *key = keydata;

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

static const OSSL_PARAM hwc_rsa_km_export_list[] = {
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_N, NULL, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_E, NULL, 0), OSSL_PARAM_END};

static const OSSL_PARAM hwc_ec_km_export_list[] = {
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, NULL, 0),
    OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, NULL, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, NULL, 0),
    OSSL_PARAM_END};

static const OSSL_PARAM *hwc_rsa_km_export_types(int selection)
{
    return (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0
               ? NULL
               : hwc_rsa_km_export_list;
}

static const OSSL_PARAM *hwc_ec_km_export_types(int selection)
{
    return (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0
               ? NULL
               : hwc_ec_km_export_list;
}

/*
 * Foreign keys are never imported: our TLS client (libcurl) and other
 * libcrypto users would otherwise route their keys through us (the
 * recursion the Azure provider hit; pitfalls.md item 6).
 */
static int hwc_km_import(void *keydata, int selection,
                         const OSSL_PARAM params[])
{
    (void)keydata;
    (void)selection;
    (void)params;
    hwc_debug("refusing to import a foreign key");
    return 0;
}

static const OSSL_PARAM *hwc_km_import_types(int selection)
{
    (void)selection;
    return NULL;
}

static const char *hwc_rsa_km_query_name(int operation_id)
{
    (void)operation_id;
    return "RSA";
}

static const char *hwc_ec_km_query_name(int operation_id)
{
    return operation_id == OSSL_OP_SIGNATURE ? "ECDSA" : NULL;
}

const OSSL_DISPATCH hwc_rsa_keymgmt_functions[] = {
    {OSSL_FUNC_KEYMGMT_NEW, (void (*)(void))hwc_km_new},
    {OSSL_FUNC_KEYMGMT_FREE, (void (*)(void))hwc_km_free},
    {OSSL_FUNC_KEYMGMT_DUP, (void (*)(void))hwc_km_dup},
    {OSSL_FUNC_KEYMGMT_LOAD, (void (*)(void))hwc_rsa_km_load},
    {OSSL_FUNC_KEYMGMT_HAS, (void (*)(void))hwc_km_has},
    {OSSL_FUNC_KEYMGMT_GET_PARAMS, (void (*)(void))hwc_km_get_params},
    {OSSL_FUNC_KEYMGMT_GETTABLE_PARAMS,
     (void (*)(void))hwc_rsa_km_gettable_params},
    {OSSL_FUNC_KEYMGMT_MATCH, (void (*)(void))hwc_km_match},
    {OSSL_FUNC_KEYMGMT_EXPORT, (void (*)(void))hwc_km_export},
    {OSSL_FUNC_KEYMGMT_EXPORT_TYPES, (void (*)(void))hwc_rsa_km_export_types},
    {OSSL_FUNC_KEYMGMT_IMPORT, (void (*)(void))hwc_km_import},
    {OSSL_FUNC_KEYMGMT_IMPORT_TYPES, (void (*)(void))hwc_km_import_types},
    {OSSL_FUNC_KEYMGMT_QUERY_OPERATION_NAME,
     (void (*)(void))hwc_rsa_km_query_name},
    {0, NULL}};

const OSSL_DISPATCH hwc_ec_keymgmt_functions[] = {
    {OSSL_FUNC_KEYMGMT_NEW, (void (*)(void))hwc_km_new},
    {OSSL_FUNC_KEYMGMT_FREE, (void (*)(void))hwc_km_free},
    {OSSL_FUNC_KEYMGMT_DUP, (void (*)(void))hwc_km_dup},
    {OSSL_FUNC_KEYMGMT_LOAD, (void (*)(void))hwc_ec_km_load},
    {OSSL_FUNC_KEYMGMT_HAS, (void (*)(void))hwc_km_has},
    {OSSL_FUNC_KEYMGMT_GET_PARAMS, (void (*)(void))hwc_km_get_params},
    {OSSL_FUNC_KEYMGMT_GETTABLE_PARAMS,
     (void (*)(void))hwc_ec_km_gettable_params},
    {OSSL_FUNC_KEYMGMT_MATCH, (void (*)(void))hwc_km_match},
    {OSSL_FUNC_KEYMGMT_EXPORT, (void (*)(void))hwc_km_export},
    {OSSL_FUNC_KEYMGMT_EXPORT_TYPES, (void (*)(void))hwc_ec_km_export_types},
    {OSSL_FUNC_KEYMGMT_IMPORT, (void (*)(void))hwc_km_import},
    {OSSL_FUNC_KEYMGMT_IMPORT_TYPES, (void (*)(void))hwc_km_import_types},
    {OSSL_FUNC_KEYMGMT_QUERY_OPERATION_NAME,
     (void (*)(void))hwc_ec_km_query_name},
    {0, NULL}};
