/*
 * uri.h: the grammar of the URIs the store loader accepts, checked before
 * any network request. "scheme:type/id[?region=R&project_id=P]".
 */
#ifndef HWC_URI_H
#define HWC_URI_H

#include "net/endpoint.h"

enum hwc_uri_kind {
    HWC_URI_KMS_KEY = 1,       /* kms:key/<uuid> */
    HWC_URI_SCM_CERT,          /* scm:cert/<16 alnum> */
    HWC_URI_DCS_SSL,           /* dcs:ssl/<uuid> */
    HWC_URI_CODEARTS_KEYSTORE, /* codearts:keystore/<file name> */
    HWC_URI_KMS_KEY_LIST,      /* kms:key/ */
    HWC_URI_KMS_ALIAS,         /* kms:alias/<alias> (percent-decoded) */
    HWC_URI_KMS_KEYSTORE_LIST, /* kms:keystore/ */
    HWC_URI_KMS_KEYSTORE,      /* kms:keystore/<keystore id> */
    HWC_URI_SCM_CERT_LIST,     /* scm:cert/ */
    HWC_URI_SCM_NAME,          /* scm:name/<name> (percent-decoded) */
};

typedef struct hwc_uri {
    enum hwc_uri_kind kind;
    enum hwc_service service;
    char id[256];
    char region[65];     /* "" unless given in the query */
    char project_id[33]; /* "" unless given in the query */
} hwc_uri;

/* Listing URIs return names (OSSL_STORE_INFO_NAME), not objects. */
int hwc_uri_is_listing(const hwc_uri *u);

/* Parses and validates; raises HWC_R_URI_INVALID naming the URI and the
 * expected form. */
int hwc_uri_parse(const char *text, hwc_uri *out);

/*
 * Whether a PEM-wrapped URI from a key file may be resolved under st
 * (uripolicy.c): no ?region=/?project_id= unless uri_pem_overrides, and a
 * match in uri_pem_allow when that is set. 0 with HWC_R_NOT_PERMITTED
 * raised; 1 for URIs the parser refuses (resolving them says why).
 */
struct hwc_settings;
int hwc_uri_pem_permit(const struct hwc_settings *st, const char *uri);

#endif /* HWC_URI_H */
