/*
 * cache.h: a provider instance's object cache. Entries are decoded
 * objects (DER) plus a short metadata string, keyed by everything that
 * decides what a URI resolves to: credential identity, endpoint, project,
 * region and the URI itself. Time-limited (cache_ttl), bounded in size,
 * thread-safe and consistent across fork (an hwc_forklock), inherited by
 * forked children; private-key bytes are wiped when an entry goes, and
 * expired entries go whenever the cache is used.
 */
#ifndef HWC_CACHE_H
#define HWC_CACHE_H

#include <stddef.h>

#include "decode.h"

#define HWC_CACHE_MAX_ENTRIES 512

typedef struct hwc_cache hwc_cache;

hwc_cache *hwc_cache_new(void);
/* Wipes and frees every entry; NULL is fine. */
void hwc_cache_free(hwc_cache *c);

/* Copies of a live entry's objects are appended to out; meta (may be NULL)
 * receives its metadata. Returns 1 on a hit, 0 on a miss or ttl <= 0. */
int hwc_cache_lookup(hwc_cache *c, const char *key, long ttl, hwc_objs *out,
                     char *meta, size_t metacap);
/* Stores copies for ttl seconds (replacing an entry with the same key);
 * nothing if ttl <= 0. */
void hwc_cache_store(hwc_cache *c, const char *key, long ttl,
                     const hwc_objs *objs, const char *meta);
/* Drops every entry. */
void hwc_cache_flush(hwc_cache *c);
/* Live entries (expired ones are dropped first). */
size_t hwc_cache_size(hwc_cache *c);

#endif /* HWC_CACHE_H */
