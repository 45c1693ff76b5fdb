/* scm.c: SCM (Cloud Certificate Manager) routes: export, list and show of
 * certificates under /v3/scm/certificates. Errors are flat. */
#define _GNU_SOURCE /* strcasestr */
#include "scm.h"

#include <stdlib.h>
#include <string.h>

static void scm_error(struct emu_resp *resp, int status, const char *code,
                      const char *msg)
{
    resp_err(resp, SVC_SCM, status, code, msg);
}

static json_t *cert_summary(const struct scm_cert *c)
{
    return json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:b,s:s,s:s,s:s,s:s,s:i,s:s,s:i,s:i,s:s,s:s}",
        "id", c->id, "name", c->name, "domain", c->domain, "sans", c->domain,
        "signature_algorithm", c->ec ? "SHA256WITHECDSA" : "SHA256WITHRSA",
        "deploy_support", 1, "type", "DV_SSL_CERT", "brand", "GEOTRUST",
        "expire_time", c->expire_time, "domain_type", "SINGLE_DOMAIN",
        "validity_period", 12, "status", c->status, "domain_count", 1,
        "wildcard_count", 0, "description", "", "enterprise_project_id", "0");
}

static int int_arg(struct emu_req *req, const char *name, long dflt, long lo,
                   long hi, long *out)
{
    const char *v = req_arg(req, name);
    if (v == NULL) {
        *out = dflt;
        return 0;
    }
    char *end;
    long n = strtol(v, &end, 10);
    if (*v == '\0' || *end != '\0' || n < lo || n > hi)
        return -1;
    *out = n;
    return 0;
}

/* The content keyword: a case-insensitive part of the name or domain. */
static int content_matches(const struct scm_cert *c, const char *content)
{
    return content == NULL || strcasestr(c->name, content) != NULL ||
           strcasestr(c->domain, content) != NULL;
}

/* ListCertificates: limit 10, 20 or 50; offset 0..100 (SDK model and the
 * ListCertificates reference); content, status filters. */
static void list(struct emu_req *req, struct emu_resp *resp)
{
    long limit, offset;
    if (int_arg(req, "limit", 10, 10, 50, &limit) != 0 ||
        (limit != 10 && limit != 20 && limit != 50) ||
        int_arg(req, "offset", 0, 0, 100, &offset) != 0) {
        scm_error(resp, 400, "SCM.0001",
                  "Invalid limit or offset: limit is 10, 20 or 50, offset "
                  "0 to 100.");
        return;
    }
    const char *status = req_arg(req, "status");
    const char *content = req_arg(req, "content");
    int all = status == NULL || strcmp(status, "ALL") == 0;
    json_t *arr = json_array();
    long total = 0;
    for (size_t i = 0; i < scm_cert_count(); i++) {
        const struct scm_cert *c = scm_cert_at(i);
        if ((!all && strcmp(c->status, status) != 0) ||
            !content_matches(c, content))
            continue;
        if (total >= offset && total < offset + limit)
            json_array_append_new(arr, cert_summary(c));
        total++;
    }
    resp_json(resp, 200,
              json_pack("{s:o,s:I}", "certificates", arr, "total_count",
                        (json_int_t)total));
}

static void one(struct emu_req *req, struct emu_resp *resp, const char *id,
                const char *action)
{
    int is_export = strcmp(action, "/export") == 0;
    if ((is_export && !req_method_is(req, "POST")) ||
        (!is_export && !req_method_is(req, "GET"))) {
        scm_error(resp, 405, "SCM.0405", "The method is not allowed.");
        return;
    }
    if (auth_check(req, resp, SVC_SCM) != 0)
        return;
    if (!emu_alnum_len(id, 16)) {
        scm_error(resp, 400, "SCM.0001",
                  "Invalid certificate_id: must be 16 letters or digits.");
        return;
    }
    const struct scm_cert *c = scm_cert_find(id);
    if (c == NULL) {
        scm_error(resp, 404, "SCM.0404", "The certificate does not exist.");
        return;
    }
    if (is_export)
        resp_body(resp, 200, "application/json;charset=UTF-8",
                  emu_strdup(c->export_json), strlen(c->export_json));
    else
        resp_json(resp, 200, cert_summary(c));
}

static void route(struct emu_req *req, struct emu_resp *resp)
{
    static const char base[] = "/v3/scm/certificates";
    const char *p = req->path;
    if (strcmp(p, base) == 0) {
        if (!req_method_is(req, "GET"))
            scm_error(resp, 405, "SCM.0405", "The method is not allowed.");
        else if (auth_check(req, resp, SVC_SCM) == 0)
            list(req, resp);
        return;
    }
    if (strncmp(p, base, sizeof(base) - 1) != 0 || p[sizeof(base) - 1] != '/') {
        resp_err(resp, SVC_NONE, 404, "APIG.0101",
                 "The API does not exist or has not been published in the "
                 "environment");
        return;
    }
    const char *id = p + sizeof(base);
    const char *slash = strchr(id, '/');
    char *idcopy = slash != NULL ? emu_printf("%.*s", (int)(slash - id), id)
                                 : emu_strdup(id);
    const char *action = slash != NULL ? slash : "";
    if (*action != '\0' && strcmp(action, "/export") != 0)
        resp_err(resp, SVC_NONE, 404, "APIG.0101",
                 "The API does not exist or has not been published in the "
                 "environment");
    else
        one(req, resp, idcopy, action);
    free(idcopy);
}

void scm_handle(struct emu_req *req, struct emu_resp *resp)
{
    scm_fixtures_lock();
    route(req, resp);
    scm_fixtures_unlock();
}
