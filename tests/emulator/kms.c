/* kms.c: KMS routing under /v1.0/{project_id}/, the common request checks
 * (method, auth, project, JSON body, key_id) and the get-publickey and
 * describe-key operations. */
#include "kms.h"

#include <stdlib.h>
#include <string.h>

#define KEY_ID_RE                                                              \
    "^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$"

void kms_error(struct emu_resp *resp, int status, const char *code,
               const char *msg)
{
    resp_err(resp, SVC_KMS, status, code, msg);
}

static int state_ok(const struct kms_key *k, struct emu_resp *resp)
{
    switch (k->state) {
    case 2:
        return 1;
    case 3:
        kms_error(resp, 400, "KMS.0209", "The key is disabled.");
        return 0;
    case 4:
        kms_error(resp, 400, "KMS.0210", "The key is pending deletion.");
        return 0;
    default:
        kms_error(resp, 400, "KMS.1301", "The key is not enabled.");
        return 0;
    }
}

const struct kms_key *kms_body_key(json_t *body, struct emu_resp *resp,
                                   int usable)
{
    json_t *v = json_object_get(body, "key_id");
    if (v == NULL || json_is_null(v)) {
        kms_error(resp, 400, "KMS.0204", "Missing parameter: key_id.");
        return NULL;
    }
    const char *id = json_string_value(v);
    if (id == NULL || !emu_match_re(id, KEY_ID_RE)) {
        kms_error(resp, 400, "KMS.0205", "Invalid key_id.");
        return NULL;
    }
    const struct kms_key *k = kms_key_find(id);
    if (k == NULL) {
        kms_error(resp, 404, "KMS.0207", "The key does not exist.");
        return NULL;
    }
    if (usable && !state_ok(k, resp))
        return NULL;
    return k;
}

static void get_publickey(json_t *body, struct emu_resp *resp)
{
    const struct kms_key *k = kms_body_key(body, resp, 1);
    if (k == NULL)
        return;
    if (k->pub_pem == NULL) {
        kms_error(resp, 400, "KMS.0331",
                  "The symmetric key does not support this operation.");
        return;
    }
    resp_json(
        resp, 200,
        json_pack("{s:s,s:s}", "key_id", k->id, "public_key", k->pub_pem));
}

static void describe_key(json_t *body, struct emu_resp *resp)
{
    const struct kms_key *k = kms_body_key(body, resp, 0);
    if (k != NULL)
        resp_json(resp, 200,
                  json_pack("{s:o}", "key_info", kms_key_details(k)));
}

struct kms_op {
    const char *name;
    void (*fn)(json_t *body, struct emu_resp *resp);
};

static const struct kms_op ops[] = {{"get-publickey", get_publickey},
                                    {"describe-key", describe_key},
                                    {"sign", kms_sign},
                                    {"verify", kms_verify},
                                    {"decrypt-data", kms_decrypt},
                                    {"encrypt-data", kms_encrypt},
                                    {"list-keys", kms_list_keys},
                                    {NULL, NULL}};

static int project_ok(struct emu_req *req, const char *pid, size_t pidlen,
                      struct emu_resp *resp)
{
    if (strlen(req->project_id) == pidlen &&
        strncmp(req->project_id, pid, pidlen) == 0)
        return 1;
    kms_error(resp, 403, "KMS.0321",
              "The project ID in the URI does not match the token.");
    return 0;
}

static void run_op(struct emu_req *req, struct emu_resp *resp,
                   const struct kms_op *op)
{
    json_t *body = req_json(req);
    if (body == NULL) {
        kms_error(resp, 400, "KMS.0202", "The request body is not valid JSON.");
        return;
    }
    op->fn(body, resp);
    json_decref(body);
}

static void not_found(struct emu_resp *resp)
{
    resp_err(resp, SVC_NONE, 404, "APIG.0101",
             "The API does not exist or has not been published in the "
             "environment");
}

void kms_handle(struct emu_req *req, struct emu_resp *resp)
{
    const char *pid = req->path + 6;
    const char *slash = strchr(pid, '/');
    if (slash == NULL) {
        not_found(resp);
        return;
    }
    const char *rest = slash + 1;
    const struct kms_op *op = NULL;
    int aliases = strcmp(rest, "kms/aliases") == 0;
    if (aliases && !g_emu.otc) {
        if (!req_method_is(req, "GET"))
            kms_error(resp, 405, "KMS.0215", "The method is not supported.");
        else if (auth_check(req, resp, SVC_KMS) == 0 &&
                 project_ok(req, pid, (size_t)(slash - pid), resp))
            kms_list_aliases(req, resp);
        return;
    }
    if (strncmp(rest, "kms/", 4) == 0)
        for (op = ops; op->name != NULL && strcmp(op->name, rest + 4); op++)
            ;
    /* OTC documents neither dedicated keystores nor the alias API. */
    int keystores = !g_emu.otc && strncmp(rest, "keystores", 9) == 0 &&
                    (rest[9] == '\0' || rest[9] == '/');
    if (!keystores && (op == NULL || op->name == NULL)) {
        not_found(resp);
        return;
    }
    if (!keystores && !req_method_is(req, "POST")) {
        kms_error(resp, 405, "KMS.0215", "The method is not supported.");
        return;
    }
    if (auth_check(req, resp, SVC_KMS) != 0 ||
        !project_ok(req, pid, (size_t)(slash - pid), resp))
        return;
    if (keystores)
        keystore_handle(req, resp, rest + 9);
    else
        run_op(req, resp, op);
}
