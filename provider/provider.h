/*
 * provider.h: what the OpenSSL-facing parts (store, keymgmt, signature,
 * asym cipher, encoders, decoder) share: the provider instance
 * (instance.h) and the algorithm tables each of them exports.
 */
#ifndef HWC_PROVIDER_H
#define HWC_PROVIDER_H

#include <openssl/core.h>
#include <openssl/core_dispatch.h>

#include "instance.h"

/* Algorithms of the remote-key operations (keymgmt, signature, asym
 * cipher, encoder) for operation_id, or NULL (algs.c). */
const OSSL_ALGORITHM *hwc_algorithms(int operation_id);

/* The PEM-wrapped URI decoders (decoder.c), or NULL with uri_pem off:
 * every decoder registered makes every decode in the process slower. */
const OSSL_ALGORITHM *hwc_decoder_algorithms(int uri_pem);

extern const OSSL_DISPATCH hwc_store_functions[];

#endif /* HWC_PROVIDER_H */
