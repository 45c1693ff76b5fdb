/*
 * paging.h: what the service clients' listings share: the entries of an
 * offset-paged answer (SCM certificates, KMS keystores), the next marker
 * of a marker-paged one (KMS keys and aliases), the guard against a server
 * that never stops paging, and the exact-name search that resolves a name
 * to the one id it stands for.
 */
#ifndef HWC_PAGING_H
#define HWC_PAGING_H

#include <stddef.h>

#include <jansson.h>

/* A listing longer than this is a server that does not stop paging. */
#define HWC_MAX_LIST_ITEMS 1000000

/* One entry of a page: 1 to go on, 0 to stop (the caller has what it
 * wanted), -1 on an error it raised. */
typedef int hwc_page_entry_fn(const char *what, json_t *entry, void *arg);

/*
 * An offset-paged answer: the array `items` of resp, each entry passed to
 * fn in order, and the number of entries the whole listing holds in the
 * integer `count` (absent: 0; HWC_R_BAD_RESPONSE outside 0 to
 * HWC_MAX_LIST_ITEMS). *seen is the size of the array. `noun` names the
 * list in messages ("certificate list").
 */
int hwc_page_parse_offset(const char *what, json_t *resp, const char *noun,
                          const char *items, const char *count, int *seen,
                          int *total, hwc_page_entry_fn *fn, void *arg);

/*
 * The marker of a marker-paged answer: when more, next becomes *marker;
 * otherwise *marker becomes "". A server that gives the marker it was
 * asked with again would page forever: HWC_R_BAD_RESPONSE naming op.
 */
int hwc_page_next_marker(const char *what, const char *op, const char *next,
                         int more, char *marker, size_t cap);

/*
 * Counts one more page of a listing of per_page entries a page: 0 with
 * HWC_R_BAD_RESPONSE ("<what>: <op> did not end after N pages") once the
 * pages hold more than HWC_MAX_LIST_ITEMS entries.
 */
int hwc_page_count(int *pages, int per_page, const char *what, const char *op);

/* An exact-name search over listed objects. */
typedef struct hwc_name_match {
    const char *name; /* what is looked for */
    char id[64];      /* the first match's id */
    int matches;
} hwc_name_match;

/* One listed object: counted when its name is the one looked for. */
void hwc_name_match_see(hwc_name_match *m, const char *name, const char *id);
/* The id of the one match; 0 with HWC_R_NOT_FOUND or HWC_R_AMBIGUOUS
 * "<what>: no|more than one <thing> <name>", e.g. thing "certificate is
 * named". */
int hwc_name_match_take(const hwc_name_match *m, const char *what,
                        const char *thing, char *id, size_t cap);

#endif /* HWC_PAGING_H */
