/*
 * algs.c: the algorithm tables of the remote-key operations (keymgmt,
 * signature, asym cipher, encoder) that provider.c hands to the core.
 * Key types carry the standard names and OIDs, so EVP_PKEY_is_a(pkey,
 * "RSA") and libssl's certificate-type lookup work on our keys; every
 * entry has provider=hwcloud so that property queries can avoid us.
 */
#include <stddef.h>

#include <openssl/core_dispatch.h>

#include "provider.h"

extern const OSSL_DISPATCH hwc_rsa_keymgmt_functions[];
extern const OSSL_DISPATCH hwc_ec_keymgmt_functions[];
extern const OSSL_DISPATCH hwc_rsa_signature_functions[];
extern const OSSL_DISPATCH hwc_ecdsa_signature_functions[];
extern const OSSL_DISPATCH hwc_rsa_asym_cipher_functions[];
extern const OSSL_DISPATCH hwc_text_encoder_functions[];
extern const OSSL_DISPATCH hwc_pem_encoder_functions[];
extern const OSSL_DISPATCH hwc_der_encoder_functions[];

#define HWC_RSA_NAMES "RSA:rsaEncryption:1.2.840.113549.1.1.1"
#define HWC_EC_NAMES "EC:id-ecPublicKey:1.2.840.10045.2.1"

static const OSSL_ALGORITHM hwc_keymgmt_algs[] = {
    {HWC_RSA_NAMES, HWC_PROPS, hwc_rsa_keymgmt_functions,
     "RSA key held in Huawei Cloud KMS"},
    {HWC_EC_NAMES, HWC_PROPS, hwc_ec_keymgmt_functions,
     "EC key held in Huawei Cloud KMS"},
    {NULL, NULL, NULL, NULL}};

static const OSSL_ALGORITHM hwc_signature_algs[] = {
    {HWC_RSA_NAMES, HWC_PROPS, hwc_rsa_signature_functions,
     "RSA PKCS#1 v1.5 and PSS signatures in Huawei Cloud KMS"},
    {"ECDSA", HWC_PROPS, hwc_ecdsa_signature_functions,
     "ECDSA signatures in Huawei Cloud KMS"},
    {NULL, NULL, NULL, NULL}};

static const OSSL_ALGORITHM hwc_asym_cipher_algs[] = {
    {HWC_RSA_NAMES, HWC_PROPS, hwc_rsa_asym_cipher_functions,
     "RSA-OAEP decryption in Huawei Cloud KMS"},
    {NULL, NULL, NULL, NULL}};

#define HWC_ENC(names, props, fns)                                             \
    {                                                                          \
        names, HWC_PROPS "," props, fns, "Huawei Cloud KMS key encoder"        \
    }

static const OSSL_ALGORITHM hwc_encoder_algs[] = {
    HWC_ENC(HWC_RSA_NAMES, "output=text", hwc_text_encoder_functions),
    HWC_ENC(HWC_EC_NAMES, "output=text", hwc_text_encoder_functions),
    HWC_ENC(HWC_RSA_NAMES, "output=pem,structure=PrivateKeyInfo",
            hwc_pem_encoder_functions),
    HWC_ENC(HWC_EC_NAMES, "output=pem,structure=PrivateKeyInfo",
            hwc_pem_encoder_functions),
    HWC_ENC(HWC_RSA_NAMES, "output=pem,structure=type-specific",
            hwc_pem_encoder_functions),
    HWC_ENC(HWC_EC_NAMES, "output=pem,structure=type-specific",
            hwc_pem_encoder_functions),
    HWC_ENC(HWC_RSA_NAMES, "output=der,structure=PrivateKeyInfo",
            hwc_der_encoder_functions),
    HWC_ENC(HWC_EC_NAMES, "output=der,structure=PrivateKeyInfo",
            hwc_der_encoder_functions),
    HWC_ENC(HWC_RSA_NAMES, "output=der,structure=type-specific",
            hwc_der_encoder_functions),
    HWC_ENC(HWC_EC_NAMES, "output=der,structure=type-specific",
            hwc_der_encoder_functions),
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
        return hwc_encoder_algs;
    default:
        return NULL;
    }
}
