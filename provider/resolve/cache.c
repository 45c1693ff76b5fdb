/*
 * cache.c: see cache.h. A small array with linear search: at most a few
 * hundred entries, looked up once per store open, so simplicity wins over
 * a hash table; the same walk drops expired entries. The oldest entry is
 * evicted when the array is full.
 */
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "resolve/cache.h"
#include "formats/objs.h"
#include "core/hwc.h"

struct entry {
    enum hwc_cache_kind kind;
    char *key;
    hwc_objs objs;
    hwc_cache_extra extra;
    time_t stored;
    time_t expires;
};

struct hwc_cache {
    hwc_forklock lock;
    size_t n;
    struct entry v[HWC_CACHE_MAX_ENTRIES];
};

static time_t now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

hwc_cache *hwc_cache_new(void)
{
    hwc_cache *c = OPENSSL_zalloc(sizeof(*c));

    if (c == NULL) {
        hwc_raise(HWC_R_MALLOC, "allocating the object cache");
        return NULL;
    }
    hwc_forklock_init(&c->lock, NULL, NULL);
    return c;
}

static int copy_objs(const hwc_objs *from, hwc_objs *to)
{
    if (from == NULL) {
        return 1;
    }
    for (size_t i = 0; i < from->n; i++) {
        const hwc_obj *o = &from->v[i];
        if (!hwc_objs_add(to, o->kind, o->data_type, o->der, o->der_len,
                          o->label)) {
            return 0;
        }
    }
    return 1;
}

/* Under the lock. */
static void drop(hwc_cache *c, size_t i)
{
    OPENSSL_free(c->v[i].key);
    hwc_objs_free(&c->v[i].objs); /* wipes private keys */
    c->v[i] = c->v[--c->n];
    memset(&c->v[c->n], 0, sizeof(c->v[c->n]));
}

/* Under the lock: drops expired entries; the index of (kind, key), or -1. */
static long sweep_find(hwc_cache *c, enum hwc_cache_kind kind, const char *key)
{
    time_t t = now();
    long found = -1;

    for (size_t i = 0; i < c->n;) {
        if (t >= c->v[i].expires) {
            drop(c, i); /* the last entry moved to i: look at i again */
            continue;
        }
        if (key != NULL && c->v[i].kind == kind &&
            strcmp(c->v[i].key, key) == 0) {
            found = (long)i;
        }
        i++;
    }
    return found;
}

int hwc_cache_lookup(hwc_cache *c, enum hwc_cache_kind kind, const char *key,
                     long ttl, hwc_objs *out, hwc_cache_extra *extra)
{
    long i;
    int hit = 0;
    hwc_objs copy = {0};

    if (c == NULL || ttl <= 0) {
        return 0;
    }
    hwc_forklock_lock(&c->lock);
    if ((i = sweep_find(c, kind, key)) >= 0 &&
        copy_objs(&c->v[i].objs, &copy)) {
        if (extra != NULL) {
            *extra = c->v[i].extra;
        }
        hit = 1;
    }
    hwc_forklock_unlock(&c->lock);
    /* Appended outside the lock: out may already hold objects. */
    if (hit && out != NULL && !copy_objs(&copy, out)) {
        hit = 0;
    }
    hwc_objs_free(&copy);
    return hit;
}

static size_t oldest(const hwc_cache *c)
{
    size_t o = 0;

    for (size_t i = 1; i < c->n; i++) {
        if (c->v[i].stored < c->v[o].stored) {
            o = i;
        }
    }
    return o;
}

void hwc_cache_store(hwc_cache *c, enum hwc_cache_kind kind, const char *key,
                     long ttl, const hwc_objs *objs,
                     const hwc_cache_extra *extra)
{
    struct entry e = {0};
    long i;

    if (c == NULL || ttl <= 0) {
        return;
    }
    e.kind = kind;
    e.key = OPENSSL_strdup(key);
    if (extra != NULL) {
        e.extra = *extra;
    }
    e.stored = now();
    e.expires = e.stored + ttl;
    if (e.key == NULL || !copy_objs(objs, &e.objs)) {
        OPENSSL_free(e.key);
        hwc_objs_free(&e.objs);
        return; /* a cache that cannot store is only slower */
    }
    hwc_forklock_lock(&c->lock);
    if ((i = sweep_find(c, kind, key)) >= 0) {
        drop(c, (size_t)i);
    }
    if (c->n == HWC_CACHE_MAX_ENTRIES) {
        drop(c, oldest(c));
    }
    c->v[c->n++] = e;
    hwc_forklock_unlock(&c->lock);
}

void hwc_cache_flush(hwc_cache *c)
{
    if (c == NULL) {
        return;
    }
    hwc_forklock_lock(&c->lock);
    while (c->n > 0) {
        drop(c, c->n - 1);
    }
    hwc_forklock_unlock(&c->lock);
}

size_t hwc_cache_size(hwc_cache *c)
{
    size_t n;

    hwc_forklock_lock(&c->lock);
    (void)sweep_find(c, HWC_CACHE_OBJECTS, NULL); /* no key: sweeps */
    n = c->n;
    hwc_forklock_unlock(&c->lock);
    return n;
}

void hwc_cache_free(hwc_cache *c)
{
    if (c == NULL) {
        return;
    }
    hwc_cache_flush(c);
    hwc_forklock_destroy(&c->lock);
    OPENSSL_clear_free(c, sizeof(*c));
}
