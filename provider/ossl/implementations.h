/*
 * implementations.h: the dispatch tables of hwcloud's OpenSSL operations
 * and the algorithm lists made of them, each defined once in the file
 * that implements it and declared here only, as OpenSSL's own providers
 * do in prov/implementations.h.
 */
#ifndef HWC_IMPLEMENTATIONS_H
#define HWC_IMPLEMENTATIONS_H

#include <openssl/core.h>

/* store.c: the loader of kms:, scm:, dcs: and codearts: URIs. */
extern const OSSL_DISPATCH hwc_store_functions[];

/* keymgmt.c: remote KMS keys, and local keys forwarded (fwd.h). */
extern const OSSL_DISPATCH hwc_rsa_keymgmt_functions[];
extern const OSSL_DISPATCH hwc_ec_keymgmt_functions[];
extern const OSSL_DISPATCH hwc_sm2_keymgmt_functions[];

/* signature.c: RSA (PKCS#1 v1.5, PSS), ECDSA and SM2 signatures. */
extern const OSSL_DISPATCH hwc_rsa_signature_functions[];
extern const OSSL_DISPATCH hwc_ecdsa_signature_functions[];

/* asym_cipher.c: RSA decryption. */
extern const OSSL_DISPATCH hwc_rsa_asym_cipher_functions[];

/* Algorithms of the remote-key operations (keymgmt, signature, asym
 * cipher, encoder) for operation_id, or NULL (algs.c). */
const OSSL_ALGORITHM *hwc_algorithms(int operation_id);

/* The encoders of remote keys (encoder.c). */
const OSSL_ALGORITHM *hwc_encoder_algorithms(void);

/* The PEM-wrapped URI decoders (uri_decoder.c), or NULL with uri_pem off:
 * every decoder registered makes every decode in the process slower. */
const OSSL_ALGORITHM *hwc_decoder_algorithms(int uri_pem);

#endif /* HWC_IMPLEMENTATIONS_H */
