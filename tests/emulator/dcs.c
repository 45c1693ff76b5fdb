/* dcs.c: DCS routes under /v2/{project_id}/instances/{instance_id}/:
 * POST ssl-certs/download (presigned OBS link) and GET ssl. Errors are
 * flat with "error_ext_msg": null. */
#include "dcs.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/hmac.h>

#define UUID_RE "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"

struct dcs_path {
    char pid[64];
    char iid[64];
    const char *action;
};

static void dcs_error(struct emu_resp *resp, int status, const char *code,
                      const char *msg)
{
    resp_err(resp, SVC_DCS, status, code, msg);
}

const char *dcs_bucket(void)
{
    return "dcs-ssl-eu-de-emu";
}

/* OBS V2-style query signature: base64(HMAC-SHA1(secret, string)), the
 * string being method, Content-MD5, Content-Type, Expires and resource. */
char *obs_signature(const char *bucket, const char *objdir, const char *file,
                    long expires, const char *content_md5,
                    const char *content_type)
{
    char *sts = emu_printf("GET\n%s\n%s\n%ld\n/%s/%s/%s", content_md5,
                           content_type, expires, bucket, objdir, file);
    unsigned char mac[20];
    unsigned int len = 0;
    HMAC(EVP_sha1(), g_emu.obs_secret, (int)strlen(g_emu.obs_secret),
         (unsigned char *)sts, strlen(sts), mac, &len);
    free(sts);
    return emu_b64_encode(mac, len);
}

static char *make_link(const struct dcs_inst *in)
{
    if (in->kind == D_FILELINK)
        return emu_strdup("file:///etc/passwd");
    long expires = (long)time(NULL) + 300;
    char *sig =
        obs_signature(dcs_bucket(), in->objdir, in->file_name, expires, "", "");
    char *esig = emu_url_encode(sig);
    int http = in->kind == D_HTTPLINK;
    char *link = emu_printf(
        "%s://127.0.0.1:%u/obs/%s/%s/%s?AWSAccessKeyId=%s&Expires=%ld&"
        "Signature=%s",
        http ? "http" : "https", http ? g_emu.http_port : g_emu.port,
        dcs_bucket(), in->objdir, in->file_name, g_emu.obs_ak, expires, esig);
    free(sig);
    free(esig);
    return link;
}

static void download(const struct dcs_inst *in, struct emu_resp *resp)
{
    if (in->kind == D_NOSSL) {
        dcs_error(resp, 400, "DCS.4201", "Do not support SSL.");
        return;
    }
    char *link = make_link(in);
    resp_json(resp, 200,
              json_pack("{s:s,s:s,s:s}", "file_name", in->file_name, "link",
                        link, "bucket_name", dcs_bucket()));
    free(link);
}

static void ssl_info(const struct dcs_inst *in, struct emu_resp *resp)
{
    char dom[64];
    snprintf(dom, sizeof(dom), "redis-%.8s.dcs.emu.example.com", in->id);
    int on = in->kind != D_NOSSL;
    resp_json(resp, 200,
              json_pack("{s:b,s:s,s:i,s:s,s:s,s:b}", "enabled", on, "ip",
                        "127.0.0.1", "port", 6379, "domain_name", dom,
                        "ssl_expired_at", on ? in->ssl_expired_at : "",
                        "ssl_validated", on));
}

static int parse_path(const char *path, struct dcs_path *p)
{
    const char *s = path + 4; /* after "/v2/" */
    const char *a = strchr(s, '/');
    if (a == NULL || (size_t)(a - s) >= sizeof(p->pid) ||
        strncmp(a, "/instances/", 11) != 0)
        return -1;
    snprintf(p->pid, sizeof(p->pid), "%.*s", (int)(a - s), s);
    const char *i = a + 11, *b = strchr(i, '/');
    if (b == NULL || (size_t)(b - i) >= sizeof(p->iid))
        return -1;
    snprintf(p->iid, sizeof(p->iid), "%.*s", (int)(b - i), i);
    p->action = b + 1;
    if (strcmp(p->action, "ssl-certs/download") != 0 &&
        strcmp(p->action, "ssl") != 0)
        return -1;
    return 0;
}

static const struct dcs_inst *checked_instance(struct emu_req *req,
                                               const struct dcs_path *p,
                                               struct emu_resp *resp)
{
    if (auth_check(req, resp, SVC_DCS) != 0)
        return NULL;
    if (strcmp(req->project_id, p->pid) != 0) {
        dcs_error(resp, 401, "DCS.1004",
                  "The project ID does not match the token.");
        return NULL;
    }
    if (!emu_match_re(p->iid, UUID_RE)) {
        dcs_error(resp, 400, "DCS.4061", "Invalid instance ID.");
        return NULL;
    }
    const struct dcs_inst *in = dcs_find(p->iid);
    if (in == NULL)
        dcs_error(resp, 404, "DCS.3022", "The instance does not exist.");
    return in;
}

void dcs_handle(struct emu_req *req, struct emu_resp *resp)
{
    struct dcs_path p;
    if (parse_path(req->path, &p) != 0) {
        dcs_error(resp, 404, "DCS.4001", "URL does not exist.");
        return;
    }
    int dl = strcmp(p.action, "ssl") != 0;
    if (!req_method_is(req, dl ? "POST" : "GET")) {
        dcs_error(resp, 405, "DCS.4005", "The method is not allowed.");
        return;
    }
    const struct dcs_inst *in = checked_instance(req, &p, resp);
    if (in == NULL)
        return;
    if (dl)
        download(in, resp);
    else
        ssl_info(in, resp);
}
