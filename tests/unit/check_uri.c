/* check_uri.c: the URI grammar, accepted and refused forms. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "uri.h"

static const char *good_key = "0d0466b0-e727-4d9c-b35d-f84bb474a37f";

START_TEST(kms_key_ok)
{
    hwc_uri u;
    char text[128];

    snprintf(text, sizeof(text), "kms:key/%s", good_key);
    ck_assert_int_eq(hwc_uri_parse(text, &u), 1);
    ck_assert_int_eq(u.kind, HWC_URI_KMS_KEY);
    ck_assert_int_eq(u.service, HWC_SVC_KMS);
    ck_assert_str_eq(u.id, good_key);
    ck_assert_str_eq(u.region, "");
}
END_TEST

START_TEST(scm_dcs_codearts_ok)
{
    hwc_uri u;

    ck_assert_int_eq(hwc_uri_parse("scm:cert/scs1590053258704", &u), 1);
    ck_assert_int_eq(u.kind, HWC_URI_SCM_CERT);
    ck_assert_int_eq(
        hwc_uri_parse("dcs:ssl/0d0466b0-e727-4d9c-b35d-f84bb474a37f", &u), 1);
    ck_assert_int_eq(u.kind, HWC_URI_DCS_SSL);
    ck_assert_int_eq(hwc_uri_parse("codearts:keystore/android.keystore", &u),
                     1);
    ck_assert_str_eq(u.id, "android.keystore");
}
END_TEST

START_TEST(query_ok)
{
    hwc_uri u;

    ck_assert_int_eq(
        hwc_uri_parse("scm:cert/scs1590053258704?region=eu-de&project_id="
                      "0123456789abcdef0123456789abcdef",
                      &u),
        1);
    ck_assert_str_eq(u.region, "eu-de");
    ck_assert_str_eq(u.project_id, "0123456789abcdef0123456789abcdef");
}
END_TEST

static const char *bad[] = {
    "",
    "kms:",
    "kms:alias/",
    "kms:alias/a%2",
    "kms:alias/a%00b",
    "kms:alias/a%0ab",
    "scm:name/a b",
    "kms:keystore/a_b",
    "kms:key/0D0466B0-e727-4d9c-b35d-f84bb474a37f",  /* upper case */
    "kms:key/0d0466b0-e727-4d9c-b35d-f84bb474a37",   /* short */
    "kms:key/0d0466b0-e727-4d9c-b35d-f84bb474a37ff", /* long */
    "kms:key/0d0466b0_e727-4d9c-b35d-f84bb474a37f",
    "kms:key/0d0466b0-e727-4d9c-b35d-f84bb474a37f#frag",
    "kms:key/0d0466b0-e727-4d9c-b35d-f84bb474a37f/extra",
    "kms:key/0d0466b0-e727-4d9c-b35d-f84bb474a37f?foo=bar",
    "kms:key/0d0466b0-e727-4d9c-b35d-f84bb474a37f?region=EU",
    "kms:key/0d0466b0-e727-4d9c-b35d-f84bb474a37f?region=eu-de&region=eu-nl",
    "kms:key/0d0466b0-e727-4d9c-b35d-f84bb474a37f?project_id=123",
    "kms:key/0d0466b0-e727-4d9c-b35d-f84bb474a37f?region=a.b",
    "kms:key/0d0466b0-e727-4d9c-b35d-f84bb474a37f?region",
    "kms:keys/0d0466b0-e727-4d9c-b35d-f84bb474a37f",
    "scm:cert/scs159005325870",   /* 15 */
    "scm:cert/scs15900532587045", /* 17 */
    "scm:cert/scs15900532587%2F",
    "scm:cert/scs1590053258\n04",
    "dcs:ssl/not-a-uuid",
    "codearts:keystore/",
    "codearts:keystore/.",
    "codearts:keystore/..",
    "codearts:keystore/a/b",
    "codearts:keystore/a%2Fb",
    "codearts:keystore/a b",
    "file:/etc/passwd",
    "https://example.com/",
};

START_TEST(refused)
{
    hwc_uri u;

    ck_assert_msg(hwc_uri_parse(bad[_i], &u) == 0, "accepted: %s", bad[_i]);
    const char *errs = tu_errors();
    ck_assert_msg(strstr(errs, "invalid URI") != NULL, "%s", errs);
    ck_assert_msg(strstr(errs, "expected") != NULL, "%s", errs);
}
END_TEST

START_TEST(listing_and_aliases)
{
    hwc_uri u;

    ck_assert_int_eq(hwc_uri_parse("kms:key/", &u), 1);
    ck_assert_int_eq(u.kind, HWC_URI_KMS_KEY_LIST);
    ck_assert_int_eq(hwc_uri_is_listing(&u), 1);
    ck_assert_int_eq(hwc_uri_parse("scm:cert/", &u), 1);
    ck_assert_int_eq(u.kind, HWC_URI_SCM_CERT_LIST);
    ck_assert_int_eq(hwc_uri_parse("kms:keystore/", &u), 1);
    ck_assert_int_eq(u.kind, HWC_URI_KMS_KEYSTORE_LIST);
    ck_assert_int_eq(
        hwc_uri_parse("kms:keystore/bb6a3d22-dc93-47ac-b5bd-88df7ad35f1e", &u),
        1);
    ck_assert_int_eq(u.kind, HWC_URI_KMS_KEYSTORE);
    ck_assert_int_eq(hwc_uri_is_listing(&u), 1);
    ck_assert_int_eq(hwc_uri_parse("kms:alias/my-tls-key", &u), 1);
    ck_assert_int_eq(u.kind, HWC_URI_KMS_ALIAS);
    ck_assert_int_eq(hwc_uri_is_listing(&u), 0);
    /* Percent-decoded exactly once. */
    ck_assert_int_eq(hwc_uri_parse("kms:alias/team%2Fweb%3Akey", &u), 1);
    ck_assert_str_eq(u.id, "team/web:key");
    ck_assert_int_eq(hwc_uri_parse("scm:name/www-example-com", &u), 1);
    ck_assert_int_eq(u.kind, HWC_URI_SCM_NAME);
    ck_assert_int_eq(hwc_uri_parse("scm:name/a%252F", &u), 0);
    tu_errors();
}
END_TEST

START_TEST(long_name_refused)
{
    hwc_uri u;
    char text[400] = "codearts:keystore/";

    memset(text + strlen(text), 'a', 256);
    text[18 + 256] = '\0';
    ck_assert_int_eq(hwc_uri_parse(text, &u), 0);
    tu_errors();
    text[18 + 255] = '\0';
    ck_assert_int_eq(hwc_uri_parse(text, &u), 1);
}
END_TEST

START_TEST(control_chars_not_echoed)
{
    hwc_uri u;

    ck_assert_int_eq(hwc_uri_parse("kms:key/\x1b[31mred", &u), 0);
    const char *errs = tu_errors();
    ck_assert_ptr_null(strchr(errs, '\x1b'));
    ck_assert_ptr_nonnull(strstr(errs, "\\x1b"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("uri");
    TCase *tc = tcase_create("parse");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, kms_key_ok);
    tcase_add_test(tc, scm_dcs_codearts_ok);
    tcase_add_test(tc, query_ok);
    tcase_add_loop_test(tc, refused, 0, sizeof(bad) / sizeof(bad[0]));
    tcase_add_test(tc, listing_and_aliases);
    tcase_add_test(tc, long_name_refused);
    tcase_add_test(tc, control_chars_not_echoed);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
