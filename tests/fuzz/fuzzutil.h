/*
 * fuzzutil.h: what the libFuzzer harnesses share: copies of the input in
 * the shapes the parsers take, checks of the contract objs.h promises
 * for every object a decoder returns, and the end-of-input cleanup.
 */
#ifndef HWC_FUZZUTIL_H
#define HWC_FUZZUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "formats/objs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL-terminated malloc'ed copy of data (which may hold NULs). */
char *fz_strndup(const uint8_t *data, size_t size);

/* Aborts, naming `what`, unless every object is what objs.h promises:
 * certificates are exactly one X.509 DER, private keys one PKCS#8
 * PrivateKeyInfo DER, public keys one SubjectPublicKeyInfo DER. */
void fz_check_objs(const char *what, const hwc_objs *objs);

/* Prints a contract violation and aborts (libFuzzer keeps the input). */
void fz_fail(const char *what, const char *why);

/* A library context with only the null provider, as a provider instance
 * keeps for hwc_assemble_scm; made on first use. */
OSSL_LIB_CTX *fz_plain_libctx(void);

/* Empties OpenSSL's error queue: the parsers raise errors on failure. */
void fz_done(void);

#endif /* HWC_FUZZUTIL_H */
