/*
 * provider.h: what the OpenSSL-facing parts (store, keymgmt, signature,
 * asym cipher, encoders, decoder) share: the provider instance
 * (instance.h) and the dispatch tables each of them exports
 * (implementations.h).
 */
#ifndef HWC_PROVIDER_H
#define HWC_PROVIDER_H

#include <openssl/core.h>
#include <openssl/core_dispatch.h>

#include "ossl/implementations.h"
#include "resolve/instance.h"

#endif /* HWC_PROVIDER_H */
