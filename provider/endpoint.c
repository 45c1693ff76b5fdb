/*
 * endpoint.c: default service hosts per cloud and region, from the SDK
 * region tables and the OTC docs (reference notes §1, §5, §6). Settings
 * override every one of them, so the rules here stay few and regular.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "endpoint.h"
#include "hwc.h"

#define REGION_MAX 64

static const char *const service_names[HWC_SVC_COUNT] = {
    [HWC_SVC_IAM] = "iam",           [HWC_SVC_KMS] = "kms",
    [HWC_SVC_SCM] = "scm",           [HWC_SVC_DCS] = "dcs",
    [HWC_SVC_CODEARTS] = "codearts",
};

/* Host prefixes on Huawei Cloud: CodeArts Build still answers as the old
 * CloudBuild "-ext" API host. */
static const char *const huawei_prefix[HWC_SVC_COUNT] = {
    [HWC_SVC_IAM] = "iam",
    [HWC_SVC_KMS] = "kms",
    [HWC_SVC_SCM] = "scm",
    [HWC_SVC_DCS] = "dcs",
    [HWC_SVC_CODEARTS] = "cloudbuild-ext",
};

const char *hwc_service_name(enum hwc_service svc)
{
    if ((unsigned)svc >= HWC_SVC_COUNT) {
        return "unknown";
    }
    return service_names[svc];
}

int hwc_service_is_global(enum hwc_service svc)
{
    return svc == HWC_SVC_IAM || svc == HWC_SVC_SCM;
}

/* ^[a-z0-9-]{1,64}$: the region becomes part of a host name. */
static int region_ok(const char *r)
{
    size_t n = r != NULL ? strlen(r) : 0;

    if (n == 0 || n > REGION_MAX) {
        return 0;
    }
    return strspn(r, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

static int printable(const char *s)
{
    for (; *s != '\0'; s++) {
        if (*s < ' ' || *s > '~') {
            return 0;
        }
    }
    return 1;
}

static void raise_bad_region(const char *region)
{
    /* Echo the value only when it cannot garble the error text. */
    if (region != NULL && printable(region)) {
        hwc_raise(NULL, HWC_R_CONFIG,
                  "region \"%.80s\" is invalid (expected ^[a-z0-9-]{1,64}$)",
                  region);
    } else {
        hwc_raise(NULL, HWC_R_CONFIG,
                  "region is missing or invalid (expected ^[a-z0-9-]{1,64}$)");
    }
}

/* "https://prefix.region.domain" */
static char *make_url(const char *prefix, const char *region,
                      const char *domain)
{
    hwc_buf url = {0};
    char *out = NULL;

    if (hwc_buf_printf(&url, "https://%s.%s.%s", prefix, region, domain)) {
        out = (char *)hwc_buf_steal(&url, NULL);
    }
    hwc_buf_free(&url);
    if (out == NULL) {
        hwc_raise(NULL, HWC_R_MALLOC, "building an endpoint URL");
    }
    return out;
}

/*
 * eu-west-101 is "Huawei Cloud Europe", a separate site under
 * myhuaweicloud.eu with its own accounts. KMS (SDK table) and IAM (SDK
 * user manual, newer region tables) are confirmed there. For DCS the Go SDK
 * table says dcs.eu-west-101.myhuaweicloud.com, and SCM is not in the SDK
 * table (one third-party client uses scm.eu-west-101.myhuaweicloud.eu).
 * We keep the site together under .eu; this is unverified for DCS, SCM
 * and CodeArts: set <service>_endpoint if it is wrong.
 */
static int is_eu_site(const char *region)
{
    return strcmp(region, "eu-west-101") == 0;
}

/*
 * SCM is one global service per site: the CN site for cn-* regions, the
 * international one (ap-southeast-1) for the rest. my-kualalumpur-1 has
 * its own variant in the SDK; users there set scm_endpoint.
 */
static const char *scm_region(const char *region)
{
    if (is_eu_site(region)) {
        return region;
    }
    return strncmp(region, "cn-", 3) == 0 ? "cn-north-4" : "ap-southeast-1";
}

static char *huawei_endpoint(const char *region, enum hwc_service svc)
{
    const char *domain =
        is_eu_site(region) ? "myhuaweicloud.eu" : "myhuaweicloud.com";
    const char *r = svc == HWC_SVC_SCM ? scm_region(region) : region;

    return make_url(huawei_prefix[svc], r, domain);
}

/*
 * Open Telekom Cloud: {svc}.{region}.otc.t-systems.com; the Swiss region
 * lives under "sc." and its IAM host is "iam-pub" (OTC drivers, ref §1).
 */
static char *otc_endpoint(const char *region, enum hwc_service svc)
{
    int swiss = strcmp(region, "eu-ch2") == 0;

    if (svc == HWC_SVC_SCM || svc == HWC_SVC_CODEARTS) {
        hwc_raise(NULL, HWC_R_CONFIG,
                  "%s is not available on Open Telekom Cloud; set %s_endpoint",
                  service_names[svc], service_names[svc]);
        return NULL;
    }
    if (swiss) {
        return make_url(svc == HWC_SVC_IAM ? "iam-pub" : service_names[svc],
                        region, "sc.otc.t-systems.com");
    }
    return make_url(service_names[svc], region, "otc.t-systems.com");
}

char *hwc_endpoint_default(enum hwc_cloud cloud, const char *region,
                           enum hwc_service svc)
{
    if ((unsigned)svc >= HWC_SVC_COUNT ||
        (cloud != HWC_CLOUD_HUAWEI && cloud != HWC_CLOUD_OTC)) {
        hwc_raise(NULL, HWC_R_INTERNAL, "unknown service or cloud");
        return NULL;
    }
    if (!region_ok(region)) {
        raise_bad_region(region);
        return NULL;
    }
    return cloud == HWC_CLOUD_OTC ? otc_endpoint(region, svc)
                                  : huawei_endpoint(region, svc);
}
