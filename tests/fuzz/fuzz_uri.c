/*
 * fuzz_uri: the store URI grammar (hwc_uri_parse), which sees every URI
 * an application passes to OSSL_STORE_open.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzzutil.h"
#include "resolve/uri.h"

static void check_field(const char *f, size_t cap)
{
    if (memchr(f, '\0', cap) == NULL) {
        fz_fail("hwc_uri_parse", "field not NUL-terminated");
    }
}

/* The schemes the provider registers its store for (provider.c). */
static int scheme_known(const char *text)
{
    static const char *const schemes[] = {"kms:", "scm:", "dcs:", "codearts:"};

    for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
        if (strncmp(text, schemes[i], strlen(schemes[i])) == 0) {
            return 1;
        }
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_strndup(data, size);
    hwc_uri u;

    memset(&u, 0xa5, sizeof(u));
    if (hwc_uri_parse(text, &u)) {
        check_field(u.id, sizeof(u.id));
        check_field(u.region, sizeof(u.region));
        check_field(u.project_id, sizeof(u.project_id));
        /* The grammar grows; any kind is a small positive value. */
        if ((int)u.kind < HWC_URI_KMS_KEY || (int)u.kind > 64) {
            fz_fail("hwc_uri_parse", "accepted URI of unknown kind");
        }
        (void)hwc_uri_is_listing(&u);
        if (!scheme_known(text)) {
            fz_fail("hwc_uri_parse", "accepted URI of unknown scheme");
        }
    }
    free(text);
    fz_done();
    return 0;
}
