/*
 * scm.c: the SCM client. SCM is a global service: the export call has no
 * project in its path and no body; errors are flat {"error_code",...}.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "services/scm.h"

static int dup_field(const char *what, json_t *resp, const char *name,
                     char **out)
{
    json_t *v = json_object_get(resp, name);

    *out = NULL;
    if (v == NULL || json_is_null(v)) {
        return 1;
    }
    if (!json_is_string(v)) {
        hwc_raise(HWC_R_BAD_RESPONSE,
                  "%s: export answer field %s is not a string", what, name);
        return 0;
    }
    if ((*out = OPENSSL_strndup(json_string_value(v), json_string_length(v))) ==
        NULL) {
        hwc_raise(HWC_R_MALLOC, "%s: copying %s", what, name);
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

int hwc_scm_parse_export(const char *what, json_t *resp, hwc_scm_bundle *out)
{
    int ok;

    memset(out, 0, sizeof(*out));
    ok =
        json_is_object(resp) &&
        dup_field(what, resp, "certificate", &out->certificate) &&
        dup_field(what, resp, "certificate_chain", &out->certificate_chain) &&
        dup_field(what, resp, "entire_certificate", &out->entire_certificate) &&
        dup_field(what, resp, "private_key", &out->private_key);
    if (!json_is_object(resp)) {
        hwc_raise(HWC_R_BAD_RESPONSE, "%s: export answer is not an object",
                  what);
    }
    if (!ok) {
        hwc_scm_bundle_free(out);
    }
    return ok;
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
        ok = hwc_scm_parse_export(cl->what, resp, out);
        wipe_json_string(resp, "private_key");
        wipe_json_string(resp, "enc_private_key");
        json_decref(resp);
    }
    OPENSSL_free(base);
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

/*------------------------------------------------------------ listing */

static int parse_entry(const char *what, json_t *c, hwc_scm_cert_info *info)
{
    memset(info, 0, sizeof(*info));
    if (!json_is_object(c) || !json_is_string(json_object_get(c, "id"))) {
        hwc_raise(HWC_R_BAD_RESPONSE,
                  "%s: certificate list entry without an id", what);
        return 0;
    }
    hwc_json_text(c, "id", info->id, sizeof(info->id));
    hwc_json_text(c, "name", info->name, sizeof(info->name));
    hwc_json_text(c, "domain", info->domain, sizeof(info->domain));
    hwc_json_text(c, "expire_time", info->expire_time,
                  sizeof(info->expire_time));
    hwc_json_text(c, "status", info->status, sizeof(info->status));
    return 1;
}

struct list_cb {
    hwc_scm_cert_cb *cb;
    void *arg;
};

static int list_entry(const char *what, json_t *c, void *arg)
{
    struct list_cb *lc = arg;
    hwc_scm_cert_info info;

    if (!parse_entry(what, c, &info)) {
        return -1;
    }
    return lc->cb(&info, lc->arg) ? 1 : 0;
}

int hwc_scm_parse_list_page(const char *what, json_t *resp, int *seen,
                            int *total, hwc_scm_cert_cb *cb, void *arg)
{
    struct list_cb lc = {cb, arg};

    return hwc_page_parse_offset(what, resp, "certificate list", "certificates",
                                 "total_count", seen, total, list_entry, &lc);
}

int hwc_scm_list_page(const hwc_client *cl, int offset, int limit,
                      const char *content, int *seen, int *total,
                      hwc_scm_cert_cb *cb, void *arg)
{
    char *base = hwc_client_base_url(cl, HWC_SVC_SCM);
    char *kw = content != NULL ? hwc_query_escape(content) : NULL;
    hwc_buf query = {0};
    json_t *resp = NULL;
    hwc_call call;
    int ok = 0;

    *seen = *total = 0;
    if (base == NULL || (content != NULL && kw == NULL)) {
        goto done;
    }
    if (offset < 0 || offset > HWC_SCM_MAX_OFFSET) {
        hwc_raise(HWC_R_INTERNAL, "SCM list offset %d", offset);
        goto done;
    }
    if (!hwc_buf_printf(&query, "limit=%d&offset=%d%s%s", limit, offset,
                        kw ? "&content=" : "", kw ? kw : "") ||
        hwc_buf_cstr(&query) == NULL) {
        hwc_raise(HWC_R_MALLOC, "%s: building a request", cl->what);
        goto done;
    }
    hwc_client_prepare(cl, &call, HWC_SVC_SCM, "GET", base,
                       "/v3/scm/certificates");
    call.query = (const char *)query.data;
    call.project_id = NULL;
    if (hwc_call_json(&call, &resp)) {
        ok = hwc_scm_parse_list_page(cl->what, resp, seen, total, cb, arg);
    }
done:
    json_decref(resp);
    hwc_buf_free(&query);
    OPENSSL_free(kw);
    OPENSSL_free(base);
    return ok;
}

static int name_cb(const hwc_scm_cert_info *info, void *arg)
{
    hwc_name_match_see(arg, info->name, info->id);
    return 1;
}

/* Every reachable page of one listing; *total is what it holds. */
static int search_pages(const hwc_client *cl, const char *content,
                        hwc_name_match *ns, int *total)
{
    int offset = 0, seen = 0;

    do {
        if (!hwc_scm_list_page(cl, offset, HWC_SCM_PAGE, content, &seen, total,
                               name_cb, ns)) {
            return 0;
        }
        offset += seen;
    } while (seen > 0 && offset < *total && offset <= HWC_SCM_MAX_OFFSET);
    return 1;
}

int hwc_scm_resolve_name(const hwc_client *cl, const char *name, char *id,
                         size_t cap)
{
    hwc_name_match ns = {name, "", 0};
    int total = 0;

    if (!search_pages(cl, name, &ns, &total) ||
        (ns.matches == 0 && total <= HWC_SCM_MAX_LISTED &&
         !search_pages(cl, NULL, &ns, &total))) {
        return 0;
    }
    if (ns.matches == 0 && total > HWC_SCM_MAX_LISTED) {
        hwc_raise(HWC_R_NOT_FOUND,
                  "%s: no certificate named %s among the first %d of the %d "
                  "listed; SCM's ListCertificates pages no further (offset "
                  "at most %d): use scm:cert/<id>",
                  cl->what, name, HWC_SCM_MAX_LISTED, total,
                  HWC_SCM_MAX_OFFSET);
        return 0;
    }
    return hwc_name_match_take(&ns, cl->what, "certificate is named", id, cap);
}
