/*
 * algs.c: the algorithm tables of the remote-key operations (keymgmt,
 * signature, asym cipher, encoder) that provider.c hands to the core.
 * Key types carry the standard names and OIDs, so EVP_PKEY_is_a(pkey,
 * "RSA") and libssl's certificate-type lookup work on our keys (and our
 * keymgmt takes every key it is asked for: keymgmt.c); every entry has
 * provider=hwcloud so that property queries can avoid us.
 */
#include <stddef.h>

#include <openssl/core_dispatch.h>

#include "ossl/provider.h"
#include "resolve/rkey.h"

#define HWC_RSA_NAMES "RSA:rsaEncryption:1.2.840.113549.1.1.1"
#define HWC_EC_NAMES "EC:id-ecPublicKey:1.2.840.10045.2.1"
#define HWC_SM2_NAMES "SM2:1.2.156.10197.1.301"

static const OSSL_ALGORITHM hwc_keymgmt_algs[] = {
    {HWC_RSA_NAMES, HWC_PROPS, hwc_rsa_keymgmt_functions,
     "RSA keys held in Huawei Cloud KMS, and local keys (forwarded)"},
    {HWC_EC_NAMES, HWC_PROPS, hwc_ec_keymgmt_functions,
     "EC keys held in Huawei Cloud KMS, and local keys (forwarded)"},
    {HWC_SM2_NAMES, HWC_PROPS, hwc_sm2_keymgmt_functions,
     "SM2 keys held in Huawei Cloud KMS, and local keys (forwarded)"},
    {NULL, NULL, NULL, NULL}};

/* Names of their own (rkey.h): reached through our keymgmt only. */
static const OSSL_ALGORITHM hwc_signature_algs[] = {
    {HWC_SIG_RSA, HWC_PROPS, hwc_rsa_signature_functions,
     "RSA PKCS#1 v1.5 and PSS signatures in Huawei Cloud KMS"},
    {HWC_SIG_ECDSA, HWC_PROPS, hwc_ecdsa_signature_functions,
     "ECDSA signatures in Huawei Cloud KMS"},
    {HWC_SIG_SM2, HWC_PROPS, hwc_ecdsa_signature_functions,
     "SM2 signatures (SM2DSA_SM3) in Huawei Cloud KMS"},
    {NULL, NULL, NULL, NULL}};

static const OSSL_ALGORITHM hwc_asym_cipher_algs[] = {
    {HWC_CIPHER_RSA, HWC_PROPS, hwc_rsa_asym_cipher_functions,
     "RSA-OAEP decryption in Huawei Cloud KMS"},
    {NULL, NULL, NULL, NULL}};

const OSSL_ALGORITHM *hwc_algorithms(int operation_id)
{
    switch (operation_id) {
    case OSSL_OP_KEYMGMT:
        return hwc_keymgmt_algs;
    case OSSL_OP_SIGNATURE:
        return hwc_signature_algs;
    case OSSL_OP_ASYM_CIPHER:
        return hwc_asym_cipher_algs;
    case OSSL_OP_ENCODER:
        return hwc_encoder_algorithms();
    default:
        return NULL;
    }
}
