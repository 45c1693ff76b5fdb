/*
 * instance.h: one provider instance (hwc_provctx) and what it makes on
 * demand. Each OSSL_provider_init makes one instance (provider.c), per
 * library context that loads the module; everything hwcloud holds lives
 * in it, so that library contexts never share or outlive each other's
 * state. The fetch and listing code reach the instance through this
 * header alone, never through the OpenSSL-facing files.
 *
 * Objects made on first use (credentials, the plain library context) are
 * made without a lock held and published with a compare-and-swap: the
 * first thread's wins, the others free theirs, and a fork never finds a
 * creation half done.
 */
#ifndef HWC_INSTANCE_H
#define HWC_INSTANCE_H

#include <openssl/core.h>
#include <openssl/core_dispatch.h>

#include "core/settings.h"

/* Property query for the libcrypto work we do on our own behalf (public
 * halves, local verification, TLS to the API): never our own provider. */
#define HWC_INTERNAL_PROPQ "provider!=hwcloud"
#define HWC_PROPS "provider=hwcloud"

struct hwc_auth;
struct hwc_cache;
struct hwc_plain_libctx;
struct hwc_transport;

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
    /* Made on first use (hwc_prov_auth, hwc_prov_plain_libctx). */
    struct hwc_auth *auth;
    struct hwc_plain_libctx *plain;
} hwc_provctx;

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
struct hwc_auth *hwc_prov_auth(hwc_provctx *prov);

/*
 * A library context holding only OpenSSL's null provider, made on first
 * use; NULL if it cannot be made (callers then parse in libcrypto's
 * default context, slower but with the same answers). d2i_X509 decodes a
 * certificate's public key as it parses, through a decoder chain (nine
 * tenths of the cost); where no decoder exists, key decoding failures are
 * dropped, so the same certificates are accepted and refused, ten times
 * faster (see hwc_assemble_scm).
 */
OSSL_LIB_CTX *hwc_prov_plain_libctx(hwc_provctx *prov);

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
int hwc_prov_remote_keys_offered(const hwc_provctx *prov);

/* Frees what the instance made on demand (at teardown). */
void hwc_prov_free_made(hwc_provctx *prov);

#endif /* HWC_INSTANCE_H */
