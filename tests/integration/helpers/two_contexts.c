/*
 * two_contexts: hwcloud loaded into two library contexts at once, each
 * with its own openssl.cnf (different settings), then the contexts freed
 * one after the other, in the order given. After the first is freed, the
 * other must still load and sign, and its errors must still read as
 * hwcloud's (library name and reason text, not "lib(N)").
 *
 *   two_contexts CONF_A CONF_B KEY_URI CERT_URI ab|ba
 *
 * Run under valgrind by test_two_contexts.sh: any use of the freed
 * instance's state is an invalid read there. The last line of stdout is
 * "two_contexts: ok".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/store.h>

#include "helpers.h"

static const char *key_uri, *cert_uri;

static void die(const char *what)
{
    helper_die("two_contexts", what);
}

static OSSL_LIB_CTX *context(const char *conf)
{
    OSSL_LIB_CTX *ctx = OSSL_LIB_CTX_new();

    if (ctx == NULL || !OSSL_LIB_CTX_load_config(ctx, conf)) {
        die("cannot make a library context from its configuration");
    }
    return ctx;
}

/* The first object of type `want` that uri gives in ctx (NULL: none). */
static OSSL_STORE_INFO *load_first(OSSL_LIB_CTX *ctx, const char *uri, int want)
{
    OSSL_STORE_CTX *s =
        OSSL_STORE_open_ex(uri, ctx, NULL, NULL, NULL, NULL, NULL, NULL);
    OSSL_STORE_INFO *found = NULL;

    while (s != NULL && found == NULL && !OSSL_STORE_eof(s)) {
        OSSL_STORE_INFO *info = OSSL_STORE_load(s);
        if (info != NULL && OSSL_STORE_INFO_get_type(info) == want) {
            found = info;
        } else {
            OSSL_STORE_INFO_free(info);
        }
    }
    OSSL_STORE_close(s);
    return found;
}

static void sign_once(OSSL_LIB_CTX *ctx, EVP_PKEY *key)
{
    static const unsigned char msg[] = "two contexts";
    unsigned char sig[1024];
    size_t siglen = sizeof(sig);
    EVP_MD_CTX *md = EVP_MD_CTX_new();

    if (md == NULL ||
        EVP_DigestSignInit_ex(md, NULL, "SHA256", ctx, NULL, key, NULL) != 1 ||
        EVP_DigestSign(md, sig, &siglen, msg, sizeof(msg)) != 1) {
        die("signing with the KMS key failed");
    }
    EVP_MD_CTX_free(md);
}

/* Loads the certificate twice (the cache setting decides how many
 * exports that costs) and signs once with the KMS key. */
static void use(OSSL_LIB_CTX *ctx, const char *name)
{
    OSSL_STORE_INFO *cert, *key;

    for (int i = 0; i < 2; i++) {
        if ((cert = load_first(ctx, cert_uri, OSSL_STORE_INFO_CERT)) == NULL) {
            die("no certificate");
        }
        OSSL_STORE_INFO_free(cert);
    }
    if ((key = load_first(ctx, key_uri, OSSL_STORE_INFO_PKEY)) == NULL) {
        die("no key");
    }
    sign_once(ctx, OSSL_STORE_INFO_get0_PKEY(key));
    OSSL_STORE_INFO_free(key);
    printf("two_contexts: context %s loaded and signed\n", name);
}

/* An invalid URI must fail with hwcloud's own, readable error. */
static void error_text_intact(OSSL_LIB_CTX *ctx, const char *name)
{
    OSSL_STORE_CTX *s;
    char text[512];
    unsigned long e;

    ERR_clear_error();
    s = OSSL_STORE_open_ex("kms:key/not-a-key-id", ctx, NULL, NULL, NULL, NULL,
                           NULL, NULL);
    if (s != NULL) {
        die("an invalid URI was accepted");
    }
    while ((e = ERR_get_error()) != 0) {
        ERR_error_string_n(e, text, sizeof(text));
        if (strstr(text, ":hwcloud:") != NULL &&
            strstr(text, "invalid URI") != NULL) {
            printf("two_contexts: context %s error text intact\n", name);
            ERR_clear_error();
            return;
        }
        printf("two_contexts: context %s error: %s\n", name, text);
    }
    die("no readable hwcloud error for an invalid URI");
}

int main(int argc, char **argv)
{
    OSSL_LIB_CTX *first, *second;
    int ba;

    if (argc != 6 || (strcmp(argv[5], "ab") != 0 && strcmp(argv[5], "ba"))) {
        fprintf(stderr, "usage: two_contexts CONF_A CONF_B KEY_URI CERT_URI "
                        "ab|ba\n");
        return 2;
    }
    key_uri = argv[3];
    cert_uri = argv[4];
    ba = strcmp(argv[5], "ba") == 0;
    first = context(argv[1]);
    second = context(argv[2]);
    use(first, "A");
    use(second, "B");
    /* Free one; the survivor must not notice. */
    OSSL_LIB_CTX_free(ba ? second : first);
    error_text_intact(ba ? first : second, ba ? "A" : "B");
    use(ba ? first : second, ba ? "A" : "B");
    OSSL_LIB_CTX_free(ba ? first : second);
    printf("two_contexts: ok\n");
    return 0;
}
