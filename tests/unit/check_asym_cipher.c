/*
 * check_asym_cipher.c: RSA decryption with a remote key driven through
 * its dispatch table: OAEP reaches the "KMS", other paddings are refused.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/core_object.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>
#include <openssl/store.h>
#include <openssl/x509.h>

#include "ossl/fwd.h"
#include "core/hwc.h"
#include "ossl/provider.h"
#include "resolve/rkey.h"
#include "testutil.h"
#include "rkeyutil.h"

/*------------------------------------------------------- decryption */

static size_t evp_encrypt(EVP_PKEY *priv, int pad, const unsigned char *in,
                          size_t inlen, unsigned char *out)
{
    EVP_PKEY *pub = public_copy(priv);
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_pkey(NULL, pub, NULL);
    size_t outlen = 512;

    ck_assert_int_eq(EVP_PKEY_encrypt_init(pctx), 1);
    EVP_PKEY_CTX_set_rsa_padding(pctx, pad);
    if (pad == RSA_PKCS1_OAEP_PADDING) {
        EVP_PKEY_CTX_set_rsa_oaep_md(pctx, EVP_sha256());
    }
    ck_assert_int_eq(EVP_PKEY_encrypt(pctx, out, &outlen, in, inlen), 1);
    EVP_PKEY_CTX_free(pctx);
    EVP_PKEY_free(pub);
    return outlen;
}

static int ac_decrypt(void *ctx, const char *pad, const char *md,
                      const unsigned char *ct, size_t ctlen, unsigned char *out,
                      size_t *outlen)
{
    OSSL_PARAM p[3], *q = p;

    *q++ = OSSL_PARAM_construct_utf8_string("pad-mode", (char *)pad, 0);
    if (md != NULL) {
        *q++ = OSSL_PARAM_construct_utf8_string("digest", (char *)md, 0);
    }
    *q = OSSL_PARAM_construct_end();
    ck_assert_int_eq(
        AC(OSSL_FUNC_ASYM_CIPHER_SET_CTX_PARAMS, set_ctx_params)(ctx, p), 1);
    return AC(OSSL_FUNC_ASYM_CIPHER_DECRYPT, decrypt)(ctx, out, outlen, 512, ct,
                                                      ctlen);
}

START_TEST(test_decrypt)
{
    static const unsigned char secret[] = "premaster secret";
    hwc_rkey *key = make_key(&f_rsa, rsa_priv, "kms:key/enc", "RSA_2048",
                             HWC_USAGE_ENCRYPT_DECRYPT, FAKE_DER);
    unsigned char ct[512], pt[512];
    size_t ctlen, ptlen = 0;
    void *ctx = AC(OSSL_FUNC_ASYM_CIPHER_NEWCTX, newctx)(&t_provctx);

    ERR_clear_error();
    ck_assert_int_eq(
        AC(OSSL_FUNC_ASYM_CIPHER_DECRYPT_INIT, decrypt_init)(ctx, key, NULL),
        1);
    /* OAEP SHA-256 round trip through "KMS" */
    ctlen = evp_encrypt(rsa_priv, RSA_PKCS1_OAEP_PADDING, secret,
                        sizeof(secret), ct);
    ck_assert_int_eq(ac_decrypt(ctx, "oaep", "SHA256", ct, ctlen, pt, &ptlen),
                     1);
    ck_assert_uint_eq(ptlen, sizeof(secret));
    ck_assert_mem_eq(pt, secret, ptlen);
    ck_assert_int_eq(f_rsa.decrypt_calls, 1);

    /* PKCS#1 v1.5 (TLS 1.2 RSA key exchange) and OAEP-SHA1: no request */
    ctlen =
        evp_encrypt(rsa_priv, RSA_PKCS1_PADDING, secret, sizeof(secret), ct);
    ck_assert_int_eq(ac_decrypt(ctx, "pkcs1", NULL, ct, ctlen, pt, &ptlen), 0);
    expect_error("KMS cannot do PKCS#1 v1.5 decryption; use ECDHE");
    ck_assert_int_eq(ac_decrypt(ctx, "oaep", "SHA1", ct, ctlen, pt, &ptlen), 0);
    expect_error("SHA-256");
    ck_assert_int_eq(f_rsa.decrypt_calls, 1);
    AC(OSSL_FUNC_ASYM_CIPHER_FREECTX, freectx)(ctx);
    hwc_rkey_free(key);

    /* a SIGN_VERIFY key cannot decrypt: refused at init */
    key = make_key(&f_rsa, rsa_priv, "kms:key/sign", "RSA_2048",
                   HWC_USAGE_SIGN_VERIFY, FAKE_DER);
    ctx = AC(OSSL_FUNC_ASYM_CIPHER_NEWCTX, newctx)(&t_provctx);
    ck_assert_int_eq(
        AC(OSSL_FUNC_ASYM_CIPHER_DECRYPT_INIT, decrypt_init)(ctx, key, NULL),
        0);
    expect_error("SIGN_VERIFY");
    ck_assert_int_eq(f_rsa.decrypt_calls, 0);
    /* encryption is public and local */
    ck_assert_int_eq(
        AC(OSSL_FUNC_ASYM_CIPHER_ENCRYPT_INIT, encrypt_init)(ctx, key, NULL),
        1);
    ctlen = sizeof(ct);
    ck_assert_int_eq(AC(OSSL_FUNC_ASYM_CIPHER_ENCRYPT, encrypt)(
                         ctx, ct, &ctlen, sizeof(ct), secret, sizeof(secret)),
                     1);
    ck_assert_uint_eq(ctlen, 256);
    AC(OSSL_FUNC_ASYM_CIPHER_FREECTX, freectx)(ctx);
    hwc_rkey_free(key);
}
END_TEST

static Suite *asym_cipher_suite(void)
{
    Suite *s = suite_create("asym_cipher");
    TCase *tc = tcase_create("dispatch");

    tcase_add_unchecked_fixture(tc, keys_setup, keys_teardown);
    tcase_add_test(tc, test_decrypt);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(asym_cipher_suite());
}
