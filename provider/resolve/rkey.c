/*
 * rkey.c: life cycle of a KMS-held key object (see rkey.h for ownership).
 */
#include <string.h>

#include <openssl/crypto.h>

#include "core/hwc.h"
#include "resolve/rkey.h"

hwc_rkey *hwc_rkey_new(const char *uri, const char *key_id,
                       const char *key_spec, enum hwc_key_usage usage,
                       EVP_PKEY *pub, const struct hwc_rkey_ops *ops,
                       void *ops_arg)
{
    hwc_rkey *k = OPENSSL_zalloc(sizeof(*k));

    if (k == NULL || (k->uri = OPENSSL_strdup(uri ? uri : "")) == NULL) {
        OPENSSL_free(k);
        hwc_raise(HWC_R_MALLOC, "allocating a key object");
        return NULL;
    }
    k->refs = 1;
    OPENSSL_strlcpy(k->key_id, key_id ? key_id : "", sizeof(k->key_id));
    OPENSSL_strlcpy(k->key_spec, key_spec ? key_spec : "", sizeof(k->key_spec));
    k->usage = usage;
    k->base_id = pub != NULL ? EVP_PKEY_get_base_id(pub) : EVP_PKEY_NONE;
    if (pub != NULL && EVP_PKEY_is_a(pub, "SM2")) {
        k->sm2 = 1; /* OpenSSL 3.0 gives provider SM2 keys no base id */
        k->base_id = EVP_PKEY_SM2;
    }
    k->pub = pub;
    k->ops = ops;
    k->ops_arg = ops_arg;
    return k;
}

hwc_rkey *hwc_rkey_up_ref(hwc_rkey *k)
{
    if (k != NULL) {
        __atomic_add_fetch(&k->refs, 1, __ATOMIC_RELAXED);
    }
    return k;
}

void hwc_rkey_free(hwc_rkey *k)
{
    if (k == NULL || __atomic_sub_fetch(&k->refs, 1, __ATOMIC_ACQ_REL) > 0) {
        return;
    }
    EVP_PKEY_free(k->pub);
    if (k->fwd != NULL) {
        k->fwd_free(k->fwd, k->fwd_kd);
    }
    if (k->ops != NULL && k->ops->arg_free != NULL) {
        k->ops->arg_free(k->ops_arg);
    }
    OPENSSL_free(k->uri);
    OPENSSL_clear_free(k, sizeof(*k));
}

const char *hwc_rkey_type_name(const hwc_rkey *k)
{
    return k->base_id == EVP_PKEY_EC    ? "EC"
           : k->base_id == EVP_PKEY_SM2 ? "SM2"
                                        : "RSA";
}
