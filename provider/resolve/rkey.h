/*
 * rkey.h: a key whose private half stays in KMS. hwc_fetch builds one per
 * `kms:key/<id>` it fetches; the store (and the wrapped-URI decoder) pass
 * it by OSSL_OBJECT_PARAM_REFERENCE to our keymgmt (emit.h). The private
 * operations go through `ops` (kms.c binds them to the KMS client; unit
 * tests bind them to a local key); everything public is done locally with
 * `pub`, a key of the default provider.
 *
 * Ownership: the reference is a pointer to the holder's `hwc_rkey *`;
 * keymgmt `load` takes its own reference (up-ref), and the holder drops
 * its one with hwc_rkey_free (the store when its context closes, the
 * decoder when its callback returns).
 *
 * A "local" key is every other RSA, EC or SM2 key that libcrypto asks our
 * keymgmt to make (generation, import, copies of other keys): the key data
 * of another provider's keymgmt (`fwd`, `fwd_kd`), to which every call is
 * forwarded (fwd.h). It has no uri, pub or ops, and never reaches KMS.
 */
#ifndef HWC_RKEY_H
#define HWC_RKEY_H

#include <stddef.h>

#include <openssl/evp.h>

#include "services/kms.h" /* hwc_key_usage, hwc_rkey_ops */

/*
 * The names of our signature and asymmetric cipher. Our keymgmt gives them
 * for its keys (query_operation_name); they are not the standard "RSA" and
 * "ECDSA", so that libcrypto's fetch by standard name for the default
 * provider's keys never picks ours, whichever provider was activated first.
 */
#define HWC_SIG_RSA "HWCLOUD-RSA"
#define HWC_SIG_ECDSA "HWCLOUD-ECDSA"
#define HWC_SIG_SM2 "HWCLOUD-SM2"
#define HWC_CIPHER_RSA "HWCLOUD-RSA"

typedef struct hwc_rkey {
    int refs;  /* atomic via hwc_rkey_up_ref/free */
    char *uri; /* the URI it was loaded from (for messages, encoders) */
    char key_id[40];
    char key_spec[16]; /* "RSA_2048", "EC_P256", ... */
    enum hwc_key_usage usage;
    int base_id;   /* EVP_PKEY_RSA, EVP_PKEY_EC or EVP_PKEY_SM2 */
    int sm2;       /* base_id is EVP_PKEY_SM2 (SM2DSA_SM3 signatures) */
    EVP_PKEY *pub; /* public half, default provider */
    const struct hwc_rkey_ops *ops;
    void *ops_arg;
    struct hwc_kmfwd *fwd; /* local keys only (hwc_rkey_new_local, fwd.h) */
    void *fwd_kd;
    /* frees fwd (a reference) and fwd_kd when the last reference goes */
    void (*fwd_free)(struct hwc_kmfwd *fwd, void *kd);
} hwc_rkey;

/* Takes ownership of pub and of ops_arg; copies uri/key_id/spec. */
hwc_rkey *hwc_rkey_new(const char *uri, const char *key_id,
                       const char *key_spec, enum hwc_key_usage usage,
                       EVP_PKEY *pub, const struct hwc_rkey_ops *ops,
                       void *ops_arg);
#define hwc_rkey_is_local(k) ((k)->fwd != NULL)
/* The key type name libcrypto knows it by: "RSA", "EC" or "SM2". */
const char *hwc_rkey_type_name(const hwc_rkey *k);
hwc_rkey *hwc_rkey_up_ref(hwc_rkey *k);
void hwc_rkey_free(hwc_rkey *k);

#endif /* HWC_RKEY_H */
