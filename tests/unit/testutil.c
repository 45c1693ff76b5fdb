/* testutil.c: helpers shared by the check unit tests. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/hwc.h"

#include "testutil.h"

int tu_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

const char *tu_errors(void)
{
    static char text[8192];
    size_t used = 0;
    unsigned long e;
    const char *data;
    int flags;

    text[0] = '\0';
    while ((e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
        char one[512];
        ERR_error_string_n(e, one, sizeof(one));
        used += (size_t)snprintf(text + used, sizeof(text) - used, "%s%s%s\n",
                                 one, (flags & ERR_TXT_STRING) ? ": " : "",
                                 (flags & ERR_TXT_STRING) ? data : "");
        if (used >= sizeof(text)) {
            break;
        }
    }
    return text;
}

unsigned char *tu_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    long n;

    if (f == NULL) {
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL) {
        if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        } else {
            buf[n] = '\0';
            *len = (size_t)n;
        }
    }
    fclose(f);
    return buf;
}

const char *tu_src_path(const char *rel)
{
    static char path[4096];
    const char *src = getenv("HWC_SOURCE_DIR");

    snprintf(path, sizeof(path), "%s/%s", src ? src : "..", rel);
    return path;
}

char *tu_pem_armour(const char *label, const unsigned char *der, size_t len,
                    const char *eol)
{
    char *b64 = hwc_base64_encode(der, len);
    size_t blen = strlen(b64), cap = blen * 2 + 200, w = 0;
    char *out = malloc(cap);

    w += (size_t)snprintf(out + w, cap - w, "-----BEGIN %s-----%s", label, eol);
    for (size_t i = 0; i < blen; i += 64) {
        w += (size_t)snprintf(out + w, cap - w, "%.*s%s",
                              (int)(blen - i < 64 ? blen - i : 64), b64 + i,
                              eol);
    }
    snprintf(out + w, cap - w, "-----END %s-----%s", label, eol);
    OPENSSL_free(b64);
    return out;
}

X509 *tu_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
              long serial, ...)
{
    X509 *x = X509_new();
    X509V3_CTX v3;
    va_list ap;
    int nid;

    ck_assert_ptr_nonnull(x);
    ck_assert(X509_set_version(x, X509_VERSION_3));
    ck_assert(ASN1_INTEGER_set(X509_get_serialNumber(x), serial));
    ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notBefore(x), 0));
    ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notAfter(x), 86400));
    ck_assert(X509_set_pubkey(x, key));
    ck_assert(X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
                                         MBSTRING_ASC,
                                         (const unsigned char *)cn, -1, -1, 0));
    ck_assert(
        X509_set_issuer_name(x, X509_get_subject_name(issuer ? issuer : x)));
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
    va_start(ap, serial);
    while ((nid = va_arg(ap, int)) != 0) {
        const char *val = va_arg(ap, const char *);
        X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v3, nid, val);

        ck_assert_msg(ext != NULL, "extension %d %s", nid, val);
        ck_assert(X509_add_ext(x, ext, -1));
        X509_EXTENSION_free(ext);
    }
    va_end(ap);
    issuer_key = issuer_key != NULL ? issuer_key : key;
    ck_assert(
        X509_sign(x, issuer_key,
                  EVP_PKEY_is_a(issuer_key, "ED25519") ? NULL : EVP_sha256()) >
        0);
    return x;
}

static OSSL_LIB_CTX *plain;
static OSSL_PROVIDER *plain_null;

static void plain_free(void)
{
    OSSL_PROVIDER_unload(plain_null);
    OSSL_LIB_CTX_free(plain);
}

OSSL_LIB_CTX *tu_plain_libctx(void)
{
    if (plain == NULL) {
        plain = OSSL_LIB_CTX_new();
        plain_null = OSSL_PROVIDER_load(plain, "null");
        ck_assert(plain != NULL && plain_null != NULL);
        atexit(plain_free);
    }
    return plain;
}
