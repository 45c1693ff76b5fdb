/* metadata.c: the ECS metadata service on the plain-HTTP listener:
 * PUT /meta-data/latest/api/token and GET /openstack/latest/securitykey
 * (temporary AK/SK + security token). Anything else is 404. */
#include "emu.h"

#include <stdlib.h>
#include <string.h>

#define MAX_META_TOKENS 256

struct meta_token {
    char tok[57];
    time_t expires;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct meta_token tokens[MAX_META_TOKENS];
static size_t next_slot;

static void text(struct emu_resp *resp, int status, const char *s)
{
    resp_body(resp, status, "text/plain", emu_strdup(s), strlen(s));
}

static void issue_token(struct emu_req *req, struct emu_resp *resp)
{
    const char *ttl = req_header(req, "X-Metadata-Token-Ttl-Seconds");
    char *end = NULL;
    long t = ttl != NULL ? strtol(ttl, &end, 10) : 0;
    if (ttl == NULL || *ttl == '\0' || *end != '\0' || t < 1 || t > 21600) {
        text(resp, 400,
             "Bad Request: X-Metadata-Token-Ttl-Seconds must be "
             "1..21600\n");
        return;
    }
    pthread_mutex_lock(&lock);
    struct meta_token *m = &tokens[next_slot++ % MAX_META_TOKENS];
    emu_rand_hex(m->tok, 56);
    m->expires = time(NULL) + t;
    text(resp, 200, m->tok);
    pthread_mutex_unlock(&lock);
}

static int token_valid(const char *tok)
{
    int ok = 0;
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < MAX_META_TOKENS && !ok; i++)
        ok = tokens[i].tok[0] != '\0' && strcmp(tokens[i].tok, tok) == 0 &&
             tokens[i].expires > time(NULL);
    pthread_mutex_unlock(&lock);
    return ok;
}

static void securitykey(struct emu_req *req, struct emu_resp *resp)
{
    const char *tok = req_header(req, "X-Metadata-Token");
    if (!g_meta_tokenless && (tok == NULL || !token_valid(tok))) {
        text(resp, 401, "Unauthorized: missing or invalid X-Metadata-Token\n");
        return;
    }
    char *secret, *sectoken;
    time_t exp;
    char *ak = aksk_temp_issue(g_emu.token_lifetime, &secret, &sectoken, &exp);
    char *e = emu_iso_time(exp);
    resp_json(resp, 200,
              json_pack("{s:{s:s,s:s,s:s,s:s}}", "credential", "access", ak,
                        "secret", secret, "securitytoken", sectoken,
                        "expires_at", e));
    free(ak);
    free(secret);
    free(sectoken);
    free(e);
}

void metadata_handle(struct emu_req *req, struct emu_resp *resp)
{
    int is_token = strcmp(req->path, "/meta-data/latest/api/token") == 0;
    int is_key = strcmp(req->path, "/openstack/latest/securitykey") == 0;
    if (!is_token && !is_key) {
        text(resp, 404, "Not Found\n");
        return;
    }
    if (!req_method_is(req, is_token ? "PUT" : "GET")) {
        text(resp, 405, "Method Not Allowed\n");
        return;
    }
    if (is_token)
        issue_token(req, resp);
    else
        securitykey(req, resp);
}
