/* fuzzutil.c: see fuzzutil.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/x509.h>

#include "fuzzutil.h"

char *fz_strndup(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);

    if (s == NULL) {
        abort();
    }
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

void fz_fail(const char *what, const char *why)
{
    fprintf(stderr, "fuzz contract violation: %s: %s\n", what, why);
    abort();
}

/* One DER item, exactly: d2i must consume every byte. */
#define EXACT_D2I(type, fn, der, len)                                          \
    do {                                                                       \
        const unsigned char *p_ = (der);                                       \
        type *o_ = fn(NULL, &p_, (long)(len));                                 \
        ok = o_ != NULL && p_ == (der) + (len);                                \
        type##_free(o_);                                                       \
    } while (0)

/* What the store promises of a private key: libcrypto decodes it. */
static int key_decodes(const unsigned char *der, size_t len)
{
    const unsigned char *p = der;
    PKCS8_PRIV_KEY_INFO *p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)len);
    EVP_PKEY *pk = NULL;

    if (p8 != NULL && p == der + len) {
        pk = EVP_PKCS82PKEY(p8);
    }
    PKCS8_PRIV_KEY_INFO_free(p8);
    EVP_PKEY_free(pk);
    ERR_clear_error();
    return pk != NULL;
}

void fz_check_objs(const char *what, const hwc_objs *objs)
{
    if (objs->n > objs->cap || (objs->n > 0 && objs->v == NULL)) {
        fz_fail(what, "object list is inconsistent");
    }
    for (size_t i = 0; i < objs->n; i++) {
        const hwc_obj *o = &objs->v[i];
        int ok = 0;

        if (o->der == NULL || o->der_len == 0 || o->der_len > 0x7fffffff) {
            fz_fail(what, "object without DER");
        }
        if (memchr(o->data_type, '\0', sizeof(o->data_type)) == NULL) {
            fz_fail(what, "data_type not terminated");
        }
        switch (o->kind) {
        case HWC_OBJ_CERT:
            EXACT_D2I(X509, d2i_X509, o->der, o->der_len);
            break;
        case HWC_OBJ_PRIVKEY:
            ok = key_decodes(o->der, o->der_len);
            break;
        case HWC_OBJ_PUBKEY:
            EXACT_D2I(X509_PUBKEY, d2i_X509_PUBKEY, o->der, o->der_len);
            break;
        default:
            fz_fail(what, "object of unknown kind");
        }
        if (!ok) {
            char why[96];

            snprintf(why, sizeof(why),
                     "object %zu (kind %d) is not the DER "
                     "objs.h promises",
                     i, (int)o->kind);
            fz_fail(what, why);
        }
    }
    if (objs->failed != NULL && strlen(objs->failed) > HWC_FAILED_MAX_LEN) {
        fz_fail(what, "failure notes exceed their bound");
    }
    ERR_clear_error();
}

void fz_done(void)
{
    ERR_clear_error();
}

OSSL_LIB_CTX *fz_plain_libctx(void)
{
    static OSSL_LIB_CTX *plain;

    if (plain == NULL && (plain = OSSL_LIB_CTX_new()) != NULL &&
        OSSL_PROVIDER_load(plain, "null") == NULL) {
        fz_fail("fz_plain_libctx", "the null provider does not load");
    }
    return plain;
}
