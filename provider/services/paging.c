/* paging.c: see paging.h. */
#include <string.h>

#include <openssl/crypto.h>

#include "net/call.h"
#include "core/hwc.h"
#include "services/paging.h"

int hwc_page_parse_offset(const char *what, json_t *resp, const char *noun,
                          const char *items, const char *count, int *seen,
                          int *total, hwc_page_entry_fn *fn, void *arg)
{
    json_t *arr = json_object_get(resp, items), *v;
    json_int_t t = 0;
    size_t i;

    *seen = *total = 0;
    if (!json_is_array(arr)) {
        hwc_raise(HWC_R_BAD_RESPONSE, "%s: %s: %s not a list", what, noun,
                  items);
        return 0;
    }
    if (!hwc_json_opt_int(what, resp, count, 0, &t)) {
        return 0;
    }
    if (t < 0 || t > HWC_MAX_LIST_ITEMS) {
        hwc_raise(HWC_R_BAD_RESPONSE, "%s: %s: %s %lld out of range", what,
                  noun, count, (long long)t);
        return 0;
    }
    *total = (int)t;
    *seen = (int)json_array_size(arr);
    json_array_foreach(arr, i, v)
    {
        int r = fn(what, v, arg);
        if (r < 0) {
            return 0;
        }
        if (r == 0) {
            break;
        }
    }
    return 1;
}

int hwc_page_next_marker(const char *what, const char *op, const char *next,
                         int more, char *marker, size_t cap)
{
    if (more && strcmp(next, marker) == 0) {
        hwc_raise(HWC_R_BAD_RESPONSE, "%s: %s returned the same marker twice",
                  what, op);
        return 0;
    }
    OPENSSL_strlcpy(marker, more ? next : "", cap);
    return 1;
}

int hwc_page_count(int *pages, int per_page, const char *what, const char *op)
{
    if (++*pages > HWC_MAX_LIST_ITEMS / per_page) {
        hwc_raise(HWC_R_BAD_RESPONSE, "%s: %s did not end after %d pages", what,
                  op, *pages - 1);
        return 0;
    }
    return 1;
}

void hwc_name_match_see(hwc_name_match *m, const char *name, const char *id)
{
    if (strcmp(name, m->name) == 0 && m->matches++ == 0) {
        OPENSSL_strlcpy(m->id, id, sizeof(m->id));
    }
}

int hwc_name_match_take(const hwc_name_match *m, const char *what,
                        const char *thing, char *id, size_t cap)
{
    if (m->matches != 1) {
        hwc_raise(m->matches ? HWC_R_AMBIGUOUS : HWC_R_NOT_FOUND,
                  "%s: %s %s %s", what, m->matches ? "more than one" : "no",
                  thing, m->name);
        return 0;
    }
    OPENSSL_strlcpy(id, m->id, cap);
    return 1;
}
