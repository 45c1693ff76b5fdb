/*
 * list.h: listing URIs (kms:key/, kms:keystore/[<id>], scm:cert/) page by
 * page, as loadable URI names with a description, optionally narrowed by
 * an alias or a subject. One request per page, none per item, except for a
 * subject search on scm:cert/, which exports the candidates whose domain
 * fits the subject's common name.
 */
#ifndef HWC_LIST_H
#define HWC_LIST_H

#include <openssl/x509.h>

#include "resolve/instance.h"
#include "resolve/uri.h"

typedef struct hwc_name {
    char *uri;
    char *desc;
} hwc_name;

typedef struct hwc_names {
    hwc_name *v;
    size_t n, cap;
} hwc_names;

void hwc_names_free(hwc_names *l);

typedef struct hwc_lister hwc_lister;

/* alias and subject may be NULL; both are copied. */
hwc_lister *hwc_lister_new(hwc_provctx *prov, const hwc_uri *uri,
                           const char *uri_text, const char *alias,
                           const X509_NAME *subject);
/* Appends the matches of the next page; returns 0 with an error raised. */
int hwc_lister_next(hwc_lister *l, hwc_names *out);
int hwc_lister_more(const hwc_lister *l);
void hwc_lister_free(hwc_lister *l);

#endif /* HWC_LIST_H */
