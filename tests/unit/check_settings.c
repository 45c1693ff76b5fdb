/* check_settings.c: precedence and validation of configuration values. */
#define _GNU_SOURCE /* secure_getenv */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/hwc.h"
#include "core/settings.h"
#include "testutil.h"

/*
 * This program's own secure_getenv, which the provider code linked into it
 * calls instead of glibc's: with `privileged` set it answers as glibc does
 * in a setuid or setcap process (nothing), while getenv still sees all.
 */
static int privileged;

char *secure_getenv(const char *name)
{
    return privileged ? NULL : getenv(name);
}

static void clear_env(void)
{
    for (int i = 0; i < HWC_S_COUNT; i++) {
        if (hwc_setting_env(i) != NULL) {
            unsetenv(hwc_setting_env(i));
        }
    }
    unsetenv("HUAWEICLOUD_SDK_PROJECT_ID");
    unsetenv("HUAWEICLOUD_SDK_AK");
    unsetenv("HUAWEICLOUD_SDK_REGION");
    unsetenv("HUAWEICLOUD_SDK_IAM_ENDPOINT");
}

START_TEST(precedence)
{
    hwc_settings *st = hwc_settings_new();

    clear_env();
    setenv("HWCLOUD_REGION", "eu-nl", 1);
    setenv("HUAWEICLOUD_SDK_PROJECT_ID", "0123456789abcdef0123456789abcdef", 1);
    setenv("HWCLOUD_RETRIES", "5", 1);
    ck_assert_int_eq(hwc_settings_set(st, HWC_S_REGION, "eu-de", HWC_SRC_CONF),
                     1);
    ck_assert_int_eq(hwc_settings_load_env(st), 1);
    ck_assert_str_eq(hwc_get(st, HWC_S_REGION), "eu-de");
    ck_assert_str_eq(hwc_setting_source_text(st, HWC_S_REGION), "openssl.cnf");
    ck_assert_str_eq(hwc_get(st, HWC_S_PROJECT_ID),
                     "0123456789abcdef0123456789abcdef");
    ck_assert_str_eq(hwc_setting_source_text(st, HWC_S_PROJECT_ID),
                     "HUAWEICLOUD_SDK_PROJECT_ID");
    ck_assert_int_eq(hwc_get_long(st, HWC_S_RETRIES, 0), 5);
    ck_assert_str_eq(hwc_get(st, HWC_S_CLOUD), "huaweicloud");
    ck_assert_str_eq(hwc_setting_source_text(st, HWC_S_CLOUD), "default");
    ck_assert_int_eq(hwc_get_bool(st, HWC_S_URI_PEM), 0);
    ck_assert_int_eq(hwc_settings_validate(st), 1);
    hwc_settings_free(st);
}
END_TEST

START_TEST(hwcloud_env_beats_sdk_env)
{
    hwc_settings *st = hwc_settings_new();

    clear_env();
    setenv("HWCLOUD_PROJECT_ID", "11111111111111111111111111111111", 1);
    setenv("HUAWEICLOUD_SDK_PROJECT_ID", "22222222222222222222222222222222", 1);
    ck_assert_int_eq(hwc_settings_load_env(st), 1);
    ck_assert_str_eq(hwc_get(st, HWC_S_PROJECT_ID),
                     "11111111111111111111111111111111");
    hwc_settings_free(st);
}
END_TEST

struct bad_case {
    enum hwc_setting s;
    const char *v;
    const char *msg;
};

static const struct bad_case bad[] = {
    {HWC_S_REGION, "EU-DE", "setting region (from openssl.cnf)"},
    {HWC_S_REGION, "eu-de.evil.com", "setting region"},
    {HWC_S_PROJECT_ID, "123", "32 lower-case hex"},
    {HWC_S_ENDPOINT, "http://127.0.0.1", "https:// URL"},
    {HWC_S_ENDPOINT, "https://user@host", "https:// URL"},
    {HWC_S_KMS_ENDPOINT, "ftp://x", "kms_endpoint"},
    {HWC_S_CLOUD, "aws", "huaweicloud or otc"},
    {HWC_S_AUTH, "magic", "auto, token"},
    {HWC_S_TIMEOUT, "-1", "whole number of seconds from 1 to 3600"},
    /* libcurl takes 0 as "no limit": a stalled API would hang forever. */
    {HWC_S_TIMEOUT, "0", "setting timeout (from openssl.cnf): '0'"},
    {HWC_S_CONNECT_TIMEOUT, "0", "(0 would mean no limit)"},
    {HWC_S_TIMEOUT, "3601", "from 1 to 3600"},
    {HWC_S_URI_PEM, "maybe", "yes or no"},
    {HWC_S_TOKEN, "abc\ndef", "token (from openssl.cnf): value"},
};

/* As the SDKs read HUAWEICLOUD_SDK_IAM_ENDPOINT: a bare host means https;
 * HUAWEICLOUD_SDK_REGION is no SDK variable and is not read. */
START_TEST(sdk_variables_as_the_sdks_read_them)
{
    hwc_settings *st = hwc_settings_new();

    clear_env();
    unsetenv("HUAWEICLOUD_SDK_IAM_ENDPOINT");
    setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", "iam.example.com:8443", 1);
    setenv("HUAWEICLOUD_SDK_REGION", "eu-de", 1);
    ck_assert_int_eq(hwc_settings_load_env(st), 1);
    ck_assert_str_eq(hwc_get(st, HWC_S_IAM_ENDPOINT),
                     "https://iam.example.com:8443");
    ck_assert_str_eq(hwc_setting_source_text(st, HWC_S_IAM_ENDPOINT),
                     "HUAWEICLOUD_SDK_IAM_ENDPOINT");
    ck_assert_ptr_null(hwc_get(st, HWC_S_REGION));
    ck_assert_int_eq(hwc_settings_validate(st), 1);
    hwc_settings_free(st);
    /* With a scheme it is kept as given; http is refused as ever. */
    st = hwc_settings_new();
    setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", "http://iam.example.com", 1);
    ck_assert_int_eq(hwc_settings_load_env(st), 1);
    ck_assert_str_eq(hwc_get(st, HWC_S_IAM_ENDPOINT), "http://iam.example.com");
    ck_assert_int_eq(hwc_settings_validate(st), 0);
    ck_assert_ptr_nonnull(strstr(tu_errors(), "HUAWEICLOUD_SDK_IAM_ENDPOINT"));
    hwc_settings_free(st);
    unsetenv("HUAWEICLOUD_SDK_IAM_ENDPOINT");
    unsetenv("HUAWEICLOUD_SDK_REGION");
}
END_TEST

START_TEST(invalid_values)
{
    hwc_settings *st = hwc_settings_new();
    const char *errs;

    clear_env();
    ck_assert_int_eq(hwc_settings_set(st, bad[_i].s, bad[_i].v, HWC_SRC_CONF),
                     1);
    ck_assert_int_eq(hwc_settings_validate(st), 0);
    errs = tu_errors();
    ck_assert_msg(strstr(errs, bad[_i].msg) != NULL, "%s", errs);
    if (hwc_setting_is_secret(bad[_i].s)) {
        ck_assert_ptr_null(strstr(errs, "abc"));
    }
    hwc_settings_free(st);
}
END_TEST

START_TEST(metadata_may_be_http)
{
    hwc_settings *st = hwc_settings_new();

    ck_assert_int_eq(hwc_settings_set(st, HWC_S_METADATA_ENDPOINT,
                                      "http://169.254.169.254", HWC_SRC_CONF),
                     1);
    ck_assert_int_eq(hwc_settings_validate(st), 1);
    hwc_settings_free(st);
}
END_TEST

START_TEST(env_source_named)
{
    hwc_settings *st = hwc_settings_new();
    const char *errs;

    clear_env();
    setenv("HWCLOUD_ENDPOINT", "http://plain", 1);
    ck_assert_int_eq(hwc_settings_load_env(st), 1);
    ck_assert_int_eq(hwc_settings_validate(st), 0);
    errs = tu_errors();
    ck_assert_msg(strstr(errs, "from HWCLOUD_ENDPOINT") != NULL, "%s", errs);
    hwc_settings_free(st);
}
END_TEST

/* A setuid program's caller picks its environment: it must not choose
 * where the password goes (iam_endpoint, ca_file) or turn on logging. */
START_TEST(privileged_ignores_env)
{
    hwc_settings *st = hwc_settings_new();

    clear_env();
    setenv("HWCLOUD_IAM_ENDPOINT", "https://iam.attacker.example", 1);
    setenv("HWCLOUD_CA_FILE", "/tmp/attacker-ca.pem", 1);
    setenv("HUAWEICLOUD_SDK_AK", "AKATTACKER", 1);
    setenv("HWCLOUD_DEBUG", "1", 1);
    privileged = 1;
    ck_assert_int_eq(hwc_settings_load_env(st), 1);
    ck_assert_ptr_null(hwc_get(st, HWC_S_IAM_ENDPOINT));
    ck_assert_ptr_null(hwc_get(st, HWC_S_CA_FILE));
    ck_assert_ptr_null(hwc_get(st, HWC_S_ACCESS_KEY));
    hwc_debug_enable(0);
    ck_assert_int_eq(hwc_debug_enabled(), 0);
    hwc_settings_free(st);
    /* The same environment, unprivileged: every value is taken. */
    privileged = 0;
    st = hwc_settings_new();
    ck_assert_int_eq(hwc_settings_load_env(st), 1);
    ck_assert_str_eq(hwc_get(st, HWC_S_IAM_ENDPOINT),
                     "https://iam.attacker.example");
    ck_assert_str_eq(hwc_get(st, HWC_S_ACCESS_KEY), "AKATTACKER");
    hwc_debug_enable(0);
    ck_assert_int_eq(hwc_debug_enabled(), 1);
    hwc_debug_enable(0);
    unsetenv("HWCLOUD_DEBUG");
    hwc_settings_free(st);
    clear_env();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("settings");
    TCase *tc = tcase_create("settings");

    tcase_add_test(tc, precedence);
    tcase_add_test(tc, hwcloud_env_beats_sdk_env);
    tcase_add_test(tc, sdk_variables_as_the_sdks_read_them);
    tcase_add_loop_test(tc, invalid_values, 0, sizeof(bad) / sizeof(bad[0]));
    tcase_add_test(tc, metadata_may_be_http);
    tcase_add_test(tc, env_source_named);
    tcase_add_test(tc, privileged_ignores_env);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
