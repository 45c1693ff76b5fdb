/* check_parse.c: the response parsers and error envelopes, with the shapes
 * the services document and the shapes a hostile server could send. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "dcs.h"
#include "kms.h"
#include "scm.h"
#include "testutil.h"

static json_t *js(const char *text)
{
    json_t *j = json_loads(text, 0, NULL);

    ck_assert_ptr_nonnull(j);
    return j;
}

START_TEST(envelopes)
{
    struct {
        const char *body, *code, *msg;
    } cases[] = {
        {"{\"error\":{\"error_code\":\"KMS.0207\",\"error_msg\":\"no key\"}}",
         "KMS.0207", "no key"},
        {"{\"error_code\":\"SCM.0403\",\"error_msg\":\"denied\"}", "SCM.0403",
         "denied"},
        {"{\"error_code\":\"DCS.4201\",\"error_msg\":\"Do not support SSL.\","
         "\"error_ext_msg\":null}",
         "DCS.4201", "Do not support SSL."},
        {"{\"error\":{\"code\":401,\"message\":\"The username or password is "
         "wrong.\",\"title\":\"Unauthorized\"}}",
         "401", "The username or password is wrong."},
        {"{\"error_code\":\"X\",\"error_msg\":\"line\\nbreak\\u001b[31m\"}",
         "X", "line break [31m"},
        {"not json", "", ""},
        {"[1,2]", "", ""},
        {"{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"error_code\":\"DEEP\"}}}}}}",
         "", ""},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char code[64], msg[256];
        hwc_error_envelope((const unsigned char *)cases[i].body,
                           strlen(cases[i].body), code, sizeof(code), msg,
                           sizeof(msg));
        ck_assert_str_eq(code, cases[i].code);
        ck_assert_str_eq(msg, cases[i].msg);
    }
}
END_TEST

START_TEST(json_parse_rules)
{
    const char *dup = "{\"a\":1,\"a\":2}";
    json_t *j;

    j = hwc_json_parse("t", (const unsigned char *)dup, strlen(dup));
    ck_assert_ptr_null(j);
    ck_assert_ptr_nonnull(strstr(tu_errors(), "not valid JSON"));
    j = hwc_json_parse("t", (const unsigned char *)"[]", 2);
    ck_assert_ptr_null(j);
    ck_assert_ptr_nonnull(strstr(tu_errors(), "not a JSON object"));
    j = hwc_json_parse("t", (const unsigned char *)"{}", 2);
    ck_assert_ptr_nonnull(j);
    json_decref(j);
}
END_TEST

START_TEST(key_info)
{
    hwc_kms_key_info k;
    json_t *j = js("{\"key_id\":\"0d0466b0-e727-4d9c-b35d-f84bb474a37f\","
                   "\"key_alias\":\"a\",\"key_spec\":\"EC_P256\","
                   "\"key_usage\":\"SIGN_VERIFY\",\"key_state\":\"2\","
                   "\"keystore_id\":\"0\",\"new_field\":[1]}");

    ck_assert_int_eq(hwc_kms_parse_key_info("t", j, &k), 1);
    ck_assert_str_eq(k.key_spec, "EC_P256");
    ck_assert_int_eq(hwc_kms_usage(&k), HWC_USAGE_SIGN_VERIFY);
    ck_assert_int_eq(hwc_kms_key_usable("t", &k), 1);
    json_decref(j);
}
END_TEST

static const char *bad_key_infos[] = {
    "{}",
    "{\"key_id\":null}",
    "{\"key_id\":5}",
    "{\"key_id\":\"x\",\"key_spec\":7}",
    "{\"key_id\":\"x\",\"key_state\":[]}",
    "[]",
    "null",
};

START_TEST(key_info_hostile)
{
    hwc_kms_key_info k;
    json_t *j = json_loads(bad_key_infos[_i], JSON_DECODE_ANY, NULL);

    ck_assert_int_eq(hwc_kms_parse_key_info("t", j, &k), 0);
    ck_assert_ptr_nonnull(strstr(tu_errors(), "malformed service response"));
    json_decref(j);
}
END_TEST

START_TEST(key_states)
{
    hwc_kms_key_info k;

    memset(&k, 0, sizeof(k));
    strcpy(k.key_spec, "RSA_2048");
    strcpy(k.key_state, "3");
    ck_assert_int_eq(hwc_kms_key_usable("u", &k), 0);
    ck_assert_ptr_nonnull(strstr(tu_errors(), "key is disabled"));
    strcpy(k.key_state, "4");
    ck_assert_int_eq(hwc_kms_key_usable("u", &k), 0);
    ck_assert_ptr_nonnull(strstr(tu_errors(), "pending deletion"));
    strcpy(k.key_state, "2");
    strcpy(k.key_spec, "AES_256");
    ck_assert_int_eq(hwc_kms_key_usable("u", &k), 0);
    ck_assert_ptr_nonnull(strstr(tu_errors(), "not an RSA or EC key pair"));
}
END_TEST

START_TEST(scm_export)
{
    hwc_scm_bundle b;
    json_t *j = js("{\"certificate\":\"C\",\"certificate_chain\":null,"
                   "\"private_key\":\"K\",\"enc_certificate\":\"E\"}");

    ck_assert_int_eq(hwc_scm_parse_export("t", j, &b), 1);
    ck_assert_str_eq(b.certificate, "C");
    ck_assert_ptr_null(b.certificate_chain);
    ck_assert_ptr_null(b.entire_certificate);
    ck_assert_str_eq(b.private_key, "K");
    hwc_scm_bundle_free(&b);
    json_decref(j);
    j = js("{\"certificate\":42}");
    ck_assert_int_eq(hwc_scm_parse_export("t", j, &b), 0);
    ck_assert_ptr_nonnull(strstr(tu_errors(), "certificate is not a string"));
    ck_assert_ptr_null(b.certificate);
    json_decref(j);
    j = js("[]");
    ck_assert_int_eq(hwc_scm_parse_export("t", j, &b), 0);
    tu_errors();
    json_decref(j);
}
END_TEST

START_TEST(dcs_link)
{
    char *link = NULL;
    json_t *j =
        js("{\"file_name\":\"f\",\"link\":\"https://b.obs/x?Signature=s\","
           "\"bucket_name\":\"b\"}");

    ck_assert_int_eq(hwc_dcs_parse_link("t", j, &link), 1);
    ck_assert_str_eq(link, "https://b.obs/x?Signature=s");
    OPENSSL_free(link);
    json_decref(j);
    j = js("{\"link\":null}");
    ck_assert_int_eq(hwc_dcs_parse_link("t", j, &link), 0);
    ck_assert_ptr_null(link);
    ck_assert_ptr_nonnull(strstr(tu_errors(), "lacks"));
    json_decref(j);
}
END_TEST

START_TEST(json_text)
{
    char buf[8];
    json_t *j = js("{\"s\":\"abcdefghijk\",\"i\":42,\"n\":null}");

    hwc_json_text(j, "s", buf, sizeof(buf));
    ck_assert_str_eq(buf, "abcdefg");
    hwc_json_text(j, "i", buf, sizeof(buf));
    ck_assert_str_eq(buf, "42");
    hwc_json_text(j, "n", buf, sizeof(buf));
    ck_assert_str_eq(buf, "");
    hwc_json_text(j, "missing", buf, sizeof(buf));
    ck_assert_str_eq(buf, "");
    json_decref(j);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("parse");
    TCase *tc = tcase_create("parse");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, envelopes);
    tcase_add_test(tc, json_parse_rules);
    tcase_add_test(tc, key_info);
    tcase_add_loop_test(tc, key_info_hostile, 0,
                        sizeof(bad_key_infos) / sizeof(bad_key_infos[0]));
    tcase_add_test(tc, key_states);
    tcase_add_test(tc, scm_export);
    tcase_add_test(tc, dcs_link);
    tcase_add_test(tc, json_text);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
