/*
 * offered: which algorithms hwcloud offers, before and after a KMS key is
 * loaded in the same process. For each operation (keymgmt, signature,
 * asym cipher, encoder, decoder) it prints how many implementations come
 * from hwcloud, then loads URI (any key the store returns) and prints them
 * again:
 *
 *   offered URI     ->  "before: keymgmt=N signature=N ... decoder=N"
 *                       "after: keymgmt=N ..."
 *
 * The provider comes from OPENSSL_CONF.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include "helpers.h"

static int from_hwcloud(const OSSL_PROVIDER *p)
{
    return strcmp(OSSL_PROVIDER_get0_name(p), "hwcloud") == 0;
}

static void km(EVP_KEYMGMT *m, void *n)
{
    *(int *)n += from_hwcloud(EVP_KEYMGMT_get0_provider(m));
}

static void sig(EVP_SIGNATURE *m, void *n)
{
    *(int *)n += from_hwcloud(EVP_SIGNATURE_get0_provider(m));
}

static void cip(EVP_ASYM_CIPHER *m, void *n)
{
    *(int *)n += from_hwcloud(EVP_ASYM_CIPHER_get0_provider(m));
}

static void enc(OSSL_ENCODER *m, void *n)
{
    *(int *)n += from_hwcloud(OSSL_ENCODER_get0_provider(m));
}

static void dec(OSSL_DECODER *m, void *n)
{
    *(int *)n += from_hwcloud(OSSL_DECODER_get0_provider(m));
}

static void show(const char *when)
{
    int n[5] = {0};

    EVP_KEYMGMT_do_all_provided(NULL, km, &n[0]);
    EVP_SIGNATURE_do_all_provided(NULL, sig, &n[1]);
    EVP_ASYM_CIPHER_do_all_provided(NULL, cip, &n[2]);
    OSSL_ENCODER_do_all_provided(NULL, enc, &n[3]);
    OSSL_DECODER_do_all_provided(NULL, dec, &n[4]);
    printf("%s: keymgmt=%d signature=%d asym_cipher=%d encoder=%d "
           "decoder=%d\n",
           when, n[0], n[1], n[2], n[3], n[4]);
}

int main(int argc, char **argv)
{
    EVP_PKEY *k;

    if (argc != 2) {
        fprintf(stderr, "usage: offered URI\n");
        return 2;
    }
    show("before");
    k = helper_load_private("offered", argv[1]);
    show("after");
    EVP_PKEY_free(k);
    return 0;
}
