/* helpers.h: what the integration-test helper programs share. */
#ifndef HWC_TEST_HELPERS_H
#define HWC_TEST_HELPERS_H

#include <openssl/evp.h>

/* Prints "<prog>: what" and OpenSSL's errors, then exits 2. */
void helper_die(const char *prog, const char *what);
/* The first private key the store returns for uri; exits when none. */
EVP_PKEY *helper_load_private(const char *prog, const char *uri);

#endif
