/*
 * store_params.c URI MODE: opens URI with OSSL_STORE_open_ex and
 * parameters given at the open, as an application passes them, loads
 * everything and prints one line per object (CERT, PKEY, PUBKEY, NAME),
 * then "total N". The first line says whether the headers it was built
 * with offer the loader's open_ex (OpenSSL 3.2 and later). Modes:
 *   expect-certs  OSSL_STORE_PARAM_EXPECT = OSSL_STORE_INFO_CERT
 *   expect-pkey   OSSL_STORE_PARAM_EXPECT = OSSL_STORE_INFO_PKEY
 *   bad-subject   OSSL_STORE_PARAM_SUBJECT that is no DER name
 * Exits 2 (with OpenSSL's errors) when the open or a load fails.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/params.h>
#include <openssl/store.h>

#include "helpers.h"

static const char *type_name(int t)
{
    switch (t) {
    case OSSL_STORE_INFO_CERT:
        return "CERT";
    case OSSL_STORE_INFO_PKEY:
        return "PKEY";
    case OSSL_STORE_INFO_PUBKEY:
        return "PUBKEY";
    case OSSL_STORE_INFO_NAME:
        return "NAME";
    default:
        return "OTHER";
    }
}

int main(int argc, char **argv)
{
    static unsigned char junk[] = {0x04, 0x02, 'n', 'o'};
    OSSL_PARAM params[2] = {OSSL_PARAM_END, OSSL_PARAM_END};
    int expect = 0, n = 0;
    OSSL_STORE_CTX *st;

    if (argc != 3) {
        fprintf(stderr,
                "usage: %s URI expect-certs|expect-pkey|"
                "bad-subject\n",
                argv[0]);
        return 2;
    }
#ifdef OSSL_FUNC_STORE_OPEN_EX
    puts("open_ex: offered");
#else
    puts("open_ex: not offered");
#endif
    if (strcmp(argv[2], "expect-certs") == 0 ||
        strcmp(argv[2], "expect-pkey") == 0) {
        expect =
            argv[2][7] == 'c' ? OSSL_STORE_INFO_CERT : OSSL_STORE_INFO_PKEY;
        params[0] = OSSL_PARAM_construct_int(OSSL_STORE_PARAM_EXPECT, &expect);
    } else if (strcmp(argv[2], "bad-subject") == 0) {
        params[0] = OSSL_PARAM_construct_octet_string(OSSL_STORE_PARAM_SUBJECT,
                                                      junk, sizeof(junk));
    } else {
        helper_die(argv[0], "unknown mode");
    }
    st =
        OSSL_STORE_open_ex(argv[1], NULL, NULL, NULL, NULL, params, NULL, NULL);
    if (st == NULL) {
        helper_die(argv[0], "OSSL_STORE_open_ex failed");
    }
    while (!OSSL_STORE_eof(st)) {
        OSSL_STORE_INFO *info = OSSL_STORE_load(st);

        if (info == NULL) {
            if (OSSL_STORE_error(st)) {
                helper_die(argv[0], "OSSL_STORE_load failed");
            }
            continue;
        }
        puts(type_name(OSSL_STORE_INFO_get_type(info)));
        OSSL_STORE_INFO_free(info);
        n++;
    }
    OSSL_STORE_close(st);
    printf("total %d\n", n);
    return 0;
}
