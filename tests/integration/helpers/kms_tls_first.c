/*
 * kms_tls_first: the order servers such as nginx use. The SSL_CTX is
 * made before the first OSSL_STORE_open (so our signature algorithms
 * must exist from provider init: pkcs11-provider issue #352), then the
 * kms:key/<id> private key and its certificate go into it, and in-memory
 * TLS 1.3 and TLS 1.2 handshakes run against a client that verifies the
 * server with the CA.
 *
 *   kms_tls_first URI CERT.pem CA.pem
 *
 * Exit 0 when both handshakes completed and verified.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/store.h>

#include "helpers.h"

static void die(const char *what)
{
    helper_die("kms_tls_first", what);
}

static EVP_PKEY *load_private(const char *uri)
{
    return helper_load_private("kms_tls_first", uri);
}

/* Drives both ends over a BIO pair until both finish or one fails. */
static int handshake(SSL_CTX *sctx, SSL_CTX *cctx, int version)
{
    SSL *s = SSL_new(sctx), *c = SSL_new(cctx);
    BIO *sb = NULL, *cb = NULL;
    int sdone = 0, cdone = 0, ok = 0;

    if (s == NULL || c == NULL || !BIO_new_bio_pair(&sb, 0, &cb, 0)) {
        die("SSL_new");
    }
    SSL_set_bio(s, sb, sb);
    SSL_set_bio(c, cb, cb);
    SSL_set_min_proto_version(c, version);
    SSL_set_max_proto_version(c, version);
    SSL_set_accept_state(s);
    SSL_set_connect_state(c);
    if (!SSL_set1_host(c, "127.0.0.1")) {
        die("SSL_set1_host");
    }
    for (int i = 0; i < 100 && !(sdone && cdone); i++) {
        if (!cdone) {
            int r = SSL_do_handshake(c);
            if (r == 1) {
                cdone = 1;
            } else if (SSL_get_error(c, r) != SSL_ERROR_WANT_READ) {
                break;
            }
        }
        if (!sdone) {
            int r = SSL_do_handshake(s);
            if (r == 1) {
                sdone = 1;
            } else if (SSL_get_error(s, r) != SSL_ERROR_WANT_READ) {
                break;
            }
        }
    }
    if (sdone && cdone && SSL_get_verify_result(c) == X509_V_OK &&
        SSL_version(c) == version) {
        printf("%s: handshake ok, %s\n", SSL_get_version(c),
               SSL_get_cipher_name(c));
        ok = 1;
    } else {
        fprintf(stderr, "kms_tls_first: %s handshake failed\n",
                version == TLS1_3_VERSION ? "TLS 1.3" : "TLS 1.2");
        ERR_print_errors_fp(stderr);
    }
    SSL_free(s);
    SSL_free(c);
    return ok;
}

int main(int argc, char **argv)
{
    SSL_CTX *sctx, *cctx;
    EVP_PKEY *pkey;
    int ok;

    if (argc != 4) {
        fprintf(stderr, "usage: kms_tls_first URI CERT.pem CA.pem\n");
        return 2;
    }
    if (OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, NULL) != 1) {
        die("OPENSSL_init_ssl");
    }
    /* Before any store open. */
    sctx = SSL_CTX_new(TLS_server_method());
    cctx = SSL_CTX_new(TLS_client_method());
    if (sctx == NULL || cctx == NULL) {
        die("SSL_CTX_new");
    }
    pkey = load_private(argv[1]);
    if (SSL_CTX_use_certificate_file(sctx, argv[2], SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_use_PrivateKey(sctx, pkey) != 1 ||
        SSL_CTX_check_private_key(sctx) != 1) {
        die("the KMS key and the certificate do not go together");
    }
    SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
    if (SSL_CTX_load_verify_locations(cctx, argv[3], NULL) != 1) {
        die("cannot load the CA");
    }
    ok = handshake(sctx, cctx, TLS1_3_VERSION);
    ok &= handshake(sctx, cctx, TLS1_2_VERSION);
    EVP_PKEY_free(pkey);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
    return ok ? 0 : 1;
}
