/*
 * scm.c: the SCM client. SCM is a global service: the export call has no
 * project in its path and no body; errors are flat {"error_code",...}.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "scm.h"

static int dup_field(const hwc_client *cl, json_t *resp, const char *name,
                     char **out)
{
    json_t *v = json_object_get(resp, name);

    *out = NULL;
    if (v == NULL || json_is_null(v)) {
        return 1;
    }
    if (!json_is_string(v)) {
        hwc_raise(NULL, HWC_R_BAD_RESPONSE,
                  "%s: export answer field %s is not a string", cl->what,
                  name);
        return 0;
    }
    if ((*out = OPENSSL_strndup(json_string_value(v), json_string_length(v))) ==
        NULL) {
        hwc_raise(NULL, HWC_R_MALLOC, "%s: copying %s", cl->what, name);
        return 0;
    }
    return 1;
}

static void wipe_json_string(json_t *resp, const char *name)
{
    json_t *v = json_object_get(resp, name);

    if (json_is_string(v)) {
        OPENSSL_cleanse((char *)json_string_value(v), json_string_length(v));
    }
}

int hwc_scm_export(const hwc_client *cl, const char *cert_id,
                   hwc_scm_bundle *out)
{
    char *base = hwc_client_base_url(cl, HWC_SVC_SCM);
    char path[128];
    json_t *resp = NULL;
    hwc_call c;
    int ok = 0;

    memset(out, 0, sizeof(*out));
    if (base == NULL) {
        return 0;
    }
    snprintf(path, sizeof(path), "/v3/scm/certificates/%s/export", cert_id);
    hwc_client_prepare(cl, &c, HWC_SVC_SCM, "POST", base, path);
    c.project_id = NULL; /* global service: scoped by domain */
    if (hwc_call_json(&c, &resp)) {
        ok = dup_field(cl, resp, "certificate", &out->certificate) &&
             dup_field(cl, resp, "certificate_chain",
                       &out->certificate_chain) &&
             dup_field(cl, resp, "entire_certificate",
                       &out->entire_certificate) &&
             dup_field(cl, resp, "private_key", &out->private_key);
        wipe_json_string(resp, "private_key");
        wipe_json_string(resp, "enc_private_key");
        json_decref(resp);
    }
    OPENSSL_free(base);
    if (!ok) {
        hwc_scm_bundle_free(out);
    }
    return ok;
}

void hwc_scm_bundle_free(hwc_scm_bundle *e)
{
    OPENSSL_free(e->certificate);
    OPENSSL_free(e->certificate_chain);
    OPENSSL_free(e->entire_certificate);
    hwc_secret_free(e->private_key);
    memset(e, 0, sizeof(*e));
}
