/* keystore.c: KMS dedicated keystores: POST/GET /v1.0/{p}/keystores,
 * GET/DELETE /v1.0/{p}/keystores/{id}, POST .../{id}/enable|disable, and
 * the fixture keystore (EMU_KMS_KEYSTORE) that some fixture keys use. */
#include "kms.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#define UUID_RE "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"

struct keystore {
    char id[37];
    char alias[256];
    char type[8];
    char hsm_cluster_id[256];
    long long created_ms;
    int deleted;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct keystore *stores;
static size_t nstores;

static struct keystore *add_store(const char *alias, const char *type,
                                  const char *cluster)
{
    stores = realloc(stores, (nstores + 1) * sizeof(*stores));
    if (stores == NULL)
        abort();
    struct keystore *s = &stores[nstores++];
    memset(s, 0, sizeof(*s));
    emu_uuid(s->id);
    snprintf(s->alias, sizeof(s->alias), "%s", alias);
    snprintf(s->type, sizeof(s->type), "%s", type);
    snprintf(s->hsm_cluster_id, sizeof(s->hsm_cluster_id), "%s", cluster);
    s->created_ms = emu_now_ms();
    return s;
}

static char fixture_id[37];

const char *keystore_fixture_id(void)
{
    return fixture_id;
}

int keystore_fixtures_init(FILE *env)
{
    char cluster[37];
    emu_uuid(cluster);
    struct keystore *s = add_store("emu-dhsm-keystore", "DHSM", cluster);
    memcpy(fixture_id, s->id, sizeof(fixture_id));
    fprintf(env, "EMU_KMS_KEYSTORE=%s\n", fixture_id);
    return 0;
}

int keystore_has_keys(const char *id)
{
    for (size_t i = 0; i < kms_key_count(); i++)
        if (strcmp(kms_key_at(i)->keystore_id, id) == 0)
            return 1;
    return 0;
}

static json_t *details(const struct keystore *s)
{
    char created[24];
    snprintf(created, sizeof(created), "%lld", s->created_ms);
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "keystore_id", s->id,
                     "domain_id", g_emu.domain_id, "keystore_alias", s->alias,
                     "keystore_type", s->type, "hsm_cluster_id",
                     s->hsm_cluster_id, "cluster_id", "", "create_time",
                     created);
}

/* caller holds lock */
static struct keystore *find(const char *id, int by_alias)
{
    for (size_t i = 0; i < nstores; i++) {
        struct keystore *s = &stores[i];
        const char *v = by_alias == 1   ? s->alias
                        : by_alias == 2 ? s->hsm_cluster_id
                                        : s->id;
        if (!s->deleted && strcmp(v, id) == 0)
            return s;
    }
    return NULL;
}

static int cert_ok(const char *pem)
{
    BIO *b = BIO_new_mem_buf(pem, -1);
    X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
    BIO_free(b);
    X509_free(x);
    return x != NULL;
}

static const char *create_error(json_t *body, const char **code)
{
    const char *alias =
        json_string_value(json_object_get(body, "keystore_alias"));
    const char *cl = json_string_value(json_object_get(body, "hsm_cluster_id"));
    const char *ca = json_string_value(json_object_get(body, "hsm_ca_cert"));
    const char *type =
        json_string_value(json_object_get(body, "keystore_type"));
    *code = "KMS.0204";
    if (alias == NULL || cl == NULL || ca == NULL)
        return "Missing parameter: keystore_alias, hsm_cluster_id or "
               "hsm_ca_cert.";
    *code = "KMS.0308";
    if (!emu_match_re(alias, "^[a-zA-Z0-9:/_-]{1,255}$"))
        return "Invalid keystore_alias.";
    if (strlen(cl) == 0 || strlen(cl) > 255)
        return "Invalid hsm_cluster_id.";
    if (type != NULL && strcmp(type, "DEFAULT") && strcmp(type, "DHSM") &&
        strcmp(type, "CDMS"))
        return "Invalid keystore_type.";
    if (!cert_ok(ca))
        return "Invalid hsm_ca_cert: not an X.509 PEM certificate.";
    if (find(alias, 1) != NULL)
        return "The keystore alias already exists.";
    if (find(cl, 2) != NULL)
        return "The HSM cluster already has a dedicated keystore.";
    return NULL;
}

static void create(struct emu_req *req, struct emu_resp *resp)
{
    json_t *body = req_json(req);
    if (body == NULL) {
        kms_error(resp, 400, "KMS.0202",
                  "The request body is not valid "
                  "JSON.");
        return;
    }
    const char *code;
    pthread_mutex_lock(&lock);
    const char *err = create_error(body, &code);
    if (err != NULL) {
        kms_error(resp, 400, code, err);
    } else {
        const char *type =
            json_string_value(json_object_get(body, "keystore_type"));
        struct keystore *s = add_store(
            json_string_value(json_object_get(body, "keystore_alias")),
            type != NULL ? type : "DHSM",
            json_string_value(json_object_get(body, "hsm_cluster_id")));
        resp_json(resp, 200,
                  json_pack("{s:{s:s,s:s}}", "keystore", "keystore_id", s->id,
                            "domain_id", g_emu.domain_id));
    }
    pthread_mutex_unlock(&lock);
    json_decref(body);
}

static long qnum(struct emu_req *req, const char *name, long dflt, long hi)
{
    const char *v = req_arg(req, name);
    if (v == NULL)
        return dflt;
    char *end;
    long n = strtol(v, &end, 10);
    return *v == '\0' || *end != '\0' || n < 0 || n > hi ? -1 : n;
}

static void list(struct emu_req *req, struct emu_resp *resp)
{
    long limit = qnum(req, "limit", 10, 1000);
    long offset = qnum(req, "offset", 0, 100000000);
    if (limit < 1 || offset < 0) {
        kms_error(resp, 400, "KMS.0308", "Invalid limit or offset.");
        return;
    }
    json_t *arr = json_array();
    long total = 0;
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < nstores; i++) {
        if (stores[i].deleted)
            continue;
        if (total >= offset && total < offset + limit)
            json_array_append_new(arr, details(&stores[i]));
        total++;
    }
    pthread_mutex_unlock(&lock);
    resp_json(
        resp, 200,
        json_pack("{s:I,s:o}", "total", (json_int_t)total, "keystores", arr));
}

static void one(struct emu_req *req, struct emu_resp *resp, const char *id,
                const char *action)
{
    pthread_mutex_lock(&lock);
    struct keystore *s = emu_match_re(id, UUID_RE) ? find(id, 0) : NULL;
    if (s == NULL) {
        kms_error(resp, 404, "KMS.0207", "The keystore does not exist.");
    } else if (*action != '\0') {
        resp_json(resp, 200, json_pack("{s:o}", "keystore", details(s)));
    } else if (req_method_is(req, "GET")) {
        resp_json(resp, 200, json_pack("{s:o}", "keystore", details(s)));
    } else if (keystore_has_keys(s->id)) {
        kms_error(resp, 400, "KMS.0308", "The keystore still holds keys.");
    } else {
        s->deleted = 1;
        resp_body(resp, 200, NULL, NULL, 0);
    }
    pthread_mutex_unlock(&lock);
}

static int method_ok(struct emu_req *req, const char *action, int top)
{
    if (top)
        return req_method_is(req, "POST") || req_method_is(req, "GET");
    if (*action != '\0')
        return req_method_is(req, "POST");
    return req_method_is(req, "GET") || req_method_is(req, "DELETE");
}

void keystore_handle(struct emu_req *req, struct emu_resp *resp,
                     const char *rest)
{
    int top = *rest == '\0';
    char id[64] = "";
    const char *action = "";
    if (!top) {
        const char *slash = strchr(rest + 1, '/');
        size_t n = slash ? (size_t)(slash - rest - 1) : strlen(rest + 1);
        snprintf(id, sizeof(id), "%.*s", (int)(n < 63 ? n : 63), rest + 1);
        action = slash ? slash : "";
        if (*action && strcmp(action, "/enable") &&
            strcmp(action, "/disable")) {
            resp_err(resp, SVC_NONE, 404, "APIG.0101",
                     "The API does not exist or has not been published in "
                     "the environment");
            return;
        }
    }
    if (!method_ok(req, action, top))
        kms_error(resp, 405, "KMS.0215", "The method is not supported.");
    else if (top && req_method_is(req, "POST"))
        create(req, resp);
    else if (top)
        list(req, resp);
    else
        one(req, resp, id, action);
}
