/*
 * endpoint.h: which host serves which service, for Huawei Cloud and Open
 * Telekom Cloud, given a region. Explicit endpoints in the configuration
 * override what is built here (settings.c decides).
 */
#ifndef HWC_ENDPOINT_H
#define HWC_ENDPOINT_H

enum hwc_service {
    HWC_SVC_IAM = 0,
    HWC_SVC_KMS,
    HWC_SVC_SCM,
    HWC_SVC_DCS,
    HWC_SVC_CODEARTS,
    HWC_SVC_COUNT
};

enum hwc_cloud {
    HWC_CLOUD_HUAWEI = 0, /* "huaweicloud" */
    HWC_CLOUD_OTC,        /* "otc" */
};

/* "iam", "kms", "scm", "dcs", "codearts" (names used in settings). */
const char *hwc_service_name(enum hwc_service svc);
/* Global services are scoped by domain, not project (SCM, IAM). */
int hwc_service_is_global(enum hwc_service svc);

/*
 * The default base URL ("https://host", no trailing slash) of svc in
 * region, or NULL with an HWC_R_CONFIG error naming the service and cloud
 * when the cloud has no such service (SCM and CodeArts under OTC), or when
 * region does not match ^[a-z0-9-]{1,64}$. Huawei: {svc}.{region}.
 * myhuaweicloud.com (CodeArts: cloudbuild-ext; SCM: ap-southeast-1, or
 * cn-north-4 for cn-*, or my-kualalumpur-1 itself), all but DCS under .eu
 * for eu-west-101; IAM only in the regions the SDKs list, elsewhere the
 * global iam.myhuaweicloud.com. OTC: {svc}.{region}.otc.t-systems.com;
 * eu-ch2 under sc., IAM there iam-pub.
 * Caller frees with OPENSSL_free.
 */
char *hwc_endpoint_default(enum hwc_cloud cloud, const char *region,
                           enum hwc_service svc);

#endif /* HWC_ENDPOINT_H */
