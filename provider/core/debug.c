/*
 * debug.c: the run-time debug log (HWCLOUD_DEBUG in the environment or
 * `debug` in openssl.cnf), written to stderr. Callers log method, path,
 * status and ids, never a secret: hwc_mask() is what a secret prints as.
 */
#define _GNU_SOURCE /* secure_getenv */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/hwc.h"

/* HWCLOUD_DEBUG, read once: -1 until then. */
static int env_state = -1;
/* Loaded provider instances whose `debug` setting is on. */
static int holders;
/* The tool's own `debug` setting (hwc_debug_enable). */
static int standalone;

static int env_truthy(const char *v)
{
    return v != NULL && *v != '\0' && strcmp(v, "0") != 0 &&
           strcmp(v, "no") != 0 && strcmp(v, "false") != 0;
}

int hwc_debug_enabled(void)
{
    int env = __atomic_load_n(&env_state, __ATOMIC_RELAXED);

    if (env < 0) {
        env = env_truthy(secure_getenv("HWCLOUD_DEBUG"));
        __atomic_store_n(&env_state, env, __ATOMIC_RELAXED);
    }
    return env || __atomic_load_n(&standalone, __ATOMIC_RELAXED) ||
           __atomic_load_n(&holders, __ATOMIC_RELAXED) > 0;
}

void hwc_debug_enable(int on)
{
    __atomic_store_n(&env_state, env_truthy(secure_getenv("HWCLOUD_DEBUG")),
                     __ATOMIC_RELAXED);
    __atomic_store_n(&standalone, on != 0, __ATOMIC_RELAXED);
}

void hwc_debug_hold(void)
{
    __atomic_add_fetch(&holders, 1, __ATOMIC_RELAXED);
}

void hwc_debug_release(void)
{
    __atomic_sub_fetch(&holders, 1, __ATOMIC_RELAXED);
}

void hwc_debug_at(const char *file, int line, const char *func, const char *fmt,
                  ...)
{
    char msg[2048];
    va_list ap;
    struct timespec ts;
    const char *base = strrchr(file, '/');

    va_start(ap, fmt);
    hwc_vescapef(msg, sizeof(msg), fmt, ap); /* one line, whatever it echoes */
    va_end(ap);
    clock_gettime(CLOCK_REALTIME, &ts);
    fprintf(stderr, "hwcloud[%ld.%03ld] %s:%d %s: %s\n", (long)ts.tv_sec,
            ts.tv_nsec / 1000000, base ? base + 1 : file, line, func, msg);
}

const char *hwc_mask(const char *secret)
{
    return (secret != NULL && *secret != '\0') ? "[****]" : "[unset]";
}
