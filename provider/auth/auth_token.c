/*
 * auth_token.c: auth=token, a static IAM token sent as X-Auth-Token. It is
 * scoped to one project and cannot be renewed: a call for another project,
 * or a refused token, fails with an error that says what to configure.
 */
#include <string.h>

#include "auth/auth_internal.h"

static int token_configured(const hwc_settings *st)
{
    return hwc_get(st, HWC_S_TOKEN) != NULL ||
           hwc_get(st, HWC_S_TOKEN_FILE) != NULL;
}

static int token_init(hwc_auth *a)
{
    if (!hwc_auth_read_secret(a, HWC_S_TOKEN, HWC_S_TOKEN_FILE, &a->token)) {
        return 0;
    }
    if (a->token == NULL) {
        hwc_raise(HWC_R_AUTH,
                  "auth=token needs token, token_file, HWCLOUD_TOKEN or "
                  "HWCLOUD_TOKEN_FILE");
        return 0;
    }
    return 1;
}

static int token_apply(hwc_auth *a, const hwc_call *c, const char *host,
                       const char *path, const unsigned char *body, size_t len,
                       hwc_hdrs *h)
{
    const char *configured = hwc_get(a->st, HWC_S_PROJECT_ID);

    (void)host, (void)path, (void)body, (void)len;
    /* A token is scoped to one project: another project cannot work. */
    if (c->project_id != NULL && configured != NULL &&
        strcmp(c->project_id, configured) != 0) {
        hwc_raise(HWC_R_AUTH,
                  "%s: project_id %s differs from the configured project %s, "
                  "and a static token is scoped to one project",
                  c->what, c->project_id, configured);
        return 0;
    }
    return hwc_hdrs_add(h, "X-Auth-Token", a->token);
}

/* Expired only when the service said so: a token that is malformed,
 * revoked or of another account is refused, and a new one of the same
 * kind would not help. */
static int token_refresh(hwc_auth *a, const hwc_call *c, int expired)
{
    (void)a;
    if (expired) {
        hwc_raise(HWC_R_TOKEN_EXPIRED,
                  "%s: the configured token has expired: configure a new "
                  "token, or a login method that renews it (auth=password)",
                  c->what);
    } else {
        hwc_raise(HWC_R_TOKEN_REFUSED,
                  "%s: the configured token was refused (not a valid token, "
                  "revoked, or not for this account): configure a valid one",
                  c->what);
    }
    return 0;
}

const struct method hwc_auth_by_token = {
    "token",          token_init, token_apply, token_refresh,
    token_configured, NULL,       NULL,
};
