/* faults.c: the fault-injection queue behind POST /_emu/fault and the
 * responses that the answer-replacing fault actions produce. */
#include "emu.h"

#include <stdlib.h>
#include <string.h>

struct fault_node {
    char *match;
    long remaining;
    struct emu_fault f;
    struct fault_node *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct fault_node *head;

static const char *const actions[] = {
    "status",   "delay",       "truncate",         "malformed",
    "oversize", "reset",       "expire_token",     "wrong_shape",
    "nulls",    "drop_fields", "no_session_token", NULL};

int g_meta_tokenless;

static int valid_action(const char *a)
{
    for (size_t i = 0; actions[i] != NULL; i++)
        if (strcmp(actions[i], a) == 0)
            return 1;
    return 0;
}

/* The answer outlives the fault: Content-Types come from this table. */
static const char *known_ctype(const char *ct)
{
    static const char *const known[] = {"application/json;charset=UTF-8",
                                        "application/json",
                                        "text/plain",
                                        "text/html",
                                        "application/xml",
                                        "application/octet-stream",
                                        NULL};
    for (size_t i = 0; known[i] != NULL; i++)
        if (strcmp(known[i], ct) == 0)
            return known[i];
    return NULL;
}

static int parse_fault(json_t *spec, struct fault_node *n)
{
    const char *action = json_string_value(json_object_get(spec, "action"));
    const char *match = json_string_value(json_object_get(spec, "match"));
    json_t *count = json_object_get(spec, "count");
    if (action == NULL || !valid_action(action) ||
        strlen(action) >= sizeof(n->f.action))
        return -1;
    if (count != NULL &&
        (!json_is_integer(count) || json_integer_value(count) == 0))
        return -1;
    snprintf(n->f.action, sizeof(n->f.action), "%s", action);
    n->match = emu_strdup(match != NULL ? match : "");
    n->remaining = count != NULL ? (long)json_integer_value(count) : 1;
    json_t *st = json_object_get(spec, "status");
    n->f.status = st != NULL ? (int)json_integer_value(st) : 503;
    if (n->f.status < 100 || n->f.status > 599)
        n->f.status = 503;
    const char *body = json_string_value(json_object_get(spec, "body"));
    const char *file = json_string_value(json_object_get(spec, "body_file"));
    const char *ctype =
        json_string_value(json_object_get(spec, "content_type"));
    if (body != NULL && file != NULL)
        return -1;
    n->f.body = body != NULL ? emu_strdup(body) : NULL;
    n->f.body_len = body != NULL ? strlen(body) : 0;
    if (file != NULL &&
        (n->f.body = (char *)emu_read_file(file, &n->f.body_len)) == NULL)
        return -1;
    if (ctype != NULL && (n->f.ctype = known_ctype(ctype)) == NULL)
        return -1;
    json_t *h = json_object_get(spec, "headers");
    n->f.headers = json_is_object(h) ? json_incref(h) : NULL;
    json_t *fields = json_object_get(spec, "fields");
    if (fields != NULL && !json_is_array(fields))
        return -1;
    if (strcmp(action, "drop_fields") == 0 && json_array_size(fields) == 0)
        return -1;
    n->f.fields = fields != NULL ? json_incref(fields) : NULL;
    json_t *d = json_object_get(spec, "delay_ms");
    /* A delay fault sleeps 3 s unless told; any other fault sleeps only
     * when given delay_ms (a slow error answer). */
    n->f.delay_ms = d != NULL                      ? (long)json_integer_value(d)
                    : strcmp(action, "delay") == 0 ? 3000
                                                   : 0;
    if (n->f.delay_ms < 0 || n->f.delay_ms > 600000)
        n->f.delay_ms = 600000;
    json_t *sz = json_object_get(spec, "size");
    json_int_t size = sz != NULL ? json_integer_value(sz) : 104857600;
    n->f.size = size > 0 ? (uint64_t)size : 104857600;
    return 0;
}

int fault_add(json_t *spec, char *err, size_t errlen)
{
    struct fault_node *n = calloc(1, sizeof(*n));
    if (n == NULL)
        abort();
    if (!json_is_object(spec) || parse_fault(spec, n) != 0) {
        snprintf(err, errlen,
                 "need {\"action\": one of status, delay, "
                 "truncate, malformed, oversize, reset, "
                 "expire_token, wrong_shape, nulls, drop_fields (with "
                 "\"fields\"), no_session_token, \"match\", "
                 "\"count\" (not 0; negative = unlimited), \"body\" or "
                 "\"body_file\" (a readable file)}");
        free(n->match);
        fault_free(&n->f);
        free(n);
        return -1;
    }
    pthread_mutex_lock(&lock);
    struct fault_node **pp = &head;
    while (*pp != NULL)
        pp = &(*pp)->next;
    *pp = n;
    pthread_mutex_unlock(&lock);
    return 0;
}

static void node_free(struct fault_node *n)
{
    free(n->match);
    fault_free(&n->f);
    free(n);
}

static json_t *copy_json(const json_t *j)
{
    json_t *c;

    if (j == NULL)
        return NULL;
    if ((c = json_deep_copy(j)) == NULL)
        abort();
    return c;
}

int fault_take(const char *method, const char *path, struct emu_fault *out)
{
    char *key = emu_printf("%s %s", method, path);
    int found = 0;
    pthread_mutex_lock(&lock);
    for (struct fault_node **pp = &head; *pp != NULL; pp = &(*pp)->next) {
        struct fault_node *n = *pp;
        if (strstr(key, n->match) == NULL)
            continue;
        *out = n->f;
        out->body = NULL;
        if (n->f.body != NULL) {
            out->body = malloc(n->f.body_len + 1);
            if (out->body == NULL)
                abort();
            memcpy(out->body, n->f.body, n->f.body_len + 1);
        }
        /* Copies, not references: the answering threads free theirs
         * concurrently, and jansson's inline refcount check is a plain
         * read beside another thread's atomic decrement. */
        out->headers = copy_json(n->f.headers);
        out->fields = copy_json(n->f.fields);
        if (n->remaining > 0 && --n->remaining == 0) {
            *pp = n->next;
            node_free(n);
        }
        found = 1;
        break;
    }
    pthread_mutex_unlock(&lock);
    free(key);
    return found;
}

void fault_free(struct emu_fault *f)
{
    free(f->body);
    json_decref(f->headers);
    json_decref(f->fields);
    f->body = NULL;
    f->headers = NULL;
    f->fields = NULL;
}

void faults_reset(void)
{
    pthread_mutex_lock(&lock);
    while (head != NULL) {
        struct fault_node *n = head;
        head = n->next;
        node_free(n);
    }
    g_meta_tokenless = 0;
    pthread_mutex_unlock(&lock);
}

static void default_error(struct emu_resp *r, enum emu_svc svc, int status)
{
    if (status == 429) {
        resp_err(r, SVC_NONE, 429, "APIG.0308",
                 "The throttling threshold has been reached: policy user "
                 "over ratelimit,limit:100,time:1 minute");
        return;
    }
    const char *code = "APIG.0203";
    if (svc == SVC_KMS)
        code = status == 503 ? "KMS.0104" : "KMS.0100";
    else if (svc == SVC_DCS)
        code = "DCS.5010";
    else if (svc == SVC_SCM)
        code = "SCM.0500";
    resp_err(r, svc, status, code, "Injected fault from hwc-emulator.");
}

static void apply_status(const struct emu_fault *f, struct emu_resp *r,
                         enum emu_svc svc)
{
    if (f->body == NULL) {
        default_error(r, svc, f->status);
    } else {
        const char *ct = f->ctype != NULL ? f->ctype
                         : f->body[0] == '{' || f->body[0] == '['
                             ? "application/json;charset=UTF-8"
                             : "text/plain";
        char *copy = malloc(f->body_len + 1);
        if (copy == NULL)
            abort();
        memcpy(copy, f->body, f->body_len + 1);
        resp_body(r, f->status, ct, copy, f->body_len);
    }
    const char *k;
    json_t *v;
    json_object_foreach(f->headers, k, v)
    {
        if (json_is_string(v))
            resp_header(r, k, json_string_value(v));
    }
}

static const char wrong_shape[] =
    "{\"key_id\":12345,\"public_key\":null,\"signature\":false,"
    "\"signature_valid\":true,\"key_info\":\"2\",\"plain_text\":[],"
    "\"plain_text_base64\":{},\"keys\":\"x\",\"key_details\":{},"
    "\"truncated\":1,\"total\":\"many\",\"next_marker\":7,"
    "\"entire_certificate\":42,\"certificate\":null,"
    "\"certificate_chain\":[\"x\"],\"private_key\":{\"pem\":1},"
    "\"file_name\":null,\"link\":7,\"bucket_name\":[],\"token\":\"x\","
    "\"projects\":{\"id\":1},\"credential\":[1,2],\"certificates\":null,"
    "\"total_count\":\"x\",\"keystore\":[],\"keystores\":1,\"enabled\":\"y\"}";

void fault_apply_pre(const struct emu_fault *f, struct emu_resp *r,
                     enum emu_svc svc)
{
    const char *json = "application/json;charset=UTF-8";
    if (strcmp(f->action, "status") == 0) {
        apply_status(f, r, svc);
    } else if (strcmp(f->action, "malformed") == 0) {
        const char *b = "{\"key_id\":\"0d0466b0-e727-4d9c-b35d-f84bb474a37f"
                        "\",\"public_key\":\"-----BEGIN PUBLIC KEY-----\\n"
                        "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA";
        resp_body(r, 200, json, emu_strdup(b), strlen(b));
    } else if (strcmp(f->action, "wrong_shape") == 0) {
        resp_body(r, 200, json, emu_strdup(wrong_shape), strlen(wrong_shape));
    } else if (strcmp(f->action, "oversize") == 0) {
        resp_body(r, 200, json, NULL, 0);
        r->oversize = f->size > 0 ? f->size : 1;
    } else if (strcmp(f->action, "reset") == 0) {
        r->reset = 1;
    } else if (strcmp(f->action, "no_session_token") == 0) {
        /* The SDKs read 404, 405 and 503 here as "no token needed". */
        g_meta_tokenless = 1;
        resp_body(r, f->status, "text/plain", emu_strdup("Unavailable\n"), 12);
    }
}
