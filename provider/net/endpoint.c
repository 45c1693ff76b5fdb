/*
 * endpoint.c: default service hosts per cloud and region, as the official
 * SDKs' region tables and the OTC docs name them. Settings override every
 * one of them, so the rules here stay few and regular.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "net/endpoint.h"
#include "core/hwc.h"

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
        hwc_raise(HWC_R_CONFIG,
                  "region \"%.80s\" is invalid (expected ^[a-z0-9-]{1,64}$)",
                  region);
    } else {
        hwc_raise(HWC_R_CONFIG,
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
        hwc_raise(HWC_R_MALLOC, "building an endpoint URL");
    }
    return out;
}

/*
 * IAM has regional hosts only where the SDKs list one (their IAM region
 * tables); everywhere else they use the global host.
 */
static const char *const iam_regions[] = {
    "cn-north-1",     "cn-north-2",       "cn-north-4",     "cn-north-9",
    "cn-east-2",      "cn-east-3",        "cn-east-4",      "cn-east-5",
    "cn-south-1",     "cn-south-2",       "cn-southwest-2", "ap-southeast-1",
    "ap-southeast-2", "ap-southeast-3",   "ap-southeast-4", "af-south-1",
    "sa-brazil-1",    "la-south-2",       "la-north-2",     "na-mexico-1",
    "eu-west-0",      "my-kualalumpur-1", "ru-moscow-1",    "me-east-1",
    "ae-ad-1",        "tr-west-1",        "eu-west-101",
};
#define IAM_GLOBAL "https://iam.myhuaweicloud.com"

static int iam_regional(const char *region)
{
    for (size_t i = 0; i < sizeof(iam_regions) / sizeof(iam_regions[0]); i++) {
        if (strcmp(iam_regions[i], region) == 0) {
            return 1;
        }
    }
    return 0;
}

/*
 * eu-west-101 is "Huawei Cloud Europe", a separate site under
 * myhuaweicloud.eu with its own accounts: the SDKs put IAM and KMS there,
 * but DCS under myhuaweicloud.com. SCM and CodeArts are not in the SDKs'
 * tables for it; they are kept on the .eu site (unverified: set
 * <service>_endpoint if it is wrong).
 */
static int on_eu_site(const char *region, enum hwc_service svc)
{
    return strcmp(region, "eu-west-101") == 0 && svc != HWC_SVC_DCS;
}

/*
 * SCM is one global service per site: the CN site for cn-* regions, its
 * own host in my-kualalumpur-1, the international one (ap-southeast-1)
 * for the rest.
 */
static const char *scm_region(const char *region)
{
    if (strcmp(region, "eu-west-101") == 0 ||
        strcmp(region, "my-kualalumpur-1") == 0) {
        return region;
    }
    return strncmp(region, "cn-", 3) == 0 ? "cn-north-4" : "ap-southeast-1";
}

static char *huawei_endpoint(const char *region, enum hwc_service svc)
{
    const char *domain =
        on_eu_site(region, svc) ? "myhuaweicloud.eu" : "myhuaweicloud.com";
    const char *r = svc == HWC_SVC_SCM ? scm_region(region) : region;
    char *url;

    if (svc == HWC_SVC_IAM && !iam_regional(region)) {
        if ((url = OPENSSL_strdup(IAM_GLOBAL)) == NULL) {
            hwc_raise(HWC_R_MALLOC, "building an endpoint URL");
        }
        return url;
    }
    return make_url(huawei_prefix[svc], r, domain);
}

/*
 * Open Telekom Cloud: {svc}.{region}.otc.t-systems.com; the Swiss region
 * lives under "sc." and its IAM host is "iam-pub" (as OTC's own drivers use).
 */
static char *otc_endpoint(const char *region, enum hwc_service svc)
{
    int swiss = strcmp(region, "eu-ch2") == 0;

    if (svc == HWC_SVC_SCM || svc == HWC_SVC_CODEARTS) {
        hwc_raise(HWC_R_CONFIG,
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
        hwc_raise(HWC_R_INTERNAL, "unknown service or cloud");
        return NULL;
    }
    if (!region_ok(region)) {
        raise_bad_region(region);
        return NULL;
    }
    return cloud == HWC_CLOUD_OTC ? otc_endpoint(region, svc)
                                  : huawei_endpoint(region, svc);
}
