/*
 * err.c: provider reason codes and the single path that puts an error on
 * OpenSSL's queue, through the core's upcalls when running as a provider
 * and through libcrypto's ERR API when linked into the tool or tests.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/core_dispatch.h>
#include <openssl/err.h>

#include "hwc.h"

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
    {0, NULL},
};

static const OSSL_CORE_HANDLE *core_handle;
static OSSL_FUNC_core_new_error_fn *core_new_error;
static OSSL_FUNC_core_set_error_debug_fn *core_set_error_debug;
static OSSL_FUNC_core_vset_error_fn *core_vset_error;

/* Library code used when we are not inside a provider (tool, tests). */
static int standalone_lib;
static ERR_STRING_DATA standalone_strings[HWC_R_REASON_MAX + 1];

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

void hwc_err_set_core(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in)
{
    core_handle = handle;
    for (; in != NULL && in->function_id != 0; in++) {
        switch (in->function_id) {
        case OSSL_FUNC_CORE_NEW_ERROR:
            core_new_error = OSSL_FUNC_core_new_error(in);
            break;
        case OSSL_FUNC_CORE_SET_ERROR_DEBUG:
            core_set_error_debug = OSSL_FUNC_core_set_error_debug(in);
            break;
        case OSSL_FUNC_CORE_VSET_ERROR:
            core_vset_error = OSSL_FUNC_core_vset_error(in);
            break;
        default:
            break;
        }
    }
}

static int standalone_library(void)
{
    /* Racy only in the single-threaded tool and tests; good enough there. */
    if (standalone_lib == 0) {
        standalone_lib = ERR_get_next_error_library();
        size_t i = 0;
        for (const OSSL_ITEM *it = reason_strings; it->ptr != NULL; it++) {
            standalone_strings[i].error = ERR_PACK(standalone_lib, 0, it->id);
            standalone_strings[i].string = it->ptr;
            i++;
        }
        ERR_load_strings(standalone_lib, standalone_strings);
        static ERR_STRING_DATA libname[2];
        libname[0].error = ERR_PACK(standalone_lib, 0, 0);
        libname[0].string = HWC_PROV_NAME;
        ERR_load_strings(standalone_lib, libname);
    }
    return standalone_lib;
}

static void core_set_error(int reason, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    core_vset_error(core_handle, reason, fmt, ap);
    va_end(ap);
}

void hwc_raise_at(const void *ctx, int reason, const char *file, int line,
                  const char *func, const char *fmt, ...)
{
    char msg[HWC_MSG_MAX];
    va_list ap;
    (void)ctx;

    /* Formatted and escaped here, once: messages echo text from files
     * and services, and must fit (libcrypto drops a longer one whole). */
    va_start(ap, fmt);
    hwc_vescapef(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (core_new_error != NULL && core_vset_error != NULL) {
        core_new_error(core_handle);
        if (core_set_error_debug != NULL) {
            core_set_error_debug(core_handle, file, line, func);
        }
        core_set_error(reason, "%s", msg);
    } else {
        ERR_new();
        ERR_set_debug(file, line, func);
        ERR_set_error(standalone_library(), reason, "%s", msg);
    }
    if (hwc_debug_enabled()) {
        hwc_debug_at(file, line, func, "error: %s: %s", hwc_reason_text(reason),
                     msg);
    }
}
