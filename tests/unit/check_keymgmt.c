/*
 * check_keymgmt.c: the keymgmt of remote keys driven through its dispatch
 * table: load, export of the public half only, matching, parameters.
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

/*--------------------------------------------------------- keymgmt */

START_TEST(test_keymgmt_rsa)
{
    hwc_rkey *key = make_key(&f_rsa, rsa_priv, "kms:key/rsa", "RSA_2048",
                             HWC_USAGE_SIGN_VERIFY, FAKE_DER);
    void *kd = km_load("RSA", key);
    int bits = 0, sbits = 0, size = 0;
    char dd[32] = "";
    BIGNUM *n = NULL, *want = NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_int(OSSL_PKEY_PARAM_BITS, &bits),
        OSSL_PARAM_int(OSSL_PKEY_PARAM_SECURITY_BITS, &sbits),
        OSSL_PARAM_int(OSSL_PKEY_PARAM_MAX_SIZE, &size),
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_DEFAULT_DIGEST, dd, sizeof(dd)),
        OSSL_PARAM_END};

    ck_assert_ptr_eq(kd, key);
    ck_assert_int_eq(key->refs, 2);
    hwc_rkey_free(key); /* the store's reference: keymgmt keeps its own */
    ck_assert_int_eq(KM("RSA", OSSL_FUNC_KEYMGMT_HAS,
                        has)(kd, OSSL_KEYMGMT_SELECT_PRIVATE_KEY),
                     1);
    ck_assert_int_eq(
        KM("RSA", OSSL_FUNC_KEYMGMT_HAS, has)(kd, OSSL_KEYMGMT_SELECT_KEYPAIR),
        1);
    ck_assert_int_eq(
        KM("RSA", OSSL_FUNC_KEYMGMT_GET_PARAMS, get_params)(kd, params), 1);
    ck_assert_int_eq(bits, 2048);
    ck_assert_int_eq(sbits, 112);
    ck_assert_int_eq(size, 256);
    ck_assert_str_eq(dd, "SHA256");

    /* private parts never leave; public ones do */
    export_cb_calls = 0;
    ck_assert_int_eq(KM("RSA", OSSL_FUNC_KEYMGMT_EXPORT,
                        export)(kd, OSSL_KEYMGMT_SELECT_ALL, export_cb, NULL),
                     0);
    ck_assert_int_eq(KM("RSA", OSSL_FUNC_KEYMGMT_EXPORT, export)(
                         kd, OSSL_KEYMGMT_SELECT_PRIVATE_KEY, export_cb, NULL),
                     0);
    ck_assert_int_eq(export_cb_calls, 0);
    ck_assert_int_eq(KM("RSA", OSSL_FUNC_KEYMGMT_EXPORT, export)(
                         kd, OSSL_KEYMGMT_SELECT_PUBLIC_KEY, export_cb, &n),
                     1);
    ck_assert_int_eq(export_cb_calls, 1);
    ck_assert_int_eq(EVP_PKEY_get_bn_param(rsa_priv, "n", &want), 1);
    ck_assert_int_eq(BN_cmp(n, want), 0);
    BN_free(n);
    BN_free(want);

    /* foreign keys are never imported */
    ck_assert_int_eq(KM("RSA", OSSL_FUNC_KEYMGMT_IMPORT,
                        import)(kd, OSSL_KEYMGMT_SELECT_PUBLIC_KEY, params),
                     0);
    km_free("RSA", kd);
}
END_TEST

START_TEST(test_keymgmt_ec_and_match)
{
    hwc_rkey *k256 = make_key(&f_ec256, ec256_priv, "kms:key/ec", "EC_P256",
                              HWC_USAGE_SIGN_VERIFY, FAKE_DER);
    hwc_rkey *k384 = make_key(&f_ec384, ec384_priv, "kms:key/ec384", "EC_P384",
                              HWC_USAGE_SIGN_VERIFY, FAKE_DER);
    hwc_rkey *again =
        hwc_rkey_new("kms:key/ec-again", "x", "EC_P256", HWC_USAGE_SIGN_VERIFY,
                     public_copy(ec256_priv), &fake_ops, NULL);
    void *a, *b, *c;
    char group[32] = "", dd[32] = "", fmt[32] = "";
    unsigned char pub[200];
    OSSL_PARAM params[] = {
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group,
                               sizeof(group)),
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_DEFAULT_DIGEST, dd, sizeof(dd)),
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, fmt,
                               sizeof(fmt)),
        OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pub,
                                sizeof(pub)),
        OSSL_PARAM_END};

    /* an EC key is not loaded as RSA */
    ERR_clear_error();
    ck_assert_ptr_null(km_load("RSA", k256));
    ck_assert_ptr_nonnull(strstr(tu_errors(), "wrong type"));

    a = km_load("EC", k256);
    b = km_load("EC", k384);
    c = km_load("EC", again);
    ck_assert_int_eq(
        KM("EC", OSSL_FUNC_KEYMGMT_GET_PARAMS, get_params)(a, params), 1);
    ck_assert_str_eq(group, "prime256v1");
    ck_assert_str_eq(dd, "SHA256");
    ck_assert_str_eq(fmt, "uncompressed");
    ck_assert_uint_eq(params[3].return_size, 65);
    ck_assert_int_eq(
        KM("EC", OSSL_FUNC_KEYMGMT_GET_PARAMS, get_params)(b, params), 1);
    ck_assert_str_eq(group, "secp384r1");
    ck_assert_str_eq(dd, "SHA384");
    ck_assert_str_eq(KM("EC", OSSL_FUNC_KEYMGMT_QUERY_OPERATION_NAME,
                        query_operation_name)(OSSL_OP_SIGNATURE),
                     HWC_SIG_ECDSA);
    ck_assert_str_eq(KM("EC", OSSL_FUNC_KEYMGMT_QUERY_OPERATION_NAME,
                        query_operation_name)(OSSL_OP_KEYEXCH),
                     "ECDH");

    ck_assert_int_eq(KM("EC", OSSL_FUNC_KEYMGMT_MATCH,
                        match)(a, c, OSSL_KEYMGMT_SELECT_KEYPAIR),
                     1);
    ck_assert_int_eq(KM("EC", OSSL_FUNC_KEYMGMT_MATCH,
                        match)(a, b, OSSL_KEYMGMT_SELECT_KEYPAIR),
                     0);
    km_free("EC", a);
    km_free("EC", b);
    km_free("EC", c);
    hwc_rkey_free(k256);
    hwc_rkey_free(k384);
    hwc_rkey_free(again);
}
END_TEST

static Suite *keymgmt_suite(void)
{
    Suite *s = suite_create("keymgmt");
    TCase *tc = tcase_create("dispatch");

    tcase_add_unchecked_fixture(tc, keys_setup, keys_teardown);
    tcase_add_test(tc, test_keymgmt_rsa);
    tcase_add_test(tc, test_keymgmt_ec_and_match);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(keymgmt_suite());
}
