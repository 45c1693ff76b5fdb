/*
 * decoder_chain: how many decoders OpenSSL puts in the decoder context of
 * a key decode, in a library context with the default provider alone and
 * in one from OPENSSL_CONF (hwcloud with uri_pem = yes), for the decode
 * of a certificate's public key and for PEM_read_bio_PrivateKey's:
 *
 *   decoder_chain  ->  "public: default=N conf=M"
 *                      "private: default=N conf=M"
 *
 * The URI decoders take no part in a decode that cannot return a private
 * key (M == N there), and do in one that can (M > N).
 */
#include <stdio.h>
#include <stdlib.h>

#include <openssl/decoder.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include "helpers.h"

static int count(OSSL_LIB_CTX *lc, const char *input, const char *structure,
                 int selection)
{
    EVP_PKEY *pk = NULL;
    OSSL_DECODER_CTX *dc = OSSL_DECODER_CTX_new_for_pkey(
        &pk, input, structure, NULL, selection, lc, NULL);
    int n;

    if (dc == NULL) {
        helper_die("decoder_chain", "OSSL_DECODER_CTX_new_for_pkey");
    }
    n = OSSL_DECODER_CTX_get_num_decoders(dc);
    OSSL_DECODER_CTX_free(dc);
    return n;
}

int main(void)
{
    OSSL_LIB_CTX *plain = OSSL_LIB_CTX_new(), *conf = OSSL_LIB_CTX_new();
    OSSL_PROVIDER *dflt = NULL;

    if (plain == NULL || conf == NULL ||
        (dflt = OSSL_PROVIDER_load(plain, "default")) == NULL ||
        !OSSL_LIB_CTX_load_config(conf, getenv("OPENSSL_CONF"))) {
        helper_die("decoder_chain", "library contexts");
    }
    printf("public: default=%d conf=%d\n",
           count(plain, "DER", "SubjectPublicKeyInfo", EVP_PKEY_PUBLIC_KEY),
           count(conf, "DER", "SubjectPublicKeyInfo", EVP_PKEY_PUBLIC_KEY));
    printf("private: default=%d conf=%d\n",
           count(plain, "PEM", NULL, EVP_PKEY_KEYPAIR),
           count(conf, "PEM", NULL, EVP_PKEY_KEYPAIR));
    OSSL_PROVIDER_unload(dflt);
    OSSL_LIB_CTX_free(plain);
    OSSL_LIB_CTX_free(conf);
    return 0;
}
