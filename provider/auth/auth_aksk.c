/*
 * auth_aksk.c: auth=aksk, signing each request with a static access key
 * pair (SDK-HMAC-SHA256, see signer.c). hwc_auth_sign is also how the
 * metadata method uses its temporary keys.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "auth/auth_internal.h"
#include "auth/signer.h"

/* The path of base_url ("https://h/prefix") followed by path: what goes
 * on the request line, hence what is signed. */
static char *request_path(const char *base_url, const char *path)
{
    const char *p = strstr(base_url, "://");
    hwc_buf b = {0};
    size_t n;

    p = p != NULL ? p + 3 : base_url;
    p += strcspn(p, "/");
    n = strlen(p);
    while (n > 0 && p[n - 1] == '/') {
        n--;
    }
    if (!hwc_buf_append(&b, p, n) || !hwc_buf_append_str(&b, path) ||
        hwc_buf_cstr(&b) == NULL) {
        hwc_buf_free(&b);
        hwc_raise(HWC_R_MALLOC, "building a request path");
        return NULL;
    }
    return (char *)hwc_buf_steal(&b, NULL);
}

/* The project of a project service's call: its own, else the region's
 * (discovered once: a path with a project did that already; CodeArts has
 * none in its path). */
static const char *call_project(hwc_auth *a, const hwc_call *c)
{
    const char *region = hwc_auth_call_region(a, c);
    const char *id;
    hwc_call ic;
    char *url;

    if (c->project_id != NULL) {
        return c->project_id;
    }
    if (region == NULL) {
        hwc_raise(HWC_R_CONFIG,
                  "%s: signing with AK/SK needs the project: set project_id "
                  "or region",
                  c->what);
        return NULL;
    }
    if ((id = hwc_auth_project_lookup(a, region)) != NULL ||
        (url = hwc_auth_iam_call(a, c, &ic)) == NULL) {
        return id;
    }
    id = hwc_auth_project_id(a, &ic, region);
    OPENSSL_free(url);
    return id;
}

/*
 * Exactly one scope header, as the SDKs send with AK/SK: X-Domain-Id for a
 * global service (SCM), X-Project-Id for the others; IAM's own calls (the
 * discovery of both) carry none. 0 with an error when it cannot be found.
 */
static int scope_header(hwc_auth *a, const hwc_call *c, hwc_header *out)
{
    out->name = NULL;
    if (c->service == HWC_SVC_IAM) {
        return 1;
    }
    if (hwc_service_is_global(c->service)) {
        out->value = c->domain_id ? c->domain_id : hwc_auth_domain_id(a, c);
        out->name = "X-Domain-Id";
    } else {
        out->value = call_project(a, c);
        out->name = "X-Project-Id";
    }
    return out->value != NULL;
}

static int add_signed(hwc_hdrs *h, const hwc_header *sh, size_t n,
                      const char *authz)
{
    for (size_t i = 0; i < n; i++) {
        if (!hwc_hdrs_add(h, sh[i].name, sh[i].value)) {
            return 0;
        }
    }
    return hwc_hdrs_add(h, "Authorization", authz);
}

/* Signs exactly the headers that are then sent, over the exact body. */
int hwc_auth_sign(hwc_auth *a, const hwc_call *c, const char *host,
                  const char *path, const unsigned char *body, size_t len,
                  const struct hwc_auth_keys *k, hwc_hdrs *h)
{
    char date[17];
    hwc_header sh[4];
    size_t n = 0;
    char *full = request_path(c->base_url, path), *authz = NULL;
    hwc_sign_input in;
    int ok;

    if (full == NULL || !scope_header(a, c, &sh[2])) {
        OPENSSL_free(full);
        return 0;
    }
    hwc_sdk_date(hwc_auth_now(), date);
    sh[n++] = (hwc_header){"Host", host};
    sh[n++] = (hwc_header){"X-Sdk-Date", date};
    n += sh[n].name != NULL;
    if (k->security_token != NULL) {
        sh[n++] = (hwc_header){"X-Security-Token", k->security_token};
    }
    in = (hwc_sign_input){c->method, full, c->query, sh, n, body, len};
    authz = hwc_aksk_authorization(k->ak, k->sk, &in);
    ok = authz != NULL && add_signed(h, sh, n, authz);
    hwc_secret_free(authz);
    OPENSSL_free(full);
    return ok;
}

static int aksk_configured(const hwc_settings *st)
{
    return hwc_get(st, HWC_S_ACCESS_KEY) != NULL ||
           hwc_get(st, HWC_S_SECRET_KEY) != NULL ||
           hwc_get(st, HWC_S_SECRET_KEY_FILE) != NULL;
}

static int aksk_init(hwc_auth *a)
{
    if (!hwc_auth_read_secret(a, HWC_S_SECRET_KEY, HWC_S_SECRET_KEY_FILE,
                              &a->sk)) {
        return 0;
    }
    if (hwc_get(a->st, HWC_S_ACCESS_KEY) == NULL || a->sk == NULL) {
        hwc_raise(HWC_R_AUTH,
                  "auth=aksk needs access_key and secret_key or "
                  "secret_key_file (HWCLOUD_ACCESS_KEY/HUAWEICLOUD_SDK_AK, "
                  "HWCLOUD_SECRET_KEY[_FILE]/HUAWEICLOUD_SDK_SK); missing:%s",
                  hwc_get(a->st, HWC_S_ACCESS_KEY) ? " secret_key"
                                                   : " access_key");
        return 0;
    }
    a->ak = OPENSSL_strdup(hwc_get(a->st, HWC_S_ACCESS_KEY));
    return a->ak != NULL;
}

static int aksk_apply(hwc_auth *a, const hwc_call *c, const char *host,
                      const char *path, const unsigned char *body, size_t len,
                      hwc_hdrs *h)
{
    struct hwc_auth_keys k = {a->ak, a->sk,
                              hwc_get(a->st, HWC_S_SECURITY_TOKEN)};

    return hwc_auth_sign(a, c, host, path, body, len, &k, h);
}

/* A fixed key pair cannot be renewed: say what to check. */
static int aksk_refresh(hwc_auth *a, const hwc_call *c, int expired)
{
    (void)expired;
    hwc_raise(HWC_R_AUTH,
              "%s: the service refused the AK/SK signature of access key %s: "
              "check that secret_key belongs to it%s",
              c->what, a->ak,
              hwc_get(a->st, HWC_S_SECURITY_TOKEN)
                  ? " and that security_token has not expired"
                  : "");
    return 0;
}

const struct method hwc_auth_by_aksk = {
    "aksk", aksk_init, aksk_apply, aksk_refresh, aksk_configured, NULL, NULL,
};
