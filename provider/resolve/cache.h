/*
 * cache.h: a provider instance's cache of what URIs resolved to. Entries
 * are typed (enum hwc_cache_kind): the decoded objects (DER) a URI named,
 * a KMS key's public key with what describe-key said of it, or the id a
 * name resolved to; each keyed by its kind and by everything that decides
 * what a URI resolves to (credential identity, endpoint, project, region
 * and the URI itself, see fetch.c). Time-limited (cache_ttl), bounded in
 * size, thread-safe and consistent across fork (an hwc_forklock),
 * inherited by forked children; private-key bytes are wiped when an entry
 * goes, and expired entries go whenever the cache is used.
 */
#ifndef HWC_CACHE_H
#define HWC_CACHE_H

#include <stddef.h>

#define HWC_CACHE_MAX_ENTRIES 512

typedef struct hwc_cache hwc_cache;
struct hwc_objs;

enum hwc_cache_kind {
    HWC_CACHE_OBJECTS = 1, /* scm:cert/, dcs:ssl/: the objects */
    HWC_CACHE_KMS_KEY,     /* kms:key/: the public key, spec and usage */
    HWC_CACHE_NAME,        /* kms:alias/, scm:name/: the id it names */
};

/* What an entry holds besides its objects, by kind. */
typedef struct hwc_cache_extra {
    char key_spec[16];  /* HWC_CACHE_KMS_KEY: "RSA_2048", "EC_P256", ... */
    char key_usage[24]; /* HWC_CACHE_KMS_KEY: "SIGN_VERIFY", ... */
    char id[64];        /* HWC_CACHE_NAME */
} hwc_cache_extra;

hwc_cache *hwc_cache_new(void);
/* Wipes and frees every entry; NULL is fine. */
void hwc_cache_free(hwc_cache *c);

/* On a hit, copies of the entry's objects are appended to out (may be
 * NULL) and extra (may be NULL) receives the rest. Returns 1 on a hit, 0
 * on a miss or ttl <= 0. */
int hwc_cache_lookup(hwc_cache *c, enum hwc_cache_kind kind, const char *key,
                     long ttl, struct hwc_objs *out, hwc_cache_extra *extra);
/* Stores copies of objs (may be NULL: none) and extra (may be NULL: all
 * empty) for ttl seconds, replacing an entry of the same kind and key;
 * nothing if ttl <= 0. */
void hwc_cache_store(hwc_cache *c, enum hwc_cache_kind kind, const char *key,
                     long ttl, const struct hwc_objs *objs,
                     const hwc_cache_extra *extra);
/* Drops every entry. */
void hwc_cache_flush(hwc_cache *c);
/* Live entries (expired ones are dropped first). */
size_t hwc_cache_size(hwc_cache *c);

#endif /* HWC_CACHE_H */
