/*
 * check_encoder.c: the encoders of remote keys: a PEM-wrapped URI or the
 * public key, never private key material.
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

/*--------------------------------------------------------- encoders */

/* Core BIO upcalls for a library context of our own: in this test an
 * OSSL_CORE_BIO is simply a BIO. */
static int t_bio_write(OSSL_CORE_BIO *b, const void *d, size_t n, size_t *w)
{
    return BIO_write_ex((BIO *)b, d, n, w);
}

static int t_bio_read(OSSL_CORE_BIO *b, void *d, size_t n, size_t *r)
{
    return BIO_read_ex((BIO *)b, d, n, r);
}

static int t_bio_up_ref(OSSL_CORE_BIO *b)
{
    return BIO_up_ref((BIO *)b);
}

static int t_bio_free(OSSL_CORE_BIO *b)
{
    BIO_free((BIO *)b);
    return 1;
}

static int t_bio_puts(OSSL_CORE_BIO *b, const char *s)
{
    return BIO_puts((BIO *)b, s);
}

static int t_bio_gets(OSSL_CORE_BIO *b, char *s, int n)
{
    return BIO_gets((BIO *)b, s, n);
}

static long t_bio_ctrl(OSSL_CORE_BIO *b, int cmd, long l, void *p)
{
    return BIO_ctrl((BIO *)b, cmd, l, p);
}

static const OSSL_DISPATCH t_bio_dispatch[] = {
    {OSSL_FUNC_BIO_WRITE_EX, (void (*)(void))t_bio_write},
    {OSSL_FUNC_BIO_READ_EX, (void (*)(void))t_bio_read},
    {OSSL_FUNC_BIO_UP_REF, (void (*)(void))t_bio_up_ref},
    {OSSL_FUNC_BIO_FREE, (void (*)(void))t_bio_free},
    {OSSL_FUNC_BIO_PUTS, (void (*)(void))t_bio_puts},
    {OSSL_FUNC_BIO_GETS, (void (*)(void))t_bio_gets},
    {OSSL_FUNC_BIO_CTRL, (void (*)(void))t_bio_ctrl},
    {0, NULL}};

static int encode(const char *props, hwc_provctx *pc, hwc_rkey *key,
                  int selection, char **text)
{
    BIO *mem = BIO_new(BIO_s_mem());
    void *ctx = ENC(props, OSSL_FUNC_ENCODER_NEWCTX, newctx)(pc);
    char *data;
    long n;
    int ok;

    ok = ENC(props, OSSL_FUNC_ENCODER_ENCODE, encode)(
        ctx, (OSSL_CORE_BIO *)mem, key, NULL, selection, NULL, NULL);
    ENC(props, OSSL_FUNC_ENCODER_FREECTX, freectx)(ctx);
    n = BIO_get_mem_data(mem, &data);
    *text = n > 0 ? OPENSSL_strndup(data, (size_t)n) : OPENSSL_strdup("");
    BIO_free(mem);
    return ok;
}

START_TEST(test_encoders)
{
    hwc_provctx pc = {0};
    hwc_rkey *key = make_key(&f_rsa, rsa_priv, "kms:key/rsa-enc", "RSA_2048",
                             HWC_USAGE_SIGN_VERIFY, FAKE_DER);
    char *text = NULL;

    pc.libctx = OSSL_LIB_CTX_new_from_dispatch(NULL, t_bio_dispatch);
    ck_assert_ptr_nonnull(pc.libctx);
    ck_assert_int_eq(
        encode("output=text", &pc, key, OSSL_KEYMGMT_SELECT_KEYPAIR, &text), 1);
    ck_assert_ptr_nonnull(strstr(text, "Public-Key: (2048 bit)"));
    ck_assert_ptr_nonnull(strstr(text, "Modulus:"));
    ck_assert_ptr_nonnull(strstr(
        text, "Private key: held in Huawei Cloud KMS (kms:key/rsa-enc)"));
    OPENSSL_free(text);

    ck_assert_int_eq(
        encode("output=pem", &pc, key, OSSL_KEYMGMT_SELECT_KEYPAIR, &text), 1);
    ck_assert_ptr_nonnull(
        strstr(text, "-----BEGIN HWCLOUD PROVIDER URI-----\n"));
    ck_assert_ptr_null(strstr(text, "PRIVATE KEY"));
    OPENSSL_free(text);
    ck_assert_int_eq(ENC("output=pem", OSSL_FUNC_ENCODER_DOES_SELECTION,
                         does_selection)(&pc, OSSL_KEYMGMT_SELECT_PUBLIC_KEY),
                     0);

    ERR_clear_error();
    ck_assert_int_eq(
        encode("output=der", &pc, key, OSSL_KEYMGMT_SELECT_KEYPAIR, &text), 0);
    ck_assert_str_eq(text, "");
    OPENSSL_free(text);
    expect_error("a KMS key has no DER form; use PEM (HWCLOUD PROVIDER URI)");
    hwc_rkey_free(key);
    OSSL_LIB_CTX_free(pc.libctx);
}
END_TEST

static Suite *encoder_suite(void)
{
    Suite *s = suite_create("encoder");
    TCase *tc = tcase_create("dispatch");

    tcase_add_unchecked_fixture(tc, keys_setup, keys_teardown);
    tcase_add_test(tc, test_encoders);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(encoder_suite());
}
