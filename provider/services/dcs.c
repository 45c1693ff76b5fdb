/*
 * dcs.c: the DCS client. The download call answers with a presigned OBS
 * link; the file is fetched with a plain GET that carries no credentials
 * (the signature is in the link), over https only, from an OBS host
 * (dcs_download_hosts), following no redirect, verified against the system
 * store plus ca_file. What the download host answers besides the file is
 * never read.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "services/dcs.h"

int hwc_dcs_parse_link(const char *what, json_t *resp, char **link)
{
    const char *v = NULL;
    json_error_t err;

    *link = NULL;
    if (json_unpack_ex(resp, &err, 0, "{s:s}", "link", &v) != 0) {
        hwc_raise(HWC_R_BAD_RESPONSE, "%s: ssl-certs/download answer lacks %s",
                  what, err.text);
        return 0;
    }
    if ((*link = OPENSSL_strdup(v)) == NULL) {
        hwc_raise(HWC_R_MALLOC, "%s: copying the link", what);
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

/* The host of an https:// link, lower-cased, port dropped; 0 when the
 * link has none, or user info (which could make "good.host@evil.host"
 * look like the good host to a reader). */
static int link_host(const char *link, char *host, size_t cap)
{
    const char *a = link + 8, *end;
    size_t n = strcspn(a, "/?#"), h;

    if (strncmp(link, "https://", 8) != 0 || n == 0 ||
        memchr(a, '@', n) != NULL) {
        return 0;
    }
    if (a[0] == '[') {
        end = memchr(a, ']', n);
        h = end != NULL ? (size_t)(end - a) + 1 : 0;
    } else {
        end = memchr(a, ':', n);
        h = end != NULL ? (size_t)(end - a) : n;
    }
    if (h == 0 || h >= cap) {
        return 0;
    }
    for (size_t i = 0; i < h; i++) {
        host[i] = (char)tolower((unsigned char)a[i]);
    }
    host[h] = '\0';
    return 1;
}

/* host is entry, or a subdomain of it (a leading '.' is the same). */
static int host_matches(const char *host, const char *entry, size_t elen)
{
    size_t hlen = strlen(host);

    if (elen > 0 && entry[0] == '.') {
        entry++, elen--;
    }
    if (elen == 0 || hlen < elen ||
        strncasecmp(host + hlen - elen, entry, elen) != 0) {
        return 0;
    }
    return hlen == elen || host[hlen - elen - 1] == '.';
}

int hwc_dcs_link_allowed(const char *link, const char *hosts, char *host,
                         size_t cap)
{
    const char *p = hosts != NULL ? hosts : HWC_DCS_DOWNLOAD_HOSTS;

    if (!link_host(link, host, cap)) {
        snprintf(host, cap, "(none)");
        return 0;
    }
    while (*(p += strspn(p, ", \t")) != '\0') {
        size_t n = strcspn(p, ", \t");

        if (host_matches(host, p, n)) {
            return 1;
        }
        p += n;
    }
    return 0;
}

static int download(const hwc_client *cl, const char *link,
                    unsigned char **data, size_t *len)
{
    const char *hosts = hwc_get(cl->st, HWC_S_DCS_DOWNLOAD_HOSTS);
    char host[256];
    hwc_http_opts o = cl->http;
    hwc_http_resp r;
    hwc_call c;

    /* Checked here, before a byte is sent: libcurl would refuse other
     * schemes too, but the error should say why. */
    if (strncmp(link, "https://", 8) != 0) {
        hwc_raise(HWC_R_BAD_RESPONSE,
                  "%s: refusing download link that is not https://", cl->what);
        return 0;
    }
    /* Only OBS: the answer must not send this process, or the CA it is
     * about to trust for Redis, to a host of someone else's choosing. */
    if (!hwc_dcs_link_allowed(link, hosts, host, sizeof(host))) {
        hwc_raise(HWC_R_NOT_PERMITTED,
                  "%s: refusing the download link to %s: not one of "
                  "dcs_download_hosts (%s)",
                  cl->what, host, hosts ? hosts : HWC_DCS_DOWNLOAD_HOSTS);
        return 0;
    }
    /* No redirect: it could lead to any host, past the check above. */
    o.follow_redirects = 0;
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
        hwc_raise(HWC_R_MALLOC, "%s: keeping the download", cl->what);
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
