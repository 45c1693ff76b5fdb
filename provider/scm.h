/*
 * scm.h: the SCM (Cloud Certificate Manager) client: export.
 */
#ifndef HWC_SCM_H
#define HWC_SCM_H

#include "client.h"

typedef struct hwc_scm_bundle {
    char *certificate;        /* each may be NULL: every field is optional */
    char *certificate_chain;
    char *entire_certificate;
    char *private_key;        /* secret: wiped on free */
} hwc_scm_bundle;

int hwc_scm_export(const hwc_client *cl, const char *cert_id,
                   hwc_scm_bundle *out);
void hwc_scm_bundle_free(hwc_scm_bundle *e);

#endif /* HWC_SCM_H */
