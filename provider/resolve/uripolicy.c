/*
 * uripolicy.c: what a PEM-wrapped URI in a key file may name. Whoever can
 * write a key file that a server reads picks the URI, and the provider
 * resolves it with the operator's identity; so a wrapped URI may only name
 * objects of the configured project and region (no ?region= or
 * ?project_id=, unless uri_pem_overrides says yes) that match uri_pem_allow
 * (when set). Patterns are matched against the URI as the grammar reads
 * it (scheme:type/ and the id, percent-decoded), so no spelling of the same
 * object slips past a pattern.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "core/hwc.h"
#include "core/settings.h"
#include "resolve/uri.h"

static const char *kind_prefix(enum hwc_uri_kind k)
{
    switch (k) {
    case HWC_URI_KMS_KEY:
        return "kms:key/";
    case HWC_URI_KMS_ALIAS:
        return "kms:alias/";
    case HWC_URI_SCM_CERT:
        return "scm:cert/";
    case HWC_URI_SCM_NAME:
        return "scm:name/";
    case HWC_URI_DCS_SSL:
        return "dcs:ssl/";
    case HWC_URI_CODEARTS_KEYSTORE:
        return "codearts:keystore/";
    default:
        return NULL; /* listings: never a key */
    }
}

static int allowed(const char *list, const char *canon)
{
    char pat[HWC_URI_PATTERN_MAX];

    while (hwc_next_pattern(&list, pat, sizeof(pat))) {
        if (fnmatch(pat, canon, 0) == 0) {
            return 1;
        }
    }
    return 0;
}

int hwc_uri_pem_permit(const struct hwc_settings *st, const char *uri)
{
    const char *list = hwc_get(st, HWC_S_URI_PEM_ALLOW), *prefix;
    char canon[sizeof(((hwc_uri *)0)->id) + 32];
    hwc_uri u;

    ERR_set_mark();
    if (!hwc_uri_parse(uri, &u) || (prefix = kind_prefix(u.kind)) == NULL) {
        ERR_pop_to_mark();
        return 1; /* not a key's URI: the resolver says what is wrong */
    }
    ERR_pop_to_mark();
    if ((u.region[0] || u.project_id[0]) &&
        !hwc_get_bool(st, HWC_S_URI_PEM_OVERRIDES)) {
        hwc_raise(HWC_R_NOT_PERMITTED,
                  "PEM-wrapped URI %s: ?region= and ?project_id= are refused "
                  "in key files (they would reach another project or region "
                  "with the operator's identity); uri_pem_overrides = yes "
                  "allows them",
                  uri);
        return 0;
    }
    snprintf(canon, sizeof(canon), "%s%s", prefix, u.id);
    if (list != NULL && !allowed(list, canon)) {
        hwc_raise(HWC_R_NOT_PERMITTED,
                  "PEM-wrapped URI %s: %s matches no pattern of uri_pem_allow "
                  "(%s)",
                  uri, canon, list);
        return 0;
    }
    return 1;
}
