/*
 * check_endpoint.c: default hosts for every service on both clouds in the
 * regions users actually configure, the services OTC lacks, and region
 * values that must never reach a host name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <openssl/crypto.h>

#include "net/endpoint.h"
#include "testutil.h"

#define HW HWC_CLOUD_HUAWEI
#define OTC HWC_CLOUD_OTC

typedef struct row {
    enum hwc_cloud cloud;
    const char *region;
    enum hwc_service svc;
    const char *want; /* NULL: not available there */
} row;

/* Written out in full so a rule change shows up as a diff here. */
static const row rows[] = {
    /* Huawei Cloud, international */
    {HW, "eu-de", HWC_SVC_IAM, "https://iam.myhuaweicloud.com"},
    {HW, "eu-de", HWC_SVC_KMS, "https://kms.eu-de.myhuaweicloud.com"},
    {HW, "eu-de", HWC_SVC_SCM, "https://scm.ap-southeast-1.myhuaweicloud.com"},
    {HW, "eu-de", HWC_SVC_DCS, "https://dcs.eu-de.myhuaweicloud.com"},
    {HW, "eu-de", HWC_SVC_CODEARTS,
     "https://cloudbuild-ext.eu-de.myhuaweicloud.com"},
    {HW, "eu-nl", HWC_SVC_IAM, "https://iam.myhuaweicloud.com"},
    {HW, "eu-nl", HWC_SVC_KMS, "https://kms.eu-nl.myhuaweicloud.com"},
    {HW, "eu-nl", HWC_SVC_SCM, "https://scm.ap-southeast-1.myhuaweicloud.com"},
    {HW, "eu-nl", HWC_SVC_DCS, "https://dcs.eu-nl.myhuaweicloud.com"},
    {HW, "eu-nl", HWC_SVC_CODEARTS,
     "https://cloudbuild-ext.eu-nl.myhuaweicloud.com"},
    {HW, "eu-ch2", HWC_SVC_IAM, "https://iam.myhuaweicloud.com"},
    {HW, "eu-ch2", HWC_SVC_KMS, "https://kms.eu-ch2.myhuaweicloud.com"},
    {HW, "eu-ch2", HWC_SVC_SCM, "https://scm.ap-southeast-1.myhuaweicloud.com"},
    {HW, "eu-ch2", HWC_SVC_DCS, "https://dcs.eu-ch2.myhuaweicloud.com"},
    {HW, "eu-ch2", HWC_SVC_CODEARTS,
     "https://cloudbuild-ext.eu-ch2.myhuaweicloud.com"},
    {HW, "ap-southeast-1", HWC_SVC_IAM,
     "https://iam.ap-southeast-1.myhuaweicloud.com"},
    {HW, "ap-southeast-1", HWC_SVC_KMS,
     "https://kms.ap-southeast-1.myhuaweicloud.com"},
    {HW, "ap-southeast-1", HWC_SVC_SCM,
     "https://scm.ap-southeast-1.myhuaweicloud.com"},
    {HW, "ap-southeast-1", HWC_SVC_DCS,
     "https://dcs.ap-southeast-1.myhuaweicloud.com"},
    {HW, "ap-southeast-1", HWC_SVC_CODEARTS,
     "https://cloudbuild-ext.ap-southeast-1.myhuaweicloud.com"},
    {HW, "ap-southeast-3", HWC_SVC_SCM,
     "https://scm.ap-southeast-1.myhuaweicloud.com"},
    {HW, "ap-southeast-3", HWC_SVC_IAM,
     "https://iam.ap-southeast-3.myhuaweicloud.com"},
    {HW, "eu-west-0", HWC_SVC_IAM, "https://iam.eu-west-0.myhuaweicloud.com"},
    {HW, "eu-west-0", HWC_SVC_DCS, "https://dcs.eu-west-0.myhuaweicloud.com"},
    {HW, "tr-west-1", HWC_SVC_IAM, "https://iam.tr-west-1.myhuaweicloud.com"},
    /* Regions the SDKs' IAM tables do not list: the global IAM host */
    {HW, "ru-northwest-2", HWC_SVC_IAM, "https://iam.myhuaweicloud.com"},
    {HW, "ru-northwest-2", HWC_SVC_DCS,
     "https://dcs.ru-northwest-2.myhuaweicloud.com"},
    {HW, "xx-nowhere-9", HWC_SVC_IAM, "https://iam.myhuaweicloud.com"},
    /* Malaysia: SCM has its own host there */
    {HW, "my-kualalumpur-1", HWC_SVC_IAM,
     "https://iam.my-kualalumpur-1.myhuaweicloud.com"},
    {HW, "my-kualalumpur-1", HWC_SVC_KMS,
     "https://kms.my-kualalumpur-1.myhuaweicloud.com"},
    {HW, "my-kualalumpur-1", HWC_SVC_SCM,
     "https://scm.my-kualalumpur-1.myhuaweicloud.com"},
    {HW, "my-kualalumpur-1", HWC_SVC_DCS,
     "https://dcs.my-kualalumpur-1.myhuaweicloud.com"},
    {HW, "my-kualalumpur-1", HWC_SVC_CODEARTS,
     "https://cloudbuild-ext.my-kualalumpur-1.myhuaweicloud.com"},
    /* Huawei Cloud, Chinese mainland: SCM's CN endpoint */
    {HW, "cn-north-4", HWC_SVC_IAM, "https://iam.cn-north-4.myhuaweicloud.com"},
    {HW, "cn-north-4", HWC_SVC_KMS, "https://kms.cn-north-4.myhuaweicloud.com"},
    {HW, "cn-north-4", HWC_SVC_SCM, "https://scm.cn-north-4.myhuaweicloud.com"},
    {HW, "cn-north-4", HWC_SVC_DCS, "https://dcs.cn-north-4.myhuaweicloud.com"},
    {HW, "cn-north-4", HWC_SVC_CODEARTS,
     "https://cloudbuild-ext.cn-north-4.myhuaweicloud.com"},
    {HW, "cn-east-3", HWC_SVC_SCM, "https://scm.cn-north-4.myhuaweicloud.com"},
    {HW, "cn-east-3", HWC_SVC_KMS, "https://kms.cn-east-3.myhuaweicloud.com"},
    /* Huawei Cloud Europe: its own site under .eu, except DCS */
    {HW, "eu-west-101", HWC_SVC_IAM,
     "https://iam.eu-west-101.myhuaweicloud.eu"},
    {HW, "eu-west-101", HWC_SVC_KMS,
     "https://kms.eu-west-101.myhuaweicloud.eu"},
    {HW, "eu-west-101", HWC_SVC_SCM,
     "https://scm.eu-west-101.myhuaweicloud.eu"},
    {HW, "eu-west-101", HWC_SVC_DCS,
     "https://dcs.eu-west-101.myhuaweicloud.com"},
    {HW, "eu-west-101", HWC_SVC_CODEARTS,
     "https://cloudbuild-ext.eu-west-101.myhuaweicloud.eu"},
    /* Open Telekom Cloud */
    {OTC, "eu-de", HWC_SVC_IAM, "https://iam.eu-de.otc.t-systems.com"},
    {OTC, "eu-de", HWC_SVC_KMS, "https://kms.eu-de.otc.t-systems.com"},
    {OTC, "eu-de", HWC_SVC_SCM, NULL},
    {OTC, "eu-de", HWC_SVC_DCS, "https://dcs.eu-de.otc.t-systems.com"},
    {OTC, "eu-de", HWC_SVC_CODEARTS, NULL},
    {OTC, "eu-nl", HWC_SVC_IAM, "https://iam.eu-nl.otc.t-systems.com"},
    {OTC, "eu-nl", HWC_SVC_KMS, "https://kms.eu-nl.otc.t-systems.com"},
    {OTC, "eu-nl", HWC_SVC_SCM, NULL},
    {OTC, "eu-nl", HWC_SVC_DCS, "https://dcs.eu-nl.otc.t-systems.com"},
    {OTC, "eu-nl", HWC_SVC_CODEARTS, NULL},
    {OTC, "eu-ch2", HWC_SVC_IAM, "https://iam-pub.eu-ch2.sc.otc.t-systems.com"},
    {OTC, "eu-ch2", HWC_SVC_KMS, "https://kms.eu-ch2.sc.otc.t-systems.com"},
    {OTC, "eu-ch2", HWC_SVC_SCM, NULL},
    {OTC, "eu-ch2", HWC_SVC_DCS, "https://dcs.eu-ch2.sc.otc.t-systems.com"},
    {OTC, "eu-ch2", HWC_SVC_CODEARTS, NULL},
    /* Not OTC regions, but the pattern holds and settings may override. */
    {OTC, "cn-north-4", HWC_SVC_IAM,
     "https://iam.cn-north-4.otc.t-systems.com"},
    {OTC, "cn-north-4", HWC_SVC_KMS,
     "https://kms.cn-north-4.otc.t-systems.com"},
    {OTC, "cn-north-4", HWC_SVC_SCM, NULL},
    {OTC, "cn-north-4", HWC_SVC_DCS,
     "https://dcs.cn-north-4.otc.t-systems.com"},
    {OTC, "cn-north-4", HWC_SVC_CODEARTS, NULL},
    {OTC, "ap-southeast-1", HWC_SVC_IAM,
     "https://iam.ap-southeast-1.otc.t-systems.com"},
    {OTC, "ap-southeast-1", HWC_SVC_KMS,
     "https://kms.ap-southeast-1.otc.t-systems.com"},
    {OTC, "ap-southeast-1", HWC_SVC_SCM, NULL},
    {OTC, "ap-southeast-1", HWC_SVC_DCS,
     "https://dcs.ap-southeast-1.otc.t-systems.com"},
    {OTC, "ap-southeast-1", HWC_SVC_CODEARTS, NULL},
    {OTC, "eu-west-101", HWC_SVC_IAM,
     "https://iam.eu-west-101.otc.t-systems.com"},
    {OTC, "eu-west-101", HWC_SVC_KMS,
     "https://kms.eu-west-101.otc.t-systems.com"},
    {OTC, "eu-west-101", HWC_SVC_SCM, NULL},
    {OTC, "eu-west-101", HWC_SVC_DCS,
     "https://dcs.eu-west-101.otc.t-systems.com"},
    {OTC, "eu-west-101", HWC_SVC_CODEARTS, NULL},
};

START_TEST(test_endpoint_table)
{
    const row *r = &rows[_i];
    char *got = hwc_endpoint_default(r->cloud, r->region, r->svc);
    const char *errs = tu_errors();

    if (r->want != NULL) {
        ck_assert_msg(got != NULL, "%s/%s: %s", r->region,
                      hwc_service_name(r->svc), errs);
        ck_assert_str_eq(got, r->want);
        ck_assert_str_eq(errs, "");
    } else {
        char msg[128];

        ck_assert_ptr_null(got);
        snprintf(msg, sizeof(msg),
                 "%s is not available on Open Telekom Cloud; set %s_endpoint",
                 hwc_service_name(r->svc), hwc_service_name(r->svc));
        ck_assert_msg(strstr(errs, msg) != NULL, "want '%s' in '%s'", msg,
                      errs);
        ck_assert_ptr_nonnull(strstr(errs, "invalid configuration"));
    }
    OPENSSL_free(got);
}
END_TEST

START_TEST(test_bad_regions)
{
    static const char *const bad[] = {
        "",
        "EU-DE",
        "eu_de",
        "eu-de.evil.example",
        "eu-de/x",
        "eu de",
        "eu-de\n",
        "eu-dé",
        "eu-de:443",
        "eu-de@x",
        "a-65-character-region-name-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    };

    ck_assert_uint_eq(strlen(bad[10]), 65);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        for (int c = HW; c <= OTC; c++) {
            char *got =
                hwc_endpoint_default((enum hwc_cloud)c, bad[i], HWC_SVC_KMS);
            const char *errs = tu_errors();

            ck_assert_msg(got == NULL, "'%s' accepted: %s", bad[i], got);
            ck_assert_ptr_nonnull(strstr(errs, "invalid configuration"));
            ck_assert_ptr_nonnull(strstr(errs, "region"));
            /* One error, one line: a raw newline is never echoed. */
            ck_assert_ptr_eq(strchr(errs, '\n'), strrchr(errs, '\n'));
        }
    }
    ck_assert_ptr_null(hwc_endpoint_default(HW, NULL, HWC_SVC_IAM));
    ck_assert_ptr_nonnull(strstr(tu_errors(), "region is missing"));
}
END_TEST

START_TEST(test_region_limits)
{
    char r64[65];
    char *got;

    memset(r64, 'a', 64);
    r64[64] = '\0';
    got = hwc_endpoint_default(HW, r64, HWC_SVC_DCS);
    ck_assert_msg(got != NULL, "%s", tu_errors());
    ck_assert_uint_eq(strlen(got), strlen("https://dcs.") + 64 +
                                       strlen(".myhuaweicloud.com"));
    OPENSSL_free(got);
    got = hwc_endpoint_default(HW, r64, HWC_SVC_IAM);
    ck_assert_str_eq(got, "https://iam.myhuaweicloud.com");
    OPENSSL_free(got);
    got = hwc_endpoint_default(OTC, "9", HWC_SVC_IAM);
    ck_assert_str_eq(got, "https://iam.9.otc.t-systems.com");
    OPENSSL_free(got);
}
END_TEST

START_TEST(test_bad_enums)
{
    ck_assert_ptr_null(hwc_endpoint_default(HW, "eu-de", HWC_SVC_COUNT));
    ck_assert_ptr_nonnull(strstr(tu_errors(), "internal error"));
    ck_assert_ptr_null(
        hwc_endpoint_default((enum hwc_cloud)7, "eu-de", HWC_SVC_KMS));
    ck_assert_ptr_nonnull(strstr(tu_errors(), "internal error"));
}
END_TEST

START_TEST(test_service_names)
{
    ck_assert_str_eq(hwc_service_name(HWC_SVC_IAM), "iam");
    ck_assert_str_eq(hwc_service_name(HWC_SVC_KMS), "kms");
    ck_assert_str_eq(hwc_service_name(HWC_SVC_SCM), "scm");
    ck_assert_str_eq(hwc_service_name(HWC_SVC_DCS), "dcs");
    ck_assert_str_eq(hwc_service_name(HWC_SVC_CODEARTS), "codearts");
    ck_assert_str_eq(hwc_service_name(HWC_SVC_COUNT), "unknown");
    ck_assert_int_eq(hwc_service_is_global(HWC_SVC_IAM), 1);
    ck_assert_int_eq(hwc_service_is_global(HWC_SVC_SCM), 1);
    ck_assert_int_eq(hwc_service_is_global(HWC_SVC_KMS), 0);
    ck_assert_int_eq(hwc_service_is_global(HWC_SVC_DCS), 0);
    ck_assert_int_eq(hwc_service_is_global(HWC_SVC_CODEARTS), 0);
}
END_TEST

/* Every service must have a row for every region in each cloud. */
START_TEST(test_table_complete)
{
    static const char *const regions[] = {"eu-de",          "eu-nl",
                                          "eu-ch2",         "cn-north-4",
                                          "ap-southeast-1", "eu-west-101"};

    for (int c = HW; c <= OTC; c++) {
        for (size_t g = 0; g < sizeof(regions) / sizeof(regions[0]); g++) {
            for (int s = 0; s < HWC_SVC_COUNT; s++) {
                int found = 0;

                for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
                    found |= (int)rows[i].cloud == c && (int)rows[i].svc == s &&
                             strcmp(rows[i].region, regions[g]) == 0;
                }
                ck_assert_msg(found, "no row for %d/%s/%d", c, regions[g], s);
            }
        }
    }
}
END_TEST

static Suite *endpoint_suite(void)
{
    Suite *s = suite_create("endpoint");
    TCase *t = tcase_create("endpoint");

    tcase_add_loop_test(t, test_endpoint_table, 0,
                        (int)(sizeof(rows) / sizeof(rows[0])));
    tcase_add_test(t, test_bad_regions);
    tcase_add_test(t, test_region_limits);
    tcase_add_test(t, test_bad_enums);
    tcase_add_test(t, test_service_names);
    tcase_add_test(t, test_table_complete);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return tu_run(endpoint_suite());
}
