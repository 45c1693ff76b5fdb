/*
 * metadata.c: temporary credentials from the ECS metadata service (see
 * metadata.h), as the SDK's metadata accessor does it: an optional IMDS
 * session token (PUT, 404/405/503 meaning none is needed), then the security
 * key, whose 401 either means "no agency on this VM" or "session token
 * stale: get a new one and try once more".
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "net/call.h"
#include "auth/iam.h"
#include "auth/metadata.h"

#define SESSION_TTL 21600
#define SESSION_TTL_TEXT "21600"
#define MD_MAX_BODY (64 * 1024)

void hwc_md_cred_clear(hwc_md_cred *c)
{
    hwc_secret_free(c->ak);
    hwc_secret_free(c->sk);
    hwc_secret_free(c->security_token);
    memset(c, 0, sizeof(*c));
}

void hwc_md_session_clear(hwc_md_session *s)
{
    hwc_secret_free(s->token);
    memset(s, 0, sizeof(*s));
}

/* The metadata service is local: short timeouts, plain http allowed. */
static void md_opts(const hwc_http_opts *tmpl, hwc_http_opts *o)
{
    *o = *tmpl;
    /* Never through a proxy: it would see the session token and the
     * credentials, and could hand back its own. */
    o->proxy = NULL;
    o->allow_http = 1;
    o->follow_redirects = 0;
    o->max_body = MD_MAX_BODY;
    if (o->connect_timeout_ms <= 0 || o->connect_timeout_ms > 3000) {
        o->connect_timeout_ms = 3000;
    }
    if (o->timeout_ms <= 0 || o->timeout_ms > 10000) {
        o->timeout_ms = 10000;
    }
}

static int exchange(const hwc_http_opts *o, const char *method,
                    const char *base, const char *path, const hwc_header *h,
                    size_t nh, hwc_http_resp *r)
{
    char url[512];
    hwc_http_req req = {method, url, NULL, 0, h, nh};
    int ok;

    snprintf(url, sizeof(url), "%s%s", base, path);
    ok = hwc_http_perform(o, &req, r);
    hwc_debug("metadata %s %s -> %ld%s%s in %.0f ms", method, url, r->status,
              ok ? "" : ": ", ok ? "" : r->detail, r->seconds * 1000);
    if (!ok) {
        hwc_raise(HWC_R_TRANSPORT, "metadata service %s%s: %s", base, path,
                  r->detail);
    }
    return ok;
}

int hwc_md_parse_session(const char *what, hwc_buf *b, hwc_md_session *ses)
{
    while (b->len > 0 && strchr(" \t\r\n", b->data[b->len - 1]) != NULL) {
        b->len--;
    }
    if (b->len == 0 || memchr(b->data, '\n', b->len) != NULL ||
        hwc_buf_cstr(b) == NULL) {
        hwc_raise(HWC_R_BAD_RESPONSE,
                  "%s: the session token answer is malformed", what);
        return 0;
    }
    hwc_secret_free(ses->token);
    ses->token = (char *)hwc_buf_steal(b, NULL);
    ses->expires = time(NULL) + SESSION_TTL - 300;
    return 1;
}

static int get_session(const char *base, const hwc_http_opts *o,
                       hwc_md_session *ses)
{
    static const hwc_header h[] = {
        {"X-Metadata-Token-Ttl-Seconds", SESSION_TTL_TEXT}};
    hwc_http_resp r;
    int ok = 0;

    if (ses->not_needed || (ses->token != NULL && time(NULL) < ses->expires)) {
        return 1;
    }
    if (!exchange(o, "PUT", base, "/meta-data/latest/api/token", h, 1, &r)) {
        hwc_http_resp_free(&r);
        return 0;
    }
    if (r.status == 200) {
        ok = hwc_md_parse_session("metadata service", &r.body, ses);
    } else if (r.status == 404 || r.status == 405 || r.status == 503) {
        ses->not_needed = 1; /* a service without session tokens */
        ok = 1;
    } else {
        hwc_raise(HWC_R_AUTH,
                  "metadata service %s: the session token request answered "
                  "HTTP %ld",
                  base, r.status);
    }
    hwc_http_resp_free(&r);
    return ok;
}

static char *dup_field(json_t *o, const char *name)
{
    const char *v = json_string_value(json_object_get(o, name));

    return v != NULL && *v != '\0' ? OPENSSL_strdup(v) : NULL;
}

int hwc_md_parse_cred(const char *what, const void *body, size_t len,
                      hwc_md_cred *out)
{
    json_t *root = hwc_json_parse(what, body, len);
    json_t *cred = json_object_get(root, "credential");
    const char *exp = json_string_value(json_object_get(cred, "expires_at"));
    int ok;

    out->ak = dup_field(cred, "access");
    out->sk = dup_field(cred, "secret");
    out->security_token = dup_field(cred, "securitytoken");
    ok = out->ak != NULL && out->sk != NULL && out->security_token != NULL &&
         hwc_iam_parse_time(exp, &out->expires_at);
    hwc_json_free(root); /* the SK and token jansson holds, wiped */
    if (!ok) {
        hwc_md_cred_clear(out);
        if (root != NULL) {
            hwc_raise(HWC_R_BAD_RESPONSE,
                      "%s: answer lacks credential.access, "
                      "secret, securitytoken or expires_at",
                      what);
        }
    }
    return ok;
}

/* One GET of the security key; *stale set on a 401 that a new session
 * token may cure. */
static int get_key(const char *base, const hwc_http_opts *o,
                   const hwc_md_session *ses, hwc_md_cred *out, int *stale)
{
    hwc_header h[] = {{"X-Metadata-Token", ses->token}};
    hwc_http_resp r;
    int ok = 0;

    *stale = 0;
    if (exchange(o, "GET", base, "/openstack/latest/securitykey", h,
                 ses->token ? 1 : 0, &r)) {
        if (r.status == 200) {
            ok = hwc_md_parse_cred("metadata securitykey", r.body.data,
                                   r.body.len, out);
        } else if (r.status == 401 && hwc_buf_cstr(&r.body) != NULL &&
                   strstr((char *)r.body.data, "Cloud Service Agency")) {
            hwc_raise(HWC_R_AUTH,
                      "metadata service: this instance has no agency "
                      "(configure a Cloud Service Agency for the ECS)");
        } else {
            *stale = r.status == 401 && ses->token != NULL;
            hwc_raise(HWC_R_AUTH,
                      "metadata service %s: securitykey answered HTTP %ld",
                      base, r.status);
        }
    }
    hwc_http_resp_free(&r);
    return ok;
}

int hwc_metadata_fetch(const char *base, const hwc_http_opts *tmpl,
                       hwc_md_session *ses, hwc_md_cred *out)
{
    hwc_http_opts o;
    int stale = 0;

    memset(out, 0, sizeof(*out));
    md_opts(tmpl, &o);
    if (!get_session(base, &o, ses)) {
        return 0;
    }
    ERR_set_mark();
    if (get_key(base, &o, ses, out, &stale)) {
        ERR_clear_last_mark();
        return 1;
    }
    if (!stale) {
        ERR_clear_last_mark();
        return 0;
    }
    ERR_pop_to_mark(); /* the retry reports for itself */
    hwc_debug("metadata: session token refused, getting a new one");
    hwc_secret_free(ses->token);
    ses->token = NULL;
    if (!get_session(base, &o, ses)) {
        return 0;
    }
    return get_key(base, &o, ses, out, &stale);
}
