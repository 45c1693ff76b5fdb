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
    int remote_keys; /* the remote-key algorithms are offered (atomic) */
    /* Why the settings are unusable (they did not validate), or NULL. */
    const char *config_error;
    /* The core's BIO upcalls: decoders look at every input libcrypto
     * decodes, and a BIO made for each look would cost more than it. */
    OSSL_FUNC_BIO_read_ex_fn *bio_read_ex;
    OSSL_FUNC_BIO_gets_fn *bio_gets;
} hwc_provctx;

/*
 * The keymgmt, signature, asym cipher and encoders exist for KMS keys, and
 * every algorithm a provider offers makes libcrypto's work for everyone
 * else longer (OpenSSL 3.0 and 3.1 build a decoder chain over every
 * keymgmt's names for each key or certificate they parse). So they are
 * offered from the first KMS key this instance makes on, or from the
 * start with uri_pem = yes (a key file may name one at any time, and the
 * decoder chains that load it are built before it is read). A process
 * that never names a KMS key never sees them.
 */
void hwc_prov_offer_remote_keys(hwc_provctx *prov);

/*
 * 1 when the settings validated; otherwise 0 with the configuration error
 * raised for what (a URI). Every entry point that would act on the
 * settings asks first: an instance whose configuration is invalid still
 * loads, so that each use fails with the message where the program shows
 * its errors, rather than the provider vanishing at start.
 */
int hwc_prov_usable(const hwc_provctx *prov, const char *what);

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

/* The PEM-wrapped URI decoders (decoder.c), or NULL with uri_pem off:
 * every decoder registered makes every decode in the process slower. */
const OSSL_ALGORITHM *hwc_decoder_algorithms(int uri_pem);

extern const OSSL_DISPATCH hwc_store_functions[];

#endif /* HWC_PROVIDER_H */
