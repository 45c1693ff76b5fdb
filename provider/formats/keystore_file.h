/*
 * keystore_file.h: CodeArts keystore files (PEM, PKCS#12, JKS, JCEKS):
 * their format sniffed, every key and certificate in them decoded
 * (keystore_file.c, pkcs12.c, jks.c).
 */
#ifndef HWC_KEYSTORE_FILE_H
#define HWC_KEYSTORE_FILE_H

#include <stddef.h>

#include <openssl/types.h>

#include "formats/objs.h"

enum hwc_keystore_format {
    HWC_KS_UNKNOWN = 0,
    HWC_KS_PEM,
    HWC_KS_PKCS12,
    HWC_KS_JKS,
    HWC_KS_JCEKS,
};
enum hwc_keystore_format hwc_keystore_sniff(const unsigned char *data,
                                            size_t len);
/* True when the format needs a password (PKCS#12, JKS, JCEKS). */
int hwc_keystore_needs_password(enum hwc_keystore_format fmt);

/*
 * A CodeArts keystore file: every private key and certificate in it, keys
 * and their certificate chains in entry order, each labelled with its
 * alias. One password serves integrity and every entry. A wrong password
 * (integrity check fails) is HWC_R_BAD_PASSWORD with nothing appended; an
 * entry that alone cannot be decrypted is noted in out->failed by alias
 * while the others are appended. Legacy PKCS#12 algorithms (RC2, 3DES)
 * are decrypted in `libctx` with OpenSSL's legacy provider if it loads,
 * else HWC_R_LEGACY_NEEDED.
 */
int hwc_decode_keystore(const unsigned char *data, size_t len, const char *pass,
                        size_t passlen, OSSL_LIB_CTX *libctx, hwc_objs *out);

/* The format-specific parts hwc_decode_keystore dispatches to. */
int hwc_jks_parse(const unsigned char *data, size_t len, const char *pass,
                  size_t passlen, hwc_objs *out); /* JKS and JCEKS */
int hwc_pkcs12_parse(const unsigned char *data, size_t len, const char *pass,
                     size_t passlen, OSSL_LIB_CTX *libctx, hwc_objs *out);

/* Tests only: the directory tried for the legacy provider when
 * OPENSSL_MODULES does not have it (NULL: libcrypto's modules dir). */
void hwc_pkcs12_set_legacy_fallback(const char *dir);

#endif /* HWC_KEYSTORE_FILE_H */
