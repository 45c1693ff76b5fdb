/*
 * provider.h: the provider context shared by the OpenSSL-facing parts
 * (store, keymgmt, signature, asym cipher, encoders, decoder), and the
 * algorithm tables each of them exports.
 */
#ifndef HWC_PROVIDER_H
#define HWC_PROVIDER_H

#include <openssl/core.h>
#include <openssl/core_dispatch.h>

#include "settings.h"

/* Property query for the libcrypto work we do on our own behalf (public
 * halves, local verification, TLS to the API): never our own provider. */
#define HWC_INTERNAL_PROPQ "provider!=hwcloud"
#define HWC_PROPS "provider=hwcloud"

struct hwc_cache;
struct hwc_transport;

/*
 * One provider instance: everything hwcloud holds lives here, so that
 * library contexts that each load the provider never share or outlive
 * each other's state.
 */
typedef struct hwc_provctx {
    const OSSL_CORE_HANDLE *handle;
    OSSL_LIB_CTX *libctx;    /* child of the application's library context */
    hwc_settings *settings;  /* openssl.cnf section, environment, defaults */
    int uri_pem;             /* PEM-wrapped URI decoder enabled */
    struct hwc_cache *cache; /* objects fetched (cache_ttl) */
    struct hwc_transport *transport; /* curl handles and trust bundles */
} hwc_provctx;

/* The credentials, made on first use from the settings (NULL with an
 * error raised when they cannot be). */
struct hwc_auth;
struct hwc_auth *hwc_prov_auth(hwc_provctx *prov);
/* The provider's library context for parsing certificates without
 * decoding their keys (decode.h: hwc_plain_libctx), made on first use;
 * NULL if it cannot be made. */
OSSL_LIB_CTX *hwc_prov_plain_libctx(hwc_provctx *prov);

/* Algorithms of the remote-key operations (keymgmt, signature, asym
 * cipher, encoder) for operation_id, or NULL (algs.c). */
const OSSL_ALGORITHM *hwc_algorithms(int operation_id);

/* The PEM-wrapped URI decoders (decoder.c); with uri_pem off only those
 * that find a wrapped URI and say that uri_pem is off. */
const OSSL_ALGORITHM *hwc_decoder_algorithms(int uri_pem);

extern const OSSL_DISPATCH hwc_store_functions[];

#endif /* HWC_PROVIDER_H */
