/*
 * err.c: provider reason codes and the single path that puts an error on
 * OpenSSL's queue, under an error library of ours that lives as long as
 * some provider instance (or the tool) needs it.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "core/hwc.h"

static const OSSL_ITEM reason_strings[] = {
    {HWC_R_INTERNAL, "internal error"},
    {HWC_R_MALLOC, "out of memory"},
    {HWC_R_URI_INVALID, "invalid URI"},
    {HWC_R_CONFIG, "invalid configuration"},
    {HWC_R_AUTH, "authentication failed"},
    {HWC_R_TOKEN_EXPIRED, "token expired"},
    {HWC_R_TRANSPORT, "request failed"},
    {HWC_R_SERVICE, "service returned an error"},
    {HWC_R_BAD_RESPONSE, "malformed service response"},
    {HWC_R_TOO_LARGE, "response too large"},
    {HWC_R_DECODE, "cannot decode object"},
    {HWC_R_KEY_MISMATCH, "no certificate matches the private key"},
    {HWC_R_BAD_PASSWORD, "wrong password or corrupt keystore"},
    {HWC_R_UNSUPPORTED, "unsupported"},
    {HWC_R_KEY_STATE, "key not usable"},
    {HWC_R_REMOTE_OP, "remote key operation failed"},
    {HWC_R_URI_PEM_DISABLED, "PEM-wrapped URI decoding is disabled"},
    {HWC_R_NOT_FOUND, "not found"},
    {HWC_R_AMBIGUOUS, "ambiguous name"},
    {HWC_R_LEGACY_NEEDED, "legacy provider needed"},
    {HWC_R_NOT_PERMITTED, "not permitted"},
    {HWC_R_TOKEN_REFUSED, "token refused"},
    {0, NULL},
};

/*
 * Our error library number and its strings. A provider instance could
 * raise through the core's upcalls with its own handle, but errors are
 * raised from every layer, most of which know no instance, and a process
 * may hold several instances (one per library context) that come and go:
 * a handle kept in a global dangles once its instance is unloaded. The
 * module links libcrypto anyway, so it registers one library for the
 * process; `lock` guards the registration and its users count.
 */
static hwc_forklock lock;
static pthread_once_t lock_once = PTHREAD_ONCE_INIT;
static int err_lib;
static int err_users;
static ERR_STRING_DATA err_strings[HWC_R_REASON_MAX + 1];
static ERR_STRING_DATA lib_name[2];

const OSSL_ITEM *hwc_reason_strings(void)
{
    return reason_strings;
}

const char *hwc_reason_text(int reason)
{
    for (const OSSL_ITEM *it = reason_strings; it->ptr != NULL; it++) {
        if ((int)it->id == reason) {
            return it->ptr;
        }
    }
    return "unknown reason";
}

static void lock_init(void)
{
    hwc_forklock_init(&lock, NULL, NULL);
}

/* Under lock. */
static void load_strings(void)
{
    size_t i = 0;
    int lib = ERR_get_next_error_library();

    for (const OSSL_ITEM *it = reason_strings; it->ptr != NULL; it++, i++) {
        err_strings[i].error = ERR_PACK(lib, 0, it->id);
        err_strings[i].string = it->ptr;
    }
    err_strings[i].error = 0;
    err_strings[i].string = NULL;
    ERR_load_strings(lib, err_strings);
    lib_name[0].error = ERR_PACK(lib, 0, 0);
    lib_name[0].string = HWC_PROV_NAME;
    ERR_load_strings(lib, lib_name);
    __atomic_store_n(&err_lib, lib, __ATOMIC_RELEASE);
}

/* Lazily (and under the lock) only in the tool and the unit tests. */
static int library(void)
{
    int lib = __atomic_load_n(&err_lib, __ATOMIC_ACQUIRE);

    if (lib != 0) {
        return lib;
    }
    pthread_once(&lock_once, lock_init);
    hwc_forklock_lock(&lock);
    if (err_lib == 0) {
        load_strings();
    }
    lib = err_lib;
    hwc_forklock_unlock(&lock);
    return lib;
}

/*
 * Registers eagerly, so that inside a provider hwc_raise never takes the
 * lock: it may be called with another forklock held.
 */
void hwc_err_acquire(void)
{
    pthread_once(&lock_once, lock_init);
    hwc_forklock_lock(&lock);
    if (err_users++ == 0 && err_lib == 0) {
        load_strings();
    }
    hwc_forklock_unlock(&lock);
}

/* The strings point into this module: unload them before it can go. */
void hwc_err_release(void)
{
    hwc_forklock_lock(&lock);
    if (--err_users == 0 && err_lib != 0) {
        ERR_unload_strings(err_lib, lib_name);
        ERR_unload_strings(err_lib, err_strings);
        __atomic_store_n(&err_lib, 0, __ATOMIC_RELEASE);
    }
    hwc_forklock_unlock(&lock);
}

void hwc_raise_at(int reason, const char *file, int line, const char *func,
                  const char *fmt, ...)
{
    char msg[HWC_MSG_MAX];
    va_list ap;
    int lib = library();

    /* Formatted and escaped here, once: messages echo text from files
     * and services, and must fit (libcrypto drops a longer one whole). */
    va_start(ap, fmt);
    hwc_vescapef(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    ERR_new();
    ERR_set_debug(file, line, func);
    ERR_set_error(lib, reason, "%s", msg);
    if (hwc_debug_enabled()) {
        hwc_debug_at(file, line, func, "error: %s: %s", hwc_reason_text(reason),
                     msg);
    }
}
