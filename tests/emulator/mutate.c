/* mutate.c: the fault actions that change a service's own JSON answer
 * after it was made, as the real services may legally answer: "nulls"
 * (optional members as JSON null, which the SDKs' decoders read as absent)
 * and "drop_fields" (optional members left out, e.g. decrypt-data without
 * plain_text_base64). */
#include "emu.h"

#include <stdlib.h>
#include <string.h>

/* Optional members of the answers hwcloud reads, nulled by default. */
static const char *const optional[] = {"key_alias",
                                       "key_description",
                                       "scheduled_deletion_date",
                                       "expiration_time",
                                       "sys_enterprise_project_id",
                                       "origin",
                                       "realm",
                                       "total_count",
                                       "total",
                                       "enterprise_project_id",
                                       "description",
                                       "error_ext_msg",
                                       "enc_certificate",
                                       "enc_private_key",
                                       "plain_text",
                                       "cluster_id",
                                       "create_time",
                                       "update_time",
                                       "alias_urn",
                                       NULL};

int fault_is_post(const struct emu_fault *f)
{
    return strcmp(f->action, "nulls") == 0 ||
           strcmp(f->action, "drop_fields") == 0;
}

static int named(const struct emu_fault *f, const char *key)
{
    size_t i;
    json_t *v;

    if (f->fields == NULL) {
        for (i = 0; optional[i] != NULL; i++)
            if (strcmp(optional[i], key) == 0)
                return 1;
        return 0;
    }
    json_array_foreach(f->fields, i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), key) == 0)
            return 1;
    }
    return 0;
}

/* nulls: named members (default: the optional ones above) and, with the
 * default list, every empty string become null; drop_fields: named members
 * go. Objects inside arrays and objects too. */
static void mutate(const struct emu_fault *f, json_t *j, int drop)
{
    const char *k;
    json_t *v;
    void *tmp;
    size_t i;

    if (json_is_array(j)) {
        json_array_foreach(j, i, v) mutate(f, v, drop);
        return;
    }
    json_object_foreach_safe(j, tmp, k, v)
    {
        int hit =
            named(f, k) || (!drop && f->fields == NULL && json_is_string(v) &&
                            json_string_length(v) == 0);
        if (hit && drop)
            json_object_del(j, k);
        else if (hit)
            json_object_set_new(j, k, json_null());
        else
            mutate(f, v, drop);
    }
    if (!drop && f->fields == NULL)
        json_object_set_new(j, "hwc_emulator_null", json_null());
}

void fault_apply_post(const struct emu_fault *f, struct emu_resp *r)
{
    json_error_t e;
    json_t *j;

    if (r->body == NULL || r->status < 200 || r->status > 299)
        return;
    j = json_loadb(r->body, r->len, 0, &e);
    if (!json_is_object(j)) {
        json_decref(j);
        return;
    }
    mutate(f, j, strcmp(f->action, "drop_fields") == 0);
    resp_json(r, r->status, j);
}
