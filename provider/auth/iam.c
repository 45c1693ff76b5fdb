/*
 * iam.c: IAM token and project requests (see iam.h). Request bodies that
 * hold a password are built in a wiping buffer, never in a jansson object,
 * whose strings are freed without being wiped.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "auth/iam.h"
#include "core/settings.h"

int hwc_json_quote(hwc_buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    int ok = hwc_buf_append(b, "\"", 1);

    for (const unsigned char *p = (const unsigned char *)s; ok && *p; p++) {
        if (*p == '"' || *p == '\\') {
            char e[2] = {'\\', (char)*p};
            ok = hwc_buf_append(b, e, 2);
        } else if (*p < 0x20) {
            char e[6] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15]};
            ok = hwc_buf_append(b, e, 6);
        } else {
            ok = hwc_buf_append(b, p, 1);
        }
    }
    return ok && hwc_buf_append(b, "\"", 1);
}

int hwc_iam_parse_time(const char *s, time_t *out)
{
    struct tm tm;
    int n = 0;
    time_t t;

    memset(&tm, 0, sizeof(tm));
    if (s == NULL ||
        sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon,
               &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 ||
        n != 19) {
        return 0;
    }
    s += n;
    if (*s == '.') {
        for (s++; *s >= '0' && *s <= '9'; s++) {
        }
    }
    if (strcmp(s, "Z") != 0 && strcmp(s, "+00:00") != 0 && *s != '\0') {
        return 0; /* IAM answers in UTC; anything else is not understood */
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    if ((t = timegm(&tm)) == (time_t)-1) {
        return 0;
    }
    *out = t;
    return 1;
}

void hwc_iam_token_clear(hwc_iam_token *t)
{
    hwc_secret_free(t->token);
    memset(t, 0, sizeof(*t));
}

/* ,"scope":{...} for a project (by id or name) or a domain. */
static int add_scope(hwc_buf *b, const hwc_iam_scope *s)
{
    int ok;

    if (s->project_id != NULL || s->project_name != NULL) {
        ok = hwc_buf_printf(b, ",\"scope\":{\"project\":{\"%s\":",
                            s->project_id ? "id" : "name");
        ok = ok &&
             hwc_json_quote(b, s->project_id ? s->project_id : s->project_name);
        return ok && hwc_buf_append_str(b, "}}");
    }
    if (s->domain_name == NULL) {
        return 1; /* unscoped: IAM answers with a domain token */
    }
    ok = hwc_buf_append_str(b, ",\"scope\":{\"domain\":{\"name\":");
    ok = ok && hwc_json_quote(b, s->domain_name);
    return ok && hwc_buf_append_str(b, "}}");
}

static const char *id_of(json_t *o)
{
    return json_string_value(json_object_get(o, "id"));
}

/* The account of a token: its project's, else its own domain scope's,
 * else its user's. */
static void token_domain(json_t *tok, char out[33])
{
    const char *cand[] = {
        id_of(json_object_get(json_object_get(tok, "project"), "domain")),
        id_of(json_object_get(tok, "domain")),
        id_of(json_object_get(json_object_get(tok, "user"), "domain")),
    };

    out[0] = '\0';
    for (size_t i = 0; i < sizeof(cand) / sizeof(cand[0]); i++) {
        if (cand[i] != NULL && hwc_valid_domain_id(cand[i])) {
            memcpy(out, cand[i], 33);
            return;
        }
    }
}

int hwc_iam_parse_token_body(const char *what, const void *body, size_t len,
                             hwc_iam_token *out)
{
    json_t *root = hwc_json_parse(what, body, len);
    json_t *tok = json_object_get(root, "token");
    json_t *proj = json_object_get(tok, "project");
    const char *exp = json_string_value(json_object_get(tok, "expires_at"));
    const char *iss = json_string_value(json_object_get(tok, "issued_at"));
    time_t issued;
    const char *pid = json_string_value(json_object_get(proj, "id"));
    const char *pname = json_string_value(json_object_get(proj, "name"));
    int ok = 0;

    if (root == NULL) {
        return 0;
    }
    if (!hwc_iam_parse_time(exp, &out->expires_at)) {
        hwc_raise(HWC_R_BAD_RESPONSE,
                  "%s: IAM token answer lacks a valid token.expires_at", what);
    } else {
        out->lifetime =
            hwc_iam_parse_time(iss, &issued) && issued < out->expires_at
                ? (long)(out->expires_at - issued)
                : (long)(out->expires_at - time(NULL));
        snprintf(out->project_id, sizeof(out->project_id), "%s",
                 pid && hwc_valid_project_id(pid) ? pid : "");
        snprintf(out->project_name, sizeof(out->project_name), "%s",
                 pname && hwc_valid_region(pname) ? pname : "");
        token_domain(tok, out->domain_id);
        ok = 1;
    }
    json_decref(root);
    return ok;
}

static int post_tokens(const hwc_call *base, hwc_buf *body, hwc_iam_token *out)
{
    hwc_call c = *base;
    hwc_http_resp r;
    int ok = 0;

    memset(out, 0, sizeof(*out));
    if (hwc_buf_cstr(body) == NULL) {
        hwc_raise(HWC_R_MALLOC, "%s: building an IAM request", c.what);
        return 0;
    }
    c.service = HWC_SVC_IAM;
    c.method = "POST";
    c.path = "/v3/auth/tokens";
    c.query = "nocatalog=true"; /* the catalog is large and unused */
    c.json_body = (const char *)body->data;
    if (!hwc_call_perform(&c, &r)) {
        return 0;
    }
    if (r.subject_token == NULL || r.subject_token[0] == '\0') {
        hwc_raise(HWC_R_BAD_RESPONSE,
                  "%s: IAM answered HTTP %ld without X-Subject-Token", c.what,
                  r.status);
    } else if (hwc_iam_parse_token_body(c.what, r.body.data, r.body.len, out)) {
        out->token = r.subject_token;
        r.subject_token = NULL;
        ok = 1;
    }
    hwc_http_resp_free(&r);
    return ok;
}

/* A token request: its body is literal text and JSON-quoted values in
 * turn (parts[0] text, parts[1] a value, ..., parts[n - 1] text), then the
 * scope. */
static int identity_token(const hwc_call *base, const char *const *parts,
                          size_t n, const hwc_iam_scope *scope,
                          hwc_iam_token *out)
{
    hwc_buf b = {0};
    int ok = 1;

    for (size_t i = 0; ok && i < n; i++) {
        ok = i % 2 == 0 ? hwc_buf_append_str(&b, parts[i])
                        : hwc_json_quote(&b, parts[i]);
    }
    ok = ok && add_scope(&b, scope) && hwc_buf_append_str(&b, "}}");
    ok = ok ? post_tokens(base, &b, out) : 0;
    hwc_buf_free(&b);
    return ok;
}

int hwc_iam_password_token(const hwc_call *base, const char *user,
                           const char *password, const char *domain,
                           const hwc_iam_scope *scope, hwc_iam_token *out)
{
    const char *const parts[] = {
        "{\"auth\":{\"identity\":{\"methods\":[\"password\"],"
        "\"password\":{\"user\":{\"name\":",
        user,
        ",\"password\":",
        password,
        ",\"domain\":{\"name\":",
        domain,
        "}}}}"};

    return identity_token(base, parts, HWC_NELEM(parts), scope, out);
}

int hwc_iam_agency_token(const hwc_call *base, const char *agency_domain,
                         const char *agency_name, const hwc_iam_scope *scope,
                         hwc_iam_token *out)
{
    const char *const parts[] = {
        "{\"auth\":{\"identity\":{\"methods\":[\"assume_role\"],"
        "\"assume_role\":{\"domain_name\":",
        agency_domain, ",\"agency_name\":", agency_name, "}}"};

    return identity_token(base, parts, HWC_NELEM(parts), scope, out);
}

int hwc_iam_pick_project(const char *what, json_t *root, const char *region,
                         char out[33])
{
    json_t *list = json_object_get(root, "projects"), *p;
    size_t i;

    if (!json_is_array(list)) {
        hwc_raise(HWC_R_BAD_RESPONSE,
                  "%s: IAM projects answer lacks \"projects\"", what);
        return 0;
    }
    json_array_foreach(list, i, p)
    {
        const char *id = json_string_value(json_object_get(p, "id"));
        const char *name = json_string_value(json_object_get(p, "name"));

        if (name != NULL && strcmp(name, region) == 0 &&
            hwc_valid_project_id(id)) {
            memcpy(out, id, 33);
            return 1;
        }
    }
    hwc_raise(HWC_R_CONFIG,
              "%s: IAM lists no project named %s for these credentials; "
              "set project_id (HWCLOUD_PROJECT_ID)",
              what, region);
    return 0;
}

int hwc_iam_project_id(const hwc_call *base, const char *region, char out[33])
{
    hwc_call c = *base;
    hwc_buf q = {0};
    json_t *root = NULL;
    int ok = 0;

    if (!hwc_valid_region(region)) {
        hwc_raise(HWC_R_CONFIG, "%s: region is not valid", c.what);
        return 0;
    }
    if (!hwc_buf_printf(&q, "name=%s", region) || hwc_buf_cstr(&q) == NULL) {
        hwc_raise(HWC_R_MALLOC, "%s: building a request", c.what);
        return 0;
    }
    c.service = HWC_SVC_IAM;
    c.method = "GET";
    c.path = "/v3/projects";
    c.query = (const char *)q.data; /* region charset needs no escaping */
    c.json_body = NULL;
    if (hwc_call_json(&c, &root)) {
        ok = hwc_iam_pick_project(c.what, root, region, out);
        json_decref(root);
    }
    hwc_buf_free(&q);
    return ok;
}

int hwc_iam_pick_domain(const char *what, json_t *root, char out[33])
{
    json_t *list = json_object_get(root, "domains"), *d;
    size_t i;

    if (!json_is_array(list)) {
        hwc_raise(HWC_R_BAD_RESPONSE,
                  "%s: IAM domains answer lacks \"domains\"", what);
        return 0;
    }
    json_array_foreach(list, i, d)
    {
        const char *id = id_of(d);

        if (hwc_valid_domain_id(id)) {
            memcpy(out, id, 33);
            return 1;
        }
    }
    hwc_raise(HWC_R_CONFIG,
              "%s: IAM lists no account for these credentials (GET "
              "/v3/auth/domains); set domain_id (HWCLOUD_DOMAIN_ID)",
              what);
    return 0;
}

int hwc_iam_domain_id(const hwc_call *base, char out[33])
{
    hwc_call c = *base;
    json_t *root = NULL;
    int ok = 0;

    c.service = HWC_SVC_IAM;
    c.method = "GET";
    c.path = "/v3/auth/domains";
    c.query = NULL;
    c.json_body = NULL;
    if (hwc_call_json(&c, &root)) {
        ok = hwc_iam_pick_domain(c.what, root, out);
        json_decref(root);
    }
    return ok;
}
