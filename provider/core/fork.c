/*
 * fork.c: locks that a fork() must not cut in half. Servers load keys in
 * one process and fork workers while other threads may be inside the
 * provider (a cache store, a login, a new connection). POSIX gives the
 * child only the forking thread: a lock another thread held stays held
 * forever, and what it protected may be half-written. Every hwcloud lock
 * is an hwc_forklock; one atfork handler takes them all before fork
 * (prepare), so the child starts with every structure consistent, and
 * releases them in both processes afterwards.
 *
 * The locks are taken in the order they were made. Code that holds a
 * forklock never takes another one (nor makes or drops one), so that
 * order cannot deadlock against a running thread.
 *
 * glibc removes a module's atfork handlers when the module is unloaded
 * (__cxa_finalize), so nothing here pins the module in memory.
 */
#include <pthread.h>

#include "core/hwc.h"

static pthread_mutex_t registry = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
static hwc_forklock *first, *last;

static void prepare(void)
{
    pthread_mutex_lock(&registry);
    for (hwc_forklock *l = first; l != NULL; l = l->next) {
        pthread_mutex_lock(&l->mu);
    }
}

static void unlock_all(void)
{
    for (hwc_forklock *l = last; l != NULL; l = l->prev) {
        pthread_mutex_unlock(&l->mu);
    }
}

static void parent(void)
{
    unlock_all();
    pthread_mutex_unlock(&registry);
}

/* The forking thread holds every lock, so unlocking is valid here; the
 * child callbacks then drop what only other (now absent) threads would
 * have finished, such as logins in flight. */
static void child(void)
{
    unlock_all();
    for (hwc_forklock *l = first; l != NULL; l = l->next) {
        if (l->child != NULL) {
            l->child(l->arg);
        }
    }
    pthread_mutex_unlock(&registry);
}

static void register_atfork(void)
{
    pthread_atfork(prepare, parent, child);
}

void hwc_forklock_init(hwc_forklock *l, void (*child_fn)(void *), void *arg)
{
    pthread_once(&atfork_once, register_atfork);
    pthread_mutex_init(&l->mu, NULL);
    l->child = child_fn;
    l->arg = arg;
    pthread_mutex_lock(&registry);
    l->next = NULL;
    l->prev = last;
    if (last != NULL) {
        last->next = l;
    } else {
        first = l;
    }
    last = l;
    pthread_mutex_unlock(&registry);
}

void hwc_forklock_destroy(hwc_forklock *l)
{
    pthread_mutex_lock(&registry);
    if (l->prev != NULL) {
        l->prev->next = l->next;
    } else if (first == l) {
        first = l->next;
    }
    if (l->next != NULL) {
        l->next->prev = l->prev;
    } else if (last == l) {
        last = l->prev;
    }
    pthread_mutex_unlock(&registry);
    pthread_mutex_destroy(&l->mu);
    l->next = l->prev = NULL;
}

void hwc_forklock_lock(hwc_forklock *l)
{
    pthread_mutex_lock(&l->mu);
}

void hwc_forklock_unlock(hwc_forklock *l)
{
    pthread_mutex_unlock(&l->mu);
}
