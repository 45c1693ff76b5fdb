/* obs.c: the OBS object download behind DCS presigned links:
 * GET /obs/{bucket}/{ssl-dir}/{file}?AWSAccessKeyId&Expires&Signature.
 * Refuses requests that carry any other credentials. Errors are XML. */
#include "dcs.h"

#include <stdlib.h>
#include <string.h>

static void obs_error(struct emu_resp *resp, int status, const char *code,
                      const char *msg)
{
    resp_err(resp, SVC_OBS, status, code, msg);
}

static int has_credentials(const struct emu_req *req)
{
    return req_header(req, "X-Auth-Token") != NULL ||
           req_header(req, "Authorization") != NULL ||
           req_header(req, "X-Security-Token") != NULL;
}

/* splits /obs/BUCKET/DIR/FILE; 0 on success */
static int split(const char *path, char *bucket, char *dir, char *file,
                 size_t n)
{
    const char *b = path + 5, *d = strchr(b, '/');
    const char *f = d != NULL ? strchr(d + 1, '/') : NULL;
    if (f == NULL || strchr(f + 1, '/') != NULL || (size_t)(d - b) >= n ||
        (size_t)(f - d - 1) >= n || strlen(f + 1) >= n)
        return -1;
    snprintf(bucket, n, "%.*s", (int)(d - b), b);
    snprintf(dir, n, "%.*s", (int)(f - d - 1), d + 1);
    snprintf(file, n, "%s", f + 1);
    return 0;
}

static int check_query(struct emu_req *req, const char *bucket, const char *dir,
                       const char *file, struct emu_resp *resp)
{
    const char *ak = req_arg(req, "AWSAccessKeyId");
    const char *exp = req_arg(req, "Expires");
    const char *sig = req_arg(req, "Signature");
    if (ak == NULL || exp == NULL || sig == NULL) {
        obs_error(resp, 403, "AccessDenied", "Anonymous access is denied.");
        return -1;
    }
    if (strcmp(ak, g_emu.obs_ak) != 0) {
        obs_error(resp, 403, "InvalidAccessKeyId",
                  "The access key Id you provided does not exist.");
        return -1;
    }
    char *end;
    long e = strtol(exp, &end, 10);
    if (*exp == '\0' || *end != '\0' || e < (long)time(NULL)) {
        obs_error(resp, 403, "AccessDenied", "Request has expired.");
        return -1;
    }
    const char *md5 = req_header(req, "Content-MD5");
    const char *ct = req_header(req, "Content-Type");
    char *want =
        obs_signature(bucket, dir, file, e, md5 ? md5 : "", ct ? ct : "");
    int ok = strcmp(want, sig) == 0;
    free(want);
    if (!ok)
        obs_error(resp, 403, "SignatureDoesNotMatch",
                  "The request signature we calculated does not match the "
                  "signature you provided.");
    return ok ? 0 : -1;
}

static void redirect(struct emu_req *req, struct emu_resp *resp)
{
    char *ak = emu_url_encode(req_arg(req, "AWSAccessKeyId"));
    char *sig = emu_url_encode(req_arg(req, "Signature"));
    char *exp = emu_url_encode(req_arg(req, "Expires"));
    char *loc = emu_printf("http://127.0.0.1:%u%s?AWSAccessKeyId=%s&Expires=%s"
                           "&Signature=%s",
                           g_emu.http_port, req->path, ak, exp, sig);
    free(ak);
    free(sig);
    free(exp);
    resp_body(resp, 302, "text/plain", emu_strdup("Found\n"), 6);
    resp_header(resp, "Location", loc);
    free(loc);
}

void obs_handle(struct emu_req *req, struct emu_resp *resp)
{
    char bucket[128], dir[128], file[128];
    if (!req_method_is(req, "GET") && !req_method_is(req, "HEAD")) {
        obs_error(resp, 405, "MethodNotAllowed",
                  "The specified method is not allowed against this "
                  "resource.");
        return;
    }
    if (has_credentials(req)) {
        obs_error(resp, 403, "AccessDenied",
                  "Presigned URL requests must not carry X-Auth-Token, "
                  "Authorization or X-Security-Token headers.");
        return;
    }
    const struct dcs_inst *in = NULL;
    if (split(req->path, bucket, dir, file, sizeof(bucket)) == 0 &&
        strcmp(bucket, dcs_bucket()) == 0)
        in = dcs_find_object(dir, file);
    if (in == NULL) {
        obs_error(resp, 404, "NoSuchKey", "The specified key does not exist.");
        return;
    }
    if (check_query(req, bucket, dir, file, resp) != 0)
        return;
    if (in->kind == D_REDIRECT) {
        redirect(req, resp);
        return;
    }
    unsigned char *copy = malloc(in->len);
    memcpy(copy, in->file, in->len);
    resp_body(resp, 200, "application/octet-stream", (char *)copy, in->len);
}
