/*
 * cache.h: the in-process object cache. Entries are decoded objects (DER)
 * plus a short metadata string, keyed by everything that decides what a
 * URI resolves to: credential identity, endpoint, project, region and the
 * URI itself. Time-limited (cache_ttl), bounded in size, thread-safe,
 * inherited by forked children; private-key bytes are wiped on eviction.
 */
#ifndef HWC_CACHE_H
#define HWC_CACHE_H

#include <stddef.h>

#include "decode.h"

#define HWC_CACHE_MAX_ENTRIES 512

/* Copies of a live entry's objects are appended to out; meta (may be NULL)
 * receives its metadata. Returns 1 on a hit, 0 on a miss or ttl <= 0. */
int hwc_cache_lookup(const char *key, long ttl, hwc_objs *out, char *meta,
                     size_t metacap);
/* Stores copies (replacing an entry with the same key); nothing if ttl<=0. */
void hwc_cache_store(const char *key, long ttl, const hwc_objs *objs,
                     const char *meta);
/* Drops every entry (tests, teardown). */
void hwc_cache_flush(void);
size_t hwc_cache_size(void);

#endif /* HWC_CACHE_H */
