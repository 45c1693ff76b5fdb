/*
 * trust.h: the CA bundles a transport verifies the API with (trust.c),
 * read once per (ca_file, system store) and kept in memory.
 */
#ifndef HWC_TRUST_H
#define HWC_TRUST_H

#include <stddef.h>

#include <curl/curl.h>

#include "core/hwc.h"

struct hwc_trust_blob {
    char *path; /* ca_file, or "" for none */
    int system; /* the system bundle is included */
    hwc_buf pem;
};

typedef struct hwc_trust_set {
    hwc_forklock
        lock; /* a child forked while a bundle is read finds it whole */
    struct hwc_trust_blob blob[8];
    size_t n;
} hwc_trust_set;

void hwc_trust_init(hwc_trust_set *ts);
/* Frees every bundle; ts must be initialised again before use. */
void hwc_trust_clear(hwc_trust_set *ts);
/* Makes c trust ca_file alone (with the system store too when add_system),
 * as an in-memory blob; no ca_file: libcurl's default, the system store.
 * 0 when the file cannot be read or libcurl refuses an option. */
int hwc_trust_apply(hwc_trust_set *ts, CURL *c, const char *ca_file,
                    int add_system);

#endif /* HWC_TRUST_H */
