/*
 * jks.h: what the JKS/JCEKS reader (jks.c) and its key protections
 * (jks_crypto.c) share. Private to those two files.
 */
#ifndef HWC_JKS_H
#define HWC_JKS_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "formats/objs.h"

#define JKS_SHA1_LEN 20

typedef struct jks_ctx {
    int jceks;
    uint32_t version;
    const char *why;         /* first structural problem */
    const unsigned char *pw; /* password as Java chars, UTF-16BE */
    size_t pwlen;
    hwc_objs *out;        /* NULL while only checking the structure */
    int keypass_failures; /* entries whose key password is different */
    long *iter_left;      /* PBE iterations this file may still spend */
    int over_cap;         /* the last key asked for too many iterations */
} jks_ctx;

/* The password as Java hashes it: UTF-16BE of its UTF-8 (a byte that is
 * not valid UTF-8 taken as Latin-1); OPENSSL_clear_free it. */
unsigned char *hwc_jks_password_utf16be(const char *pass, size_t passlen,
                                        size_t *outlen);
/* The store digest: SHA-1(password + "Mighty Aphrodite" + body). */
int hwc_jks_digest_ok(const jks_ctx *c, const unsigned char *data,
                      size_t body_len);
/* A JKS key entry's protection (Sun's KeyProtector): the plain PKCS#8, or
 * NULL. */
unsigned char *hwc_jks_sun_unprotect(const jks_ctx *c, const unsigned char *enc,
                                     size_t len, size_t *outlen);
/* A JCEKS key entry's PBEWithMD5AndTripleDES, its iterations counted
 * against the file's budget: the plain PKCS#8, or NULL. */
unsigned char *hwc_jks_jce_unprotect(jks_ctx *c, const X509_ALGOR *alg,
                                     const unsigned char *enc, size_t len,
                                     size_t *outlen);

#endif /* HWC_JKS_H */
