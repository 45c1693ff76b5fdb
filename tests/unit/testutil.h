/* testutil.h: helpers shared by the check unit tests. */
#ifndef HWC_TESTUTIL_H
#define HWC_TESTUTIL_H

#include <stddef.h>

#include <openssl/types.h>

struct Suite;
/* Runs every test of s (forking or not as CK_FORK says) and returns the
 * exit status of the program: EXIT_SUCCESS when none failed. */
int tu_run(struct Suite *s);

/* Drains OpenSSL's error queue into a static string (for assertions). */
const char *tu_errors(void);
/* Reads a whole file; NULL if it cannot. Free with free(). */
unsigned char *tu_read_file(const char *path, size_t *len);
/* $HWC_SOURCE_DIR/<rel>, or ../<rel> relative guesses; static buffer. */
const char *tu_src_path(const char *rel);

/* PEM armour of der with the given line end ("\n" or "\r\n"), lines of
 * 64; free with free(). */
char *tu_pem_armour(const char *label, const unsigned char *der, size_t len,
                    const char *eol);

/* A certificate for key named CN=cn, issued by issuer with issuer_key
 * (both NULL: self-signed), valid for a day, signed with SHA-256 (Ed25519:
 * no digest), with the v3 extensions given as (int nid, const char *value)
 * pairs in X509V3_EXT_conf_nid syntax, ending in 0. Asserts on failure. */
X509 *tu_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
              long serial, ...);

/* A library context with only the null provider, as a provider instance
 * keeps for hwc_assemble_scm; made on first use, freed at exit. */
OSSL_LIB_CTX *tu_plain_libctx(void);

#endif
