/*
 * client.c: per-object context for the service clients (see client.h).
 */
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "services/client.h"
#include "net/endpoint.h"

static const enum hwc_setting svc_endpoint[HWC_SVC_COUNT] = {
    [HWC_SVC_IAM] = HWC_S_IAM_ENDPOINT,
    [HWC_SVC_KMS] = HWC_S_KMS_ENDPOINT,
    [HWC_SVC_SCM] = HWC_S_SCM_ENDPOINT,
    [HWC_SVC_DCS] = HWC_S_DCS_ENDPOINT,
    [HWC_SVC_CODEARTS] = HWC_S_CODEARTS_ENDPOINT,
};

static int check_ca_file(const char *path)
{
    /* A ca_file that cannot be read must never mean "verify nothing". */
    if (access(path, R_OK) != 0) {
        hwc_raise(HWC_R_CONFIG, "ca_file %s cannot be read", path);
        return 0;
    }
    return 1;
}

hwc_client *hwc_client_new(const hwc_settings *st, hwc_auth *auth,
                           const char *what)
{
    hwc_client *cl = OPENSSL_zalloc(sizeof(*cl));
    const char *ca = hwc_get(st, HWC_S_CA_FILE);

    if (cl == NULL || (cl->st = hwc_settings_dup(st)) == NULL ||
        (cl->what = OPENSSL_strdup(what)) == NULL ||
        (ca != NULL && (cl->ca_file = OPENSSL_strdup(ca)) == NULL)) {
        hwc_client_free(cl);
        hwc_raise(HWC_R_MALLOC, "allocating a client");
        return NULL;
    }
    cl->refs = 1;
    if (cl->ca_file != NULL && !check_ca_file(cl->ca_file)) {
        hwc_client_free(cl);
        return NULL;
    }
    cl->auth = auth;
    cl->http.ca_file = cl->ca_file;
    cl->http.timeout_ms = hwc_get_long(st, HWC_S_TIMEOUT, 30) * 1000;
    cl->http.connect_timeout_ms =
        hwc_get_long(st, HWC_S_CONNECT_TIMEOUT, 10) * 1000;
    cl->http.max_body = HWC_MAX_API_BODY;
    cl->http.proxy = hwc_get(cl->st, HWC_S_PROXY);
    cl->http.max_connections = hwc_get_long(st, HWC_S_MAX_CONNECTIONS, 64);
    cl->retries = (int)hwc_get_long(st, HWC_S_RETRIES, 3);
    /* Retries share the request timeout with a floor that leaves room for
     * a Retry-After or two. */
    cl->deadline_ms = cl->http.timeout_ms > 10000 ? cl->http.timeout_ms : 10000;
    return cl;
}

hwc_client *hwc_client_up_ref(hwc_client *cl)
{
    if (cl != NULL) {
        __atomic_add_fetch(&cl->refs, 1, __ATOMIC_RELAXED);
    }
    return cl;
}

void hwc_client_free(hwc_client *cl)
{
    if (cl == NULL ||
        (cl->refs > 0 &&
         __atomic_sub_fetch(&cl->refs, 1, __ATOMIC_ACQ_REL) > 0)) {
        return;
    }
    hwc_settings_free(cl->st);
    OPENSSL_free(cl->what);
    OPENSSL_free(cl->ca_file);
    OPENSSL_clear_free(cl, sizeof(*cl));
}

static char *strip_slash(char *url)
{
    size_t n = strlen(url);

    while (n > 0 && url[n - 1] == '/') {
        url[--n] = '\0';
    }
    return url;
}

char *hwc_client_base_url(const hwc_client *cl, enum hwc_service svc)
{
    const char *v = hwc_get(cl->st, svc_endpoint[svc]);
    const char *cloud = hwc_get(cl->st, HWC_S_CLOUD);
    const char *region = hwc_get(cl->st, HWC_S_REGION);
    char *url;

    if (v == NULL) {
        v = hwc_get(cl->st, HWC_S_ENDPOINT);
    }
    if (v != NULL) {
        if ((url = OPENSSL_strdup(v)) == NULL) {
            hwc_raise(HWC_R_MALLOC, "copying an endpoint");
        }
        return url ? strip_slash(url) : NULL;
    }
    if (region == NULL) {
        hwc_raise(HWC_R_CONFIG,
                  "%s: no endpoint for %s: set region (HWCLOUD_REGION), "
                  "endpoint or %s_endpoint",
                  cl->what, hwc_service_name(svc), hwc_service_name(svc));
        return NULL;
    }
    return hwc_endpoint_default(cloud != NULL && strcmp(cloud, "otc") == 0
                                    ? HWC_CLOUD_OTC
                                    : HWC_CLOUD_HUAWEI,
                                region, svc);
}

/* Configured, else discovered from the region through IAM (once per
 * process: the auth remembers it). */
const char *hwc_client_project(const hwc_client *cl)
{
    const char *p = hwc_get(cl->st, HWC_S_PROJECT_ID);
    const char *region = hwc_get(cl->st, HWC_S_REGION);
    char *iam;
    hwc_call c;

    if (p != NULL) {
        return p;
    }
    if (region == NULL || cl->auth == NULL) {
        hwc_raise(HWC_R_CONFIG,
                  "%s: project_id is not set (openssl.cnf project_id, "
                  "HWCLOUD_PROJECT_ID, or ?project_id= in the URI), and no "
                  "region to discover it from",
                  cl->what);
        return NULL;
    }
    if ((iam = hwc_client_base_url(cl, HWC_SVC_IAM)) == NULL) {
        return NULL;
    }
    hwc_client_prepare(cl, &c, HWC_SVC_IAM, "GET", iam, "/v3/projects");
    p = hwc_auth_project_id(cl->auth, &c, region);
    OPENSSL_free(iam);
    return p;
}

const char *hwc_client_domain(const hwc_client *cl)
{
    const char *d = hwc_get(cl->st, HWC_S_DOMAIN_ID);
    hwc_call c;

    if (d != NULL) {
        return d;
    }
    if (cl->auth == NULL) {
        hwc_raise(HWC_R_CONFIG,
                  "%s: domain_id is not set (openssl.cnf domain_id or "
                  "HWCLOUD_DOMAIN_ID), and no credentials to discover it with",
                  cl->what);
        return NULL;
    }
    hwc_client_prepare(cl, &c, HWC_SVC_IAM, "GET", NULL, NULL);
    return hwc_auth_domain_id(cl->auth, &c);
}

void hwc_client_prepare(const hwc_client *cl, hwc_call *c, enum hwc_service svc,
                        const char *method, const char *base_url,
                        const char *path)
{
    memset(c, 0, sizeof(*c));
    c->what = cl->what;
    c->service = svc;
    c->method = method;
    c->base_url = base_url;
    c->path = path;
    c->project_id = hwc_get(cl->st, HWC_S_PROJECT_ID);
    c->domain_id = hwc_get(cl->st, HWC_S_DOMAIN_ID);
    c->region = hwc_get(cl->st, HWC_S_REGION);
    c->http = &cl->http;
    c->retries = cl->retries;
    c->deadline_ms = cl->deadline_ms;
    c->auth_ops = &hwc_auth_ops_default;
    c->auth = cl->auth;
}
