/*
 * fuzz_responses: the service answer parsers that are pure functions:
 * hwc_kms_parse_key_info (describe-key's key_info, list-keys' entries),
 * hwc_dcs_parse_link, hwc_scm_parse_export, hwc_iam_parse_time, each fed
 * the body as hwc_json_parse returns it. See fuzz_json for the parser
 * and envelopes, fuzz_scm for the SCM export assembly.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "call.h"
#include "dcs.h"
#include "fuzzutil.h"
#include "iam.h"
#include "kms.h"
#include "scm.h"

#define TERMINATED(f) (memchr((f), '\0', sizeof(f)) != NULL)

static void key_info(json_t *o)
{
    hwc_kms_key_info info;

    memset(&info, 0xa5, sizeof(info));
    if (hwc_kms_parse_key_info("fuzz", o, &info)) {
        if (!TERMINATED(info.key_id) || !TERMINATED(info.key_alias) ||
            !TERMINATED(info.key_spec) || !TERMINATED(info.key_usage) ||
            !TERMINATED(info.key_state) || !TERMINATED(info.keystore_id)) {
            fz_fail("hwc_kms_parse_key_info", "field not terminated");
        }
        (void)hwc_kms_usage(&info);
        (void)hwc_kms_key_usable("fuzz", &info);
    }
    fz_done();
}

static void iam_time(json_t *v)
{
    time_t t;

    if (json_is_string(v)) {
        (void)hwc_iam_parse_time(json_string_value(v), &t);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *resp = hwc_json_parse("fuzz", data, size);
    hwc_scm_bundle b;
    char *link = NULL;
    time_t t;

    if (size < 64) { /* the IAM time parser on raw text too */
        char *s = fz_strndup(data, size);
        (void)hwc_iam_parse_time(s, &t);
        free(s);
    }
    if (resp == NULL) {
        fz_done();
        return 0;
    }
    key_info(resp);
    key_info(json_object_get(resp, "key_info"));
    json_t *details = json_object_get(resp, "key_details");
    for (size_t i = 0; i < json_array_size(details) && i < 8; i++) {
        key_info(json_array_get(details, i));
    }
    if (hwc_dcs_parse_link("fuzz", resp, &link)) {
        if (link == NULL) {
            fz_fail("hwc_dcs_parse_link", "success without a link");
        }
        OPENSSL_free(link);
    } else if (link != NULL) {
        fz_fail("hwc_dcs_parse_link", "failure left a link");
    }
    fz_done();
    if (hwc_scm_parse_export("fuzz", resp, &b)) {
        hwc_scm_bundle_free(&b);
    }
    fz_done();
    iam_time(json_object_get(json_object_get(resp, "token"), "expires_at"));
    iam_time(json_object_get(json_object_get(resp, "token"), "issued_at"));
    iam_time(
        json_object_get(json_object_get(resp, "credential"), "expires_at"));
    json_decref(resp);
    fz_done();
    return 0;
}
