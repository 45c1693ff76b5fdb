/* check_uri.c: the URI grammar, accepted and refused forms. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/settings.h"
#include "testutil.h"
#include "resolve/uri.h"

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

/*------------------------------------------- PEM-wrapped URI policy */

#define KEY "kms:key/0d0466b0-e727-4d9c-b35d-f84bb474a37f"
#define OTHER_PROJECT "0123456789abcdef0123456789abcdef"

static hwc_settings *policy(const char *allow, const char *overrides)
{
    hwc_settings *st = hwc_settings_new();

    ck_assert(hwc_settings_set(st, HWC_S_URI_PEM_ALLOW, allow, HWC_SRC_CONF));
    ck_assert(
        hwc_settings_set(st, HWC_S_URI_PEM_OVERRIDES, overrides, HWC_SRC_CONF));
    ck_assert_msg(hwc_settings_validate(st), "%s", tu_errors());
    return st;
}

static void permitted(const hwc_settings *st, const char *uri, int want,
                      const char *msg)
{
    const char *errs;

    ck_assert_msg(hwc_uri_pem_permit(st, uri) == want, "%s", uri);
    errs = tu_errors();
    if (msg != NULL) {
        ck_assert_msg(strstr(errs, msg) != NULL, "%s: %s", uri, errs);
    }
}

/* A key file's writer may not reach another project or region. */
START_TEST(pem_overrides_refused)
{
    hwc_settings *st = policy(NULL, NULL);

    permitted(st, KEY, 1, NULL);
    permitted(st, KEY "?project_id=" OTHER_PROJECT, 0,
              "?region= and ?project_id= are refused in key files");
    permitted(st, KEY "?region=cn-north-4", 0, "uri_pem_overrides = yes");
    permitted(st, "scm:cert/scs1590053258704?region=ap-southeast-1", 0,
              "refused in key files");
    hwc_settings_free(st);
    st = policy(NULL, "yes");
    permitted(st, KEY "?project_id=" OTHER_PROJECT "&region=cn-north-4", 1,
              NULL);
    hwc_settings_free(st);
}
END_TEST

START_TEST(pem_allow_list)
{
    hwc_settings *st =
        policy("kms:key/*, scm:cert/scs1590* kms:alias/prod-*", NULL);

    permitted(st, KEY, 1, NULL);
    permitted(st, "scm:cert/scs1590053258704", 1, NULL);
    permitted(st, "scm:cert/scs9990053258704", 0,
              "scm:cert/scs9990053258704 matches no pattern of uri_pem_allow");
    permitted(st, "codearts:keystore/release.p12", 0, "matches no pattern");
    permitted(st, "scm:name/www.example.com", 0, "matches no pattern");
    /* Matched as the grammar reads it: percent-encoding changes nothing. */
    permitted(st, "kms:alias/prod%2Dtls", 1, NULL);
    permitted(st, "kms:alias/%70rod-tls", 1, NULL);
    permitted(st, "kms:alias/test-tls", 0, "kms:alias/test-tls matches no");
    /* The allow list never lifts the override rule. */
    permitted(st, KEY "?region=eu-de", 0, "refused in key files");
    /* Invalid URIs are left to the resolver, which says what is wrong. */
    permitted(st, "kms:nothing/1", 1, NULL);
    hwc_settings_free(st);
}
END_TEST

START_TEST(pem_allow_list_invalid)
{
    static const char *lists[] = {"https://kms.example.com/*", "key/*",
                                  "kms:key/0d04?6b0", ",", "kms:key/*,\\x"};

    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        hwc_settings *st = hwc_settings_new();
        const char *errs;

        ck_assert(
            hwc_settings_set(st, HWC_S_URI_PEM_ALLOW, lists[i], HWC_SRC_CONF));
        ck_assert_msg(!hwc_settings_validate(st), "%s", lists[i]);
        errs = tu_errors();
        ck_assert_msg(strstr(errs, "setting uri_pem_allow (from openssl.cnf)"),
                      "%s", errs);
        hwc_settings_free(st);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("uri");
    TCase *tc = tcase_create("parse");

    tcase_add_test(tc, kms_key_ok);
    tcase_add_test(tc, scm_dcs_codearts_ok);
    tcase_add_test(tc, query_ok);
    tcase_add_loop_test(tc, refused, 0, sizeof(bad) / sizeof(bad[0]));
    tcase_add_test(tc, listing_and_aliases);
    tcase_add_test(tc, long_name_refused);
    tcase_add_test(tc, control_chars_not_echoed);
    tcase_add_test(tc, pem_overrides_refused);
    tcase_add_test(tc, pem_allow_list);
    tcase_add_test(tc, pem_allow_list_invalid);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
