/*
 * check_dcs.c: which DCS download links are fetched (hwc_dcs_link_allowed):
 * https only, to OBS hosts (a listed name or a subdomain of it, never a
 * name that merely ends the same), no user info; and the host list setting.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "services/dcs.h"
#include "core/settings.h"
#include "testutil.h"

static int allowed(const char *link, const char *hosts)
{
    char host[256];

    return hwc_dcs_link_allowed(link, hosts, host, sizeof(host));
}

START_TEST(test_default_obs_hosts)
{
    const char *q = "/ssl-1/ca.zip?AWSAccessKeyId=A&Expires=1&Signature=S";
    char link[256], host[256];

    snprintf(link, sizeof(link),
             "https://dcs-ssl.obs.eu-de.myhuaweicloud.com%s", q);
    ck_assert(allowed(link, NULL));
    ck_assert(
        allowed("https://b.obs.cn-north-4.myhuaweicloud.com:443/x", NULL));
    ck_assert(allowed("https://b.OBS.eu-west-101.MyHuaweiCloud.EU/x", NULL));
    ck_assert(allowed("https://obs.myhwclouds.com/x", NULL));
    ck_assert(allowed("https://b.obs.eu-de.otc.t-systems.com/x?y", NULL));
    /* Not OBS, or only looking like it. */
    ck_assert(!allowed("https://attacker.example/x", NULL));
    ck_assert(!allowed("https://myhuaweicloud.com.attacker.example/x", NULL));
    ck_assert(!allowed("https://attackermyhuaweicloud.com/x", NULL));
    ck_assert(
        !allowed("https://obs.myhuaweicloud.com@attacker.example/x", NULL));
    ck_assert(
        !allowed("https://obs.myhuaweicloud.com:443@attacker.example/", NULL));
    ck_assert(!allowed("http://obs.eu-de.myhuaweicloud.com/x", NULL));
    ck_assert(!allowed("https:///x", NULL));
    ck_assert(!allowed("https://", NULL));
    /* The host named in messages, never the query. */
    ck_assert(
        !hwc_dcs_link_allowed("https://Attacker.Example:8443/a?Signature=S",
                              NULL, host, sizeof(host)));
    ck_assert_str_eq(host, "attacker.example");
}
END_TEST

START_TEST(test_configured_hosts)
{
    const char *hosts = "127.0.0.1, .obs.internal.example [::1]";

    ck_assert(allowed("https://127.0.0.1:38443/obs/b/d/f?x", hosts));
    ck_assert(!allowed("https://127.0.0.10/obs/b/d/f", hosts));
    ck_assert(allowed("https://bucket.obs.internal.example/f", hosts));
    ck_assert(allowed("https://obs.internal.example/f", hosts));
    ck_assert(!allowed("https://internal.example/f", hosts));
    ck_assert(allowed("https://[::1]:8443/f", hosts));
    ck_assert(!allowed("https://b.obs.eu-de.myhuaweicloud.com/x", hosts));
}
END_TEST

START_TEST(test_host_list_setting)
{
    static const char *bad[] = {"obs.example/path", "*.example", "", ",",
                                "a\nb"};
    hwc_settings *st = hwc_settings_new();

    ck_assert(hwc_settings_load_env(st));
    ck_assert_str_eq(hwc_get(st, HWC_S_DCS_DOWNLOAD_HOSTS),
                     HWC_DCS_DOWNLOAD_HOSTS);
    ck_assert(hwc_settings_validate(st));
    hwc_settings_free(st);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        st = hwc_settings_new();
        ck_assert(hwc_settings_set(st, HWC_S_DCS_DOWNLOAD_HOSTS, bad[i],
                                   HWC_SRC_CONF));
        if (hwc_get(st, HWC_S_DCS_DOWNLOAD_HOSTS) != NULL) {
            ck_assert_msg(!hwc_settings_validate(st), "%s", bad[i]);
            ck_assert_ptr_nonnull(
                strstr(tu_errors(), "setting dcs_download_hosts"));
        }
        hwc_settings_free(st);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dcs");
    TCase *tc = tcase_create("links");

    tcase_add_test(tc, test_default_obs_hosts);
    tcase_add_test(tc, test_configured_hosts);
    tcase_add_test(tc, test_host_list_setting);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
