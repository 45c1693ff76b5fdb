/* iam.c: IAM stand-in: POST /v3/auth/tokens (password and assume_role
 * methods), GET /v3/projects and GET /v3/auth/domains. */
#include "emu.h"

#include <stdlib.h>
#include <string.h>

static json_t *catalog_entry(const char *type, const char *suffix)
{
    char id[33];
    emu_rand_hex(id, 32);
    char *url = emu_printf("https://127.0.0.1:%u%s", g_emu.port, suffix);
    json_t *e = json_pack("{s:s,s:s,s:s,s:[{s:s,s:s,s:s,s:s,s:s}]}", "type",
                          type, "id", id, "name", type, "endpoints", "url", url,
                          "region", g_emu.region, "region_id", g_emu.region,
                          "interface", "public", "id", id);
    free(url);
    return e;
}

static json_t *catalog(void)
{
    return json_pack("[o,o,o,o]", catalog_entry("identity", "/v3"),
                     catalog_entry("kms", "/v1.0/"),
                     catalog_entry("dcsv2", "/v2/"),
                     catalog_entry("scm", "/v3/"));
}

static json_t *domain_obj(void)
{
    return json_pack("{s:s,s:s}", "id", g_emu.domain_id, "name",
                     g_emu.iam_domain);
}

static json_t *token_body(const char *method, int project, time_t exp,
                          int with_catalog)
{
    char *e = emu_iso_time(exp), *i = emu_iso_time(time(NULL));
    char uid[33];
    emu_rand_hex(uid, 32);
    json_t *t = json_pack("{s:s,s:s,s:[s],s:[{s:s,s:s}],s:{s:s,s:s,s:o,s:s}}",
                          "expires_at", e, "issued_at", i, "methods", method,
                          "roles", "id", "0", "name", "te_admin", "user", "id",
                          uid, "name", g_emu.iam_user, "domain", domain_obj(),
                          "password_expires_at", "");
    if (project)
        json_object_set_new(t, "project",
                            json_pack("{s:s,s:s,s:o}", "id", g_emu.project_id,
                                      "name", g_emu.region, "domain",
                                      domain_obj()));
    else
        json_object_set_new(t, "domain", domain_obj());
    if (with_catalog)
        json_object_set_new(t, "catalog", catalog());
    free(e);
    free(i);
    return json_pack("{s:o}", "token", t);
}

/* -1 invalid scope, 0 domain scope, 1 project scope */
static int parse_scope(json_t *auth)
{
    json_t *scope = json_object_get(auth, "scope");
    json_t *proj = json_object_get(scope, "project");
    if (proj == NULL)
        return 0;
    const char *id = json_string_value(json_object_get(proj, "id"));
    const char *name = json_string_value(json_object_get(proj, "name"));
    if (id != NULL)
        return strcmp(id, g_emu.project_id) == 0 ? 1 : -1;
    if (name != NULL)
        return strcmp(name, g_emu.region) == 0 ? 1 : -1;
    return -1;
}

static int check_password(json_t *identity, struct emu_resp *resp)
{
    json_t *user =
        json_object_get(json_object_get(identity, "password"), "user");
    const char *name = json_string_value(json_object_get(user, "name"));
    const char *pw = json_string_value(json_object_get(user, "password"));
    json_t *dom = json_object_get(user, "domain");
    const char *dn = json_string_value(json_object_get(dom, "name"));
    const char *did = json_string_value(json_object_get(dom, "id"));
    if (name == NULL || pw == NULL || (dn == NULL && did == NULL)) {
        resp_err(resp, SVC_IAM, 400, "400", "The request body is invalid.");
        return -1;
    }
    int dom_ok = dn != NULL ? strcmp(dn, g_emu.iam_domain) == 0
                            : strcmp(did, g_emu.domain_id) == 0;
    if (!dom_ok || strcmp(name, g_emu.iam_user) != 0 ||
        strcmp(pw, g_emu.iam_password) != 0) {
        resp_err(resp, SVC_IAM, 401, "401",
                 "The username or password is wrong.");
        return -1;
    }
    return 0;
}

static int agency_ok(json_t *ar, struct emu_resp *resp)
{
    const char *agency = json_string_value(json_object_get(ar, "agency_name"));
    const char *dn = json_string_value(json_object_get(ar, "domain_name"));
    const char *did = json_string_value(json_object_get(ar, "domain_id"));
    if (agency == NULL || (dn == NULL && did == NULL)) {
        resp_err(resp, SVC_IAM, 400, "400", "The request body is invalid.");
        return -1;
    }
    int dom_ok = dn != NULL ? strcmp(dn, g_emu.agency_domain) == 0
                            : strcmp(did, g_emu.domain_id) == 0;
    if (!dom_ok || strcmp(agency, g_emu.agency_name) != 0) {
        resp_err(resp, SVC_IAM, 403, "403",
                 "You are not authorized to perform the requested action: "
                 "the agency does not exist or is not delegated to you.");
        return -1;
    }
    return 0;
}

static int check_assume_role(struct emu_req *req, json_t *identity,
                             struct emu_resp *resp)
{
    if (auth_check(req, resp, SVC_IAM) != 0)
        return -1;
    return agency_ok(json_object_get(identity, "assume_role"), resp);
}

/* duration_seconds of a securitytokens request (900..86400, default 900) */
static long duration(json_t *identity, const char *method)
{
    json_t *d =
        json_object_get(json_object_get(identity, method), "duration_seconds");
    if (d == NULL)
        return 900;
    long v = json_is_integer(d) ? (long)json_integer_value(d) : 0;
    return v >= 900 && v <= 86400 ? v : -1;
}

static void temp_credential(struct emu_resp *resp, long lifetime)
{
    char *secret, *sectoken;
    time_t exp;
    char *ak = aksk_temp_issue(lifetime, &secret, &sectoken, &exp);
    char *e = emu_iso_time(exp);
    resp_json(resp, 201,
              json_pack("{s:{s:s,s:s,s:s,s:s}}", "credential", "access", ak,
                        "secret", secret, "securitytoken", sectoken,
                        "expires_at", e));
    free(ak);
    free(secret);
    free(sectoken);
    free(e);
}

/* POST /v3.0/OS-CREDENTIAL/securitytokens: temporary AK/SK */
static void securitytokens(struct emu_req *req, struct emu_resp *resp)
{
    if (!req_method_is(req, "POST")) {
        resp_err(resp, SVC_IAM, 405, "405", "The method is not allowed.");
        return;
    }
    if (auth_check(req, resp, SVC_IAM) != 0)
        return;
    json_t *body = req_json(req);
    json_t *identity =
        json_object_get(json_object_get(body, "auth"), "identity");
    const char *m = json_string_value(
        json_array_get(json_object_get(identity, "methods"), 0));
    int is_token = m != NULL && strcmp(m, "token") == 0;
    int is_role = m != NULL && strcmp(m, "assume_role") == 0;
    long dur = m != NULL ? duration(identity, m) : -1;
    if ((!is_token && !is_role) || dur < 0)
        resp_err(resp, SVC_IAM, 400, "400", "The request body is invalid.");
    else if (is_token ||
             agency_ok(json_object_get(identity, "assume_role"), resp) == 0)
        temp_credential(resp, dur);
    json_decref(body);
}

static const char *identity_method(json_t *identity)
{
    json_t *m = json_object_get(identity, "methods");
    const char *first = json_string_value(json_array_get(m, 0));
    if (first == NULL || json_array_size(m) != 1)
        return NULL;
    if (strcmp(first, "password") == 0 || strcmp(first, "assume_role") == 0)
        return first;
    return NULL;
}

static void issue(struct emu_req *req, struct emu_resp *resp, json_t *auth)
{
    json_t *identity = json_object_get(auth, "identity");
    const char *method = identity_method(identity);
    if (method == NULL) {
        resp_err(resp, SVC_IAM, 400, "400",
                 "The request body is invalid: unsupported identity method.");
        return;
    }
    int rc = strcmp(method, "password") == 0
                 ? check_password(identity, resp)
                 : check_assume_role(req, identity, resp);
    if (rc != 0)
        return;
    int scope = parse_scope(auth);
    if (scope < 0) {
        resp_err(resp, SVC_IAM, 400, "400",
                 "The project in the scope does not exist.");
        return;
    }
    time_t exp;
    char *tok = token_issue(scope ? g_emu.project_id : NULL,
                            g_emu.token_lifetime, &exp);
    const char *nc = req_arg(req, "nocatalog");
    int with_catalog = nc == NULL || strcmp(nc, "true") != 0;
    resp_json(resp, 201, token_body(method, scope, exp, with_catalog));
    resp_header(resp, "X-Subject-Token", tok);
    free(tok);
}

static void tokens(struct emu_req *req, struct emu_resp *resp)
{
    if (!req_method_is(req, "POST")) {
        resp_err(resp, SVC_IAM, 405, "405", "The method is not allowed.");
        return;
    }
    json_t *body = req_json(req);
    json_t *auth = json_object_get(body, "auth");
    if (!json_is_object(auth))
        resp_err(resp, SVC_IAM, 400, "400", "The request body is invalid.");
    else
        issue(req, resp, auth);
    json_decref(body);
}

static void projects(struct emu_req *req, struct emu_resp *resp)
{
    if (!req_method_is(req, "GET")) {
        resp_err(resp, SVC_IAM, 405, "405", "The method is not allowed.");
        return;
    }
    if (auth_check(req, resp, SVC_IAM) != 0)
        return;
    const char *name = req_arg(req, "name");
    json_t *list = json_array();
    if (name == NULL || strcmp(name, g_emu.region) == 0)
        json_array_append_new(
            list, json_pack("{s:s,s:s,s:s,s:b,s:b,s:s,s:s}", "id",
                            g_emu.project_id, "name", g_emu.region, "domain_id",
                            g_emu.domain_id, "enabled", 1, "is_domain", 0,
                            "parent_id", g_emu.domain_id, "description", ""));
    char *self = emu_printf("https://127.0.0.1:%u/v3/projects", g_emu.port);
    resp_json(resp, 200,
              json_pack("{s:o,s:{s:s,s:n,s:n}}", "projects", list, "links",
                        "self", self, "next", "previous"));
    free(self);
}

/* GET /v3/auth/domains: the account the credentials belong to. */
static void domains(struct emu_req *req, struct emu_resp *resp)
{
    if (!req_method_is(req, "GET")) {
        resp_err(resp, SVC_IAM, 405, "405", "The method is not allowed.");
        return;
    }
    if (auth_check(req, resp, SVC_IAM) != 0)
        return;
    char *self = emu_printf("https://127.0.0.1:%u/v3/auth/domains", g_emu.port);
    resp_json(resp, 200,
              json_pack("{s:[{s:s,s:s,s:b,s:s}],s:{s:s,s:n,s:n}}", "domains",
                        "id", g_emu.domain_id, "name", g_emu.iam_domain,
                        "enabled", 1, "description", "", "links", "self", self,
                        "next", "previous"));
    free(self);
}

void iam_handle(struct emu_req *req, struct emu_resp *resp)
{
    if (strcmp(req->path, "/v3/auth/tokens") == 0)
        tokens(req, resp);
    else if (strcmp(req->path, "/v3.0/OS-CREDENTIAL/securitytokens") == 0)
        securitytokens(req, resp);
    else if (strcmp(req->path, "/v3/projects") == 0)
        projects(req, resp);
    else if (strcmp(req->path, "/v3/auth/domains") == 0)
        domains(req, resp);
    else
        resp_err(resp, SVC_IAM, 404, "404",
                 "The requested resource could not be found.");
}
