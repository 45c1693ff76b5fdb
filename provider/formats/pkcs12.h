/*
 * pkcs12.h: what the PKCS#12 reader (pkcs12.c) and the chain builder that
 * orders what it read (pkcs12_chain.c) share. Private to those two files.
 */
#ifndef HWC_PKCS12_H
#define HWC_PKCS12_H

#include <stddef.h>

#include <openssl/types.h>

#include "formats/kdfcap.h"
#include "formats/objs.h"

#define P12_MAX_CHAIN 10

typedef struct p12_item {
    int is_key;
    int failed;         /* keys: could not be decrypted */
    unsigned char *der; /* PKCS#8 or certificate DER */
    size_t len;
    char type[16];
    char *name; /* friendlyName as UTF-8, or NULL */
    unsigned char *keyid;
    int keyidlen;
    int trusted;  /* certs: keytool trusted-certificate entry */
    int used;     /* certs: emitted in some chain */
    int in_chain; /* certs: index + 1 of the key whose chain holds it */
    X509 *x;
    EVP_PKEY *pk;
} p12_item;

typedef struct p12_ctx {
    const char *pass;
    int passlen;
    OSSL_LIB_CTX *libctx; /* the caller's */
    OSSL_LIB_CTX *legacy; /* private, with legacy + default, made on need */
    OSSL_PROVIDER *prov[2];
    int legacy_missing; /* the legacy provider would not load */
    int mac_checked;
    int pass_failures;
    hwc_kdf_budget kdf; /* checked before each key derivation */
    p12_item *items;
    size_t n, cap;
    hwc_objs *out;
} p12_ctx;

/* Appends every key of c in file order, each followed by its chain (its
 * certificate by localKeyID, else by public key; issuers by name and key
 * identifiers, at most P12_MAX_CHAIN), then the certificates no chain
 * used and keytool's trusted-certificate entries. */
int hwc_p12_emit(p12_ctx *c);

#endif /* HWC_PKCS12_H */
