/* auth.c: authentication of service requests (X-Auth-Token or AK/SK)
 * with each service's own error codes and envelope. */
#include "emu.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum auth_fail { FAIL_MISSING, FAIL_INVALID, FAIL_EXPIRED };

enum emu_auth auth_classify(const struct emu_req *req)
{
    if (req_header(req, "Authorization") != NULL)
        return AUTH_AKSK;
    if (req_header(req, "X-Auth-Token") != NULL)
        return AUTH_TOKEN;
    return AUTH_NONE;
}

static void token_error(struct emu_resp *r, enum emu_svc svc, enum auth_fail f)
{
    static const char *const kms[] = {"KMS.0301", "KMS.0301", "KMS.0303"};
    static const char *const dcs[] = {"DCS.1003", "DCS.1001", "DCS.1002"};
    static const char *const scm[] = {"SCM.0301", "SCM.0301", "SCM.0303"};
    static const char *const msg[] = {"The X-Auth-Token is missing.",
                                      "The X-Auth-Token is invalid.",
                                      "The X-Auth-Token has expired."};
    static const char *const apig[] = {
        "Incorrect IAM authentication information: x-auth-token not found",
        "Incorrect IAM authentication information: decrypt token fail",
        "Incorrect IAM authentication information: token expired"};
    switch (svc) {
    case SVC_KMS:
        resp_err(r, svc, 401, kms[f], msg[f]);
        break;
    case SVC_DCS:
        resp_err(r, svc, 401, dcs[f], msg[f]);
        break;
    case SVC_SCM:
        resp_err(r, svc, 401, scm[f], msg[f]);
        break;
    case SVC_IAM:
        resp_err(r, svc, 401, "401",
                 "The request you have made requires authentication.");
        break;
    default:
        resp_err(r, SVC_NONE, 401, "APIG.0301", apig[f]);
        break;
    }
}

static void aksk_error(struct emu_resp *r, const char *why)
{
    char *m = emu_printf("Incorrect IAM authentication information: %s", why);
    resp_err(r, SVC_NONE, 401, "APIG.0301", m);
    free(m);
}

static char *access_key(const char *auth)
{
    const char *p = strstr(auth, "Access=");
    if (p == NULL)
        return NULL;
    p += 7;
    size_t n = strcspn(p, ", ");
    char *ak = malloc(n + 1);
    if (ak == NULL)
        abort();
    memcpy(ak, p, n);
    ak[n] = '\0';
    return ak;
}

static int check_sectoken(const struct emu_req *req, const char *want,
                          time_t expires, char *why, size_t whylen)
{
    const char *got = req_header(req, "X-Security-Token");
    if (want == NULL)
        return 0;
    if (got == NULL || strcmp(got, want) != 0) {
        snprintf(why, whylen, "verify security token fail");
        return -1;
    }
    if (expires <= time(NULL)) {
        snprintf(why, whylen, "the security token has expired");
        return -1;
    }
    return 0;
}

/* A global service (SCM) takes its scope from X-Domain-Id with AK/SK; the
 * SDK's global credentials always send it. */
static int global_scope_ok(const struct emu_req *req, struct emu_resp *resp,
                           enum emu_svc svc)
{
    const char *did = req_header(req, "X-Domain-Id");

    if (svc != SVC_SCM)
        return 0;
    if (did == NULL) {
        aksk_error(resp, "x-domain-id not found");
        return -1;
    }
    if (strcmp(did, g_emu.domain_id) != 0) {
        aksk_error(resp, "the x-domain-id does not match the access key");
        return -1;
    }
    return 0;
}

static int auth_aksk(struct emu_req *req, struct emu_resp *resp,
                     enum emu_svc svc)
{
    const char *auth = req_header(req, "Authorization");
    char why[128] = "verify aksk signature fail";
    if (strncmp(auth, "SDK-HMAC-SHA256 ", 16) != 0) {
        aksk_error(resp, "unsupported signing algorithm");
        return -1;
    }
    char *ak = access_key(auth);
    const char *sectoken;
    time_t exp;
    const char *sk = ak != NULL ? aksk_secret_for(ak, &sectoken, &exp) : NULL;
    free(ak);
    if (sk == NULL) {
        aksk_error(resp, "get secretkey fail");
        return -1;
    }
    if (check_sectoken(req, sectoken, exp, why, sizeof(why)) != 0 ||
        aksk_verify(req, sk, why, sizeof(why)) != 0) {
        aksk_error(resp, why);
        return -1;
    }
    if (global_scope_ok(req, resp, svc) != 0)
        return -1;
    const char *pid = req_header(req, "X-Project-Id");
    snprintf(req->project_id, sizeof(req->project_id), "%s",
             pid != NULL ? pid : g_emu.project_id);
    return 0;
}

/* 0 when authenticated; otherwise RESP holds the service's 401 error. */
int auth_check(struct emu_req *req, struct emu_resp *resp, enum emu_svc svc)
{
    if (req_header(req, "Authorization") != NULL)
        return auth_aksk(req, resp, svc);
    const char *tok = req_header(req, "X-Auth-Token");
    if (tok == NULL) {
        token_error(resp, svc, FAIL_MISSING);
        return -1;
    }
    int r = token_check(tok, req->project_id);
    if (r != 0) {
        token_error(resp, svc, r > 0 ? FAIL_EXPIRED : FAIL_INVALID);
        return -1;
    }
    return 0;
}
