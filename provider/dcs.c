/*
 * dcs.c: the DCS client. The download call answers with a presigned OBS
 * link; the file is fetched with a plain GET that carries no credentials
 * (the signature is in the link), over https only, verified against the
 * system store plus ca_file.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "dcs.h"

int hwc_dcs_parse_link(const char *what, json_t *resp, char **link)
{
    const char *v = NULL;
    json_error_t err;

    *link = NULL;
    if (json_unpack_ex(resp, &err, 0, "{s:s}", "link", &v) != 0) {
        hwc_raise(NULL, HWC_R_BAD_RESPONSE,
                  "%s: ssl-certs/download answer lacks %s", what, err.text);
        return 0;
    }
    if ((*link = OPENSSL_strdup(v)) == NULL) {
        hwc_raise(NULL, HWC_R_MALLOC, "%s: copying the link", what);
        return 0;
    }
    return 1;
}

static int get_link(const hwc_client *cl, const char *instance_id, char **link)
{
    const char *project = hwc_client_project(cl);
    char *base = project ? hwc_client_base_url(cl, HWC_SVC_DCS) : NULL;
    json_t *resp = NULL;
    char path[200];
    hwc_call c;
    int ok = 0;

    if (base == NULL) {
        return 0;
    }
    snprintf(path, sizeof(path), "/v2/%s/instances/%s/ssl-certs/download",
             project, instance_id);
    hwc_client_prepare(cl, &c, HWC_SVC_DCS, "POST", base, path);
    if (hwc_call_json(&c, &resp)) {
        ok = hwc_dcs_parse_link(cl->what, resp, link);
        json_decref(resp);
    }
    OPENSSL_free(base);
    return ok;
}

static int download(const hwc_client *cl, const char *link,
                    unsigned char **data, size_t *len)
{
    hwc_http_opts o = cl->http;
    hwc_http_resp r;
    hwc_call c;

    /* Checked here, before a byte is sent: libcurl would refuse other
     * schemes too, but the error should say why. */
    if (strncmp(link, "https://", 8) != 0) {
        hwc_raise(NULL, HWC_R_BAD_RESPONSE,
                  "%s: refusing download link that is not https://", cl->what);
        return 0;
    }
    o.follow_redirects = 1;
    o.add_system_ca = 1;
    o.max_body = HWC_MAX_DOWNLOAD;
    hwc_client_prepare(cl, &c, HWC_SVC_DCS, "GET", link, "");
    c.http = &o;
    c.auth_ops = NULL; /* presigned: no credentials may go to this host */
    c.auth = NULL;
    c.answer = HWC_ANSWER_PRESIGNED;
    if (!hwc_call_perform(&c, &r)) {
        return 0;
    }
    *data = hwc_buf_steal(&r.body, len);
    hwc_http_resp_free(&r);
    if (*data == NULL) {
        hwc_raise(NULL, HWC_R_MALLOC, "%s: keeping the download", cl->what);
        return 0;
    }
    return 1;
}

int hwc_dcs_download_ssl(const hwc_client *cl, const char *instance_id,
                         unsigned char **data, size_t *len)
{
    char *link = NULL;
    int ok;

    *data = NULL;
    *len = 0;
    if (!get_link(cl, instance_id, &link)) {
        return 0;
    }
    hwc_debug("DCS download link host: %.*s", (int)strcspn(link, "?"), link);
    ok = download(cl, link, data, len);
    OPENSSL_free(link);
    return ok;
}
