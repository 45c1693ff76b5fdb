/* kms_list.c: KMS list-keys with limit/marker paging and the key_spec and
 * key_state filters. */
#include "kms.h"

#include <stdlib.h>
#include <string.h>

static const char *const specs[] = {
    "AES_256", "SM4",     "RSA_2048", "RSA_3072", "RSA_4096",
    "EC_P256", "EC_P384", "SM2",      "ALL",      NULL};

/* body[name] as a decimal string in [lo, hi]; DFLT when absent */
static int num_param(json_t *body, const char *name, long lo, long hi,
                     long dflt, long *out)
{
    json_t *v = json_object_get(body, name);
    if (v == NULL || json_is_null(v)) {
        *out = dflt;
        return 0;
    }
    const char *s = json_string_value(v);
    char *end;
    long n = s != NULL ? strtol(s, &end, 10) : 0;
    if (s == NULL || *s == '\0' || *end != '\0' || n < lo || n > hi)
        return -1;
    *out = n;
    return 0;
}

/* Huawei Cloud lists AES_256 keys unless key_spec says otherwise; OTC's
 * list-keys has no key_spec (refused) and lists every key. */
static int spec_param(json_t *body, const char **spec)
{
    json_t *v = json_object_get(body, "key_spec");
    if (g_emu.otc) {
        *spec = "ALL";
        return v == NULL ? 0 : -1;
    }
    *spec = v == NULL || json_is_null(v) ? "AES_256" : json_string_value(v);
    for (size_t i = 0; *spec != NULL && specs[i] != NULL; i++)
        if (strcmp(specs[i], *spec) == 0)
            return 0;
    return -1;
}

static int key_matches(const struct kms_key *k, const char *spec, long state)
{
    if (strcmp(spec, "ALL") != 0 && strcmp(spec, k->spec) != 0)
        return 0;
    return state == 0 || state == k->state;
}

void kms_list_keys(json_t *body, struct emu_resp *resp)
{
    long limit, marker, state;
    const char *spec;
    if (num_param(body, "limit", 1, 2000, 2000, &limit) != 0 ||
        num_param(body, "marker", 0, 100000000, 0, &marker) != 0 ||
        num_param(body, "key_state", 1, 5, 0, &state) != 0 ||
        spec_param(body, &spec) != 0) {
        kms_error(resp, 400, "KMS.0308",
                  "Invalid parameter: limit, marker, key_state or key_spec.");
        return;
    }
    json_t *ids = json_array(), *details = json_array();
    long total = 0;
    for (size_t i = 0; i < kms_key_count(); i++) {
        const struct kms_key *k = kms_key_at(i);
        if (!key_matches(k, spec, state))
            continue;
        if (total >= marker && total < marker + limit) {
            json_array_append_new(ids, json_string(k->id));
            json_array_append_new(details, kms_key_details(k));
        }
        total++;
    }
    int truncated = marker + limit < total;
    char next[24] = "";
    if (truncated)
        snprintf(next, sizeof(next), "%ld", marker + limit);
    resp_json(resp, 200,
              json_pack("{s:o,s:o,s:s,s:s,s:I}", "keys", ids, "key_details",
                        details, "next_marker", next, "truncated",
                        truncated ? "true" : "false", "total",
                        (json_int_t)total));
}

/* GET /v1.0/{project_id}/kms/aliases?limit&marker&key_id: the aliases of
 * the alias API, paged with page_info.next_marker. */
void kms_list_aliases(struct emu_req *req, struct emu_resp *resp)
{
    const char *lim = req_arg(req, "limit"), *mark = req_arg(req, "marker");
    const char *key = req_arg(req, "key_id");
    char *lend = NULL, *mend = NULL;
    long limit = lim != NULL ? strtol(lim, &lend, 10) : 50;
    long marker = mark != NULL ? strtol(mark, &mend, 10) : 0;
    if ((lim != NULL &&
         (*lim == '\0' || *lend != '\0' || limit < 1 || limit > 50)) ||
        (mark != NULL && (*mark == '\0' || *mend != '\0' || marker < 0))) {
        kms_error(resp, 400, "KMS.0308", "Invalid parameter: limit or marker.");
        return;
    }
    json_t *arr = json_array();
    long seen = 0, shown = 0;
    for (size_t i = 0; i < kms_alias_count(); i++) {
        const struct kms_alias *a = kms_alias_at(i);
        if (key != NULL && strcmp(key, a->key_id) != 0)
            continue;
        if (seen++ < marker || shown >= limit)
            continue;
        char created[24], *urn = emu_printf("kms:%s:%s:alias:%s", g_emu.region,
                                            g_emu.domain_id, a->alias + 6);
        snprintf(created, sizeof(created), "%lld", a->created_ms);
        json_array_append_new(
            arr,
            json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "domain_id", g_emu.domain_id,
                      "key_id", a->key_id, "alias", a->alias, "alias_urn", urn,
                      "create_time", created, "update_time", created));
        free(urn);
        shown++;
    }
    char next[24] = "";
    if (marker + shown < seen)
        snprintf(next, sizeof(next), "%ld", marker + shown);
    resp_json(resp, 200,
              json_pack("{s:o,s:{s:s?,s:I}}", "aliases", arr, "page_info",
                        "next_marker", next[0] ? next : NULL, "current_count",
                        (json_int_t)shown));
}
