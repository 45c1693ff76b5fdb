/* strict.c: the form of a request as the real services judge it. What they
 * refuse is refused here (a Content-Type that is not JSON); what the
 * official SDKs never send but a service might let pass (no Content-Type,
 * Accept: application/json on a file download, a missing or extra scope
 * header with AK/SK, a keystore create without its type) is flagged: the flags
 * go to the request log and to GET /_emu/stats, where the test helpers fail on
 * them. */
#include "emu.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The services behind the API gateway (not OBS, not the metadata host). */
static int is_api(enum emu_svc svc)
{
    return svc == SVC_IAM || svc == SVC_KMS || svc == SVC_SCM ||
           svc == SVC_DCS || svc == SVC_CODEARTS;
}

/* application/json, with or without parameters (;charset=UTF-8). */
static int is_json_type(const char *ct)
{
    size_t n = strlen("application/json");

    while (*ct == ' ')
        ct++;
    return strncasecmp(ct, "application/json", n) == 0 &&
           (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

int strict_reject(const struct emu_req *req, struct emu_resp *resp,
                  enum emu_svc svc)
{
    const char *ct = req_header(req, "Content-Type");

    if (!is_api(svc))
        return 0;
    if ((ct != NULL && !is_json_type(ct)) || (ct == NULL && req->body_len)) {
        char *m = emu_printf("Unsupported Content-Type '%s': the API takes "
                             "application/json.",
                             ct != NULL ? ct : "(none)");
        resp_err(resp, svc, 415, "EMU.0415", m);
        free(m);
        return 1;
    }
    return 0;
}

static void flag(json_t *flags, const char *what)
{
    json_array_append_new(flags, json_string(what));
}

static int is_download(const struct emu_req *req, enum emu_svc svc)
{
    return svc == SVC_OBS ||
           (svc == SVC_CODEARTS && strcmp(req->path, "/v3/keystore") == 0);
}

static void flag_accept(const struct emu_req *req, enum emu_svc svc,
                        json_t *flags)
{
    const char *acc = req_header(req, "Accept");

    if (acc != NULL && is_download(req, svc) && is_json_type(acc))
        flag(flags, "Accept: application/json on a file download");
}

/* With AK/SK the SDKs send exactly one scope header: X-Domain-Id for the
 * global services (SCM), X-Project-Id for the others. IAM's own discovery
 * calls carry none. */
static void flag_scope(const struct emu_req *req, enum emu_svc svc,
                       json_t *flags)
{
    int pid = req_header(req, "X-Project-Id") != NULL;
    int did = req_header(req, "X-Domain-Id") != NULL;

    if (req->auth_kind != AUTH_AKSK || svc == SVC_IAM || !is_api(svc))
        return;
    if (pid && did)
        flag(flags, "both X-Project-Id and X-Domain-Id");
    else if (svc == SVC_SCM && !did)
        flag(flags, "AK/SK without X-Domain-Id on a global service");
    else if (svc != SVC_SCM && !pid)
        flag(flags, "AK/SK without X-Project-Id on a project service");
}

/* Keystore create names its type, as the SDK's model has it: DHSM for a
 * Dedicated HSM cluster. */
static void flag_keystore_type(const struct emu_req *req, enum emu_svc svc,
                               json_t *flags)
{
    const char *p = strstr(req->path, "/keystores");
    json_t *body;

    if (svc != SVC_KMS || !req_method_is(req, "POST") || p == NULL ||
        strcmp(p, "/keystores") != 0)
        return;
    body = req_json(req);
    if (body != NULL && json_object_get(body, "keystore_type") == NULL)
        flag(flags, "keystore create without keystore_type");
    json_decref(body);
}

json_t *strict_flags(const struct emu_req *req, enum emu_svc svc)
{
    json_t *flags = json_array();
    const char *ct = req_header(req, "Content-Type");

    if (is_api(svc) && ct == NULL)
        flag(flags, "no Content-Type on an API call");
    else if (is_api(svc) && !is_json_type(ct))
        flag(flags, "Content-Type is not application/json");
    flag_accept(req, svc, flags);
    flag_scope(req, svc, flags);
    flag_keystore_type(req, svc, flags);
    return flags;
}
