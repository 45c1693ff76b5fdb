/*
 * cache.c: see cache.h. A small array with linear search: at most a few
 * hundred entries, looked up once per store open, so simplicity wins over
 * a hash table. The oldest entry is evicted when the array is full.
 */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "cache.h"
#include "hwc.h"

struct entry {
    char *key;
    char *meta;
    hwc_objs objs;
    time_t stored;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
static struct entry entries[HWC_CACHE_MAX_ENTRIES];
static size_t nentries;

/* A child may inherit the lock held by another parent thread. */
static void child_reset_lock(void)
{
    pthread_mutex_init(&lock, NULL);
}

static void register_atfork(void)
{
    pthread_atfork(NULL, NULL, child_reset_lock);
}

static time_t now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

static int copy_objs(const hwc_objs *from, hwc_objs *to)
{
    for (size_t i = 0; i < from->n; i++) {
        const hwc_obj *o = &from->v[i];
        if (!hwc_objs_add(to, o->kind, o->data_type, o->der, o->der_len,
                          o->label)) {
            return 0;
        }
    }
    return 1;
}

static void drop(size_t i)
{
    OPENSSL_free(entries[i].key);
    OPENSSL_free(entries[i].meta);
    hwc_objs_free(&entries[i].objs); /* wipes private keys */
    entries[i] = entries[--nentries];
    memset(&entries[nentries], 0, sizeof(entries[nentries]));
}

static long find(const char *key)
{
    for (size_t i = 0; i < nentries; i++) {
        if (strcmp(entries[i].key, key) == 0) {
            return (long)i;
        }
    }
    return -1;
}

int hwc_cache_lookup(const char *key, long ttl, hwc_objs *out, char *meta,
                     size_t metacap)
{
    long i;
    int hit = 0;
    hwc_objs copy = {0};

    if (ttl <= 0) {
        return 0;
    }
    pthread_once(&atfork_once, register_atfork);
    pthread_mutex_lock(&lock);
    if ((i = find(key)) >= 0 && now() - entries[i].stored >= ttl) {
        drop((size_t)i);
        i = -1;
    }
    if (i >= 0 && copy_objs(&entries[i].objs, &copy)) {
        if (meta != NULL) {
            OPENSSL_strlcpy(meta, entries[i].meta ? entries[i].meta : "",
                            metacap);
        }
        hit = 1;
    }
    pthread_mutex_unlock(&lock);
    if (hit && !copy_objs(&copy, out)) {
        hit = 0;
    }
    hwc_objs_free(&copy);
    return hit;
}

static size_t oldest(void)
{
    size_t o = 0;

    for (size_t i = 1; i < nentries; i++) {
        if (entries[i].stored < entries[o].stored) {
            o = i;
        }
    }
    return o;
}

void hwc_cache_store(const char *key, long ttl, const hwc_objs *objs,
                     const char *meta)
{
    struct entry e = {0};
    long i;

    if (ttl <= 0) {
        return;
    }
    e.key = OPENSSL_strdup(key);
    e.meta = meta ? OPENSSL_strdup(meta) : NULL;
    e.stored = now();
    if (e.key == NULL || (meta != NULL && e.meta == NULL) ||
        !copy_objs(objs, &e.objs)) {
        OPENSSL_free(e.key);
        OPENSSL_free(e.meta);
        hwc_objs_free(&e.objs);
        return; /* a cache that cannot store is only slower */
    }
    pthread_once(&atfork_once, register_atfork);
    pthread_mutex_lock(&lock);
    if ((i = find(key)) >= 0) {
        drop((size_t)i);
    }
    if (nentries == HWC_CACHE_MAX_ENTRIES) {
        drop(oldest());
    }
    entries[nentries++] = e;
    pthread_mutex_unlock(&lock);
}

void hwc_cache_flush(void)
{
    pthread_mutex_lock(&lock);
    while (nentries > 0) {
        drop(nentries - 1);
    }
    pthread_mutex_unlock(&lock);
}

size_t hwc_cache_size(void)
{
    size_t n;

    pthread_mutex_lock(&lock);
    n = nentries;
    pthread_mutex_unlock(&lock);
    return n;
}
