/* helpers.c: what the integration-test helper programs share. */
#include <stdio.h>
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/store.h>

#include "helpers.h"

void helper_die(const char *prog, const char *what)
{
    fprintf(stderr, "%s: %s\n", prog, what);
    ERR_print_errors_fp(stderr);
    exit(2);
}

EVP_PKEY *helper_load_private(const char *prog, const char *uri)
{
    OSSL_STORE_CTX *st = OSSL_STORE_open(uri, NULL, NULL, NULL, NULL);
    EVP_PKEY *pk = NULL;

    if (st == NULL) {
        helper_die(prog, "OSSL_STORE_open failed");
    }
    while (pk == NULL && !OSSL_STORE_eof(st)) {
        OSSL_STORE_INFO *info = OSSL_STORE_load(st);

        if (info != NULL &&
            OSSL_STORE_INFO_get_type(info) == OSSL_STORE_INFO_PKEY) {
            pk = OSSL_STORE_INFO_get1_PKEY(info);
        }
        OSSL_STORE_INFO_free(info);
        if (info == NULL && OSSL_STORE_error(st)) {
            break;
        }
    }
    OSSL_STORE_close(st);
    if (pk == NULL) {
        helper_die(prog, "no private key in the store");
    }
    return pk;
}

#if defined(__SANITIZE_ADDRESS__)
/*
 * Under ASan the helpers keep every module they load: dlclose does
 * nothing. GCC 12's LeakSanitizer can crash in its leak check at exit
 * ("Tracer caught signal 11") once a module whose thread-local storage a
 * thread used has been unloaded, as OpenSSL unloads the provider when its
 * last library context goes. The valgrind stage runs the same helpers
 * with real unloading.
 */
int dlclose(void *handle);
int dlclose(void *handle)
{
    (void)handle;
    return 0;
}
#endif
