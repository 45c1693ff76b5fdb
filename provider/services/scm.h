/*
 * scm.h: the SCM (Cloud Certificate Manager) client: export.
 */
#ifndef HWC_SCM_H
#define HWC_SCM_H

#include "services/client.h"

typedef struct hwc_scm_bundle {
    char *certificate; /* each may be NULL: every field is optional */
    char *certificate_chain;
    char *entire_certificate;
    char *private_key; /* secret: wiped on free */
} hwc_scm_bundle;

/* The export answer's fields (all optional). Pure: fuzzed. */
int hwc_scm_parse_export(const char *what, json_t *resp, hwc_scm_bundle *out);
int hwc_scm_export(const hwc_client *cl, const char *cert_id,
                   hwc_scm_bundle *out);
void hwc_scm_bundle_free(hwc_scm_bundle *e);

typedef struct hwc_scm_cert_info {
    char id[32];
    char name[256];
    char domain[256];
    char expire_time[40];
    char status[32];
} hwc_scm_cert_info;

/* Called per certificate of a list page; return 0 to stop. */
typedef int hwc_scm_cert_cb(const hwc_scm_cert_info *info, void *arg);

/*
 * ListCertificates pages by offset, which may not pass HWC_SCM_MAX_OFFSET,
 * with a limit of 10, 20 or 50: at most HWC_SCM_MAX_LISTED certificates of
 * one listing are reachable (the `content` keyword narrows a listing).
 */
#define HWC_SCM_PAGE 50
#define HWC_SCM_MAX_OFFSET 100
#define HWC_SCM_MAX_LISTED (HWC_SCM_MAX_OFFSET + HWC_SCM_PAGE)

/* One page of GET /v3/scm/certificates; content (or NULL) is the keyword
 * filter. *seen is the number of entries on the page, *total the number
 * the listing holds. */
int hwc_scm_list_page(const hwc_client *cl, int offset, int limit,
                      const char *content, int *seen, int *total,
                      hwc_scm_cert_cb *cb, void *arg);

/* The body of a list page; seen, total and cb as above. Pure: fuzzed. */
int hwc_scm_parse_list_page(const char *what, json_t *resp, int *seen,
                            int *total, hwc_scm_cert_cb *cb, void *arg);

/* Resolves a certificate name: a listing narrowed by content=<name>,
 * then, when that names none, the plain listing (both within the offset
 * cap); exact matches only. */
int hwc_scm_resolve_name(const hwc_client *cl, const char *name, char *id,
                         size_t cap);

#endif /* HWC_SCM_H */
