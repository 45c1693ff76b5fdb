/* resp.c: building responses (JSON bodies, per-service error envelopes)
 * and reading request data (headers, query arguments, JSON body). */
#include "emu.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

void resp_body(struct emu_resp *r, int status, const char *ctype, char *body,
               size_t len)
{
    free(r->body);
    r->status = status;
    r->ctype = ctype;
    r->body = body;
    r->len = len;
}

void resp_json(struct emu_resp *r, int status, json_t *obj)
{
    char *s = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    if (s == NULL)
        s = emu_strdup("{}");
    resp_body(r, status, "application/json;charset=UTF-8", s, strlen(s));
}

static const char *status_title(int status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    default:
        return "Internal Server Error";
    }
}

static void resp_obs_err(struct emu_resp *r, int status, const char *code,
                         const char *msg)
{
    char rid[17];
    emu_rand_hex(rid, 16);
    char *s = emu_printf("<?xml version=\"1.0\" encoding=\"UTF-8\" "
                         "standalone=\"yes\"?>\n<Error><Code>%s</Code>"
                         "<Message>%s</Message><RequestId>%s</RequestId>"
                         "<HostId>emu-obs</HostId></Error>",
                         code, msg, rid);
    resp_body(r, status, "application/xml", s, strlen(s));
}

void resp_err(struct emu_resp *r, enum emu_svc svc, int status,
              const char *code, const char *msg)
{
    json_t *o;
    switch (svc) {
    case SVC_KMS:
        o = json_pack("{s:{s:s,s:s}}", "error", "error_code", code, "error_msg",
                      msg);
        break;
    case SVC_IAM:
        o = json_pack("{s:{s:i,s:s,s:s}}", "error", "code", status, "message",
                      msg, "title", status_title(status));
        break;
    case SVC_DCS:
        o = json_pack("{s:s,s:s,s:n}", "error_code", code, "error_msg", msg,
                      "error_ext_msg");
        break;
    case SVC_OBS:
        resp_obs_err(r, status, code, msg);
        return;
    default:
        o = json_pack("{s:s,s:s}", "error_code", code, "error_msg", msg);
        break;
    }
    resp_json(r, status, o);
}

void resp_header(struct emu_resp *r, const char *k, const char *v)
{
    if (r->nhdr >= EMU_MAX_HDRS)
        return;
    r->hk[r->nhdr] = emu_strdup(k);
    r->hv[r->nhdr] = emu_strdup(v);
    r->nhdr++;
}

void resp_free(struct emu_resp *r)
{
    free(r->body);
    for (int i = 0; i < r->nhdr; i++) {
        free(r->hk[i]);
        free(r->hv[i]);
    }
    memset(r, 0, sizeof(*r));
}

json_t *req_json(const struct emu_req *req)
{
    if (req->body_len == 0)
        return NULL;
    json_error_t e;
    json_t *j = json_loadb((const char *)req->body, req->body_len,
                           JSON_REJECT_DUPLICATES, &e);
    if (j != NULL && !json_is_object(j)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

const char *req_header(const struct emu_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *req_arg(const struct emu_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

int req_method_is(const struct emu_req *req, const char *m)
{
    return strcmp(req->method, m) == 0;
}
