/*
 * provider.c: the module's entry point. OSSL_provider_init reads the
 * provider's openssl.cnf section and the environment, validates them and
 * publishes the algorithms. It does no I/O beyond that: libcurl starts on
 * the first request and credentials are read on the first load, because
 * providers are often activated while OpenSSL is still loading its own
 * configuration, and a provider that initialises libraries there can
 * recurse into that load.
 *
 * Each OSSL_provider_init makes a new instance (one per library context
 * that loads the module); nothing of an instance is kept in a global.
 *
 * Settings that do not validate do not fail the init: a provider whose
 * init fails vanishes from the program, which then says only "unregistered
 * scheme" or "No supported data to decode", far from the reason. The
 * instance loads with the message kept, reports status 0 (`openssl list
 * -providers` shows it inactive, with the reason in its name), offers what
 * a valid configuration would (and nothing more, so no other program's
 * work changes), and every use of a URI fails with the message.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/params.h>
#include <openssl/provider.h>

#include "resolve/cache.h"
#include "formats/decodectx.h"
#include "ossl/fwd.h"
#include "core/hwc.h"
#include "ossl/provider.h"
#include "net/transport.h"

static OSSL_FUNC_provider_teardown_fn hwc_teardown;
static OSSL_FUNC_provider_gettable_params_fn hwc_gettable_params;
static OSSL_FUNC_provider_get_params_fn hwc_get_params;
static OSSL_FUNC_provider_query_operation_fn hwc_query_operation;
static OSSL_FUNC_provider_get_reason_strings_fn hwc_get_reason_strings;

/* The instance (instance.h) and what only the OpenSSL entry points use. */
struct prov_private {
    hwc_provctx pub;
    OSSL_FUNC_core_thread_start_fn *core_thread_start;
    int debug_held;
    int err_held;
    char *config_error; /* pub.config_error's storage */
    char *name;         /* OSSL_PROV_PARAM_NAME, with config_error */
};

/* The core releases a thread's curl handle when the thread ends. */
static int thread_stop_register(void *arg, void (*fn)(void *), void *fn_arg)
{
    struct prov_private *pp = arg;

    return pp->core_thread_start != NULL &&
           pp->core_thread_start(pp->pub.handle,
                                 (OSSL_thread_stop_handler_fn)fn, fn_arg);
}

static const OSSL_ALGORITHM store_algs[] = {
    {"kms", HWC_PROPS, hwc_store_functions, "Huawei Cloud KMS keys"},
    {"scm", HWC_PROPS, hwc_store_functions, "Huawei Cloud SCM certificates"},
    {"dcs", HWC_PROPS, hwc_store_functions,
     "Huawei Cloud DCS Redis CA certificates"},
    {"codearts", HWC_PROPS, hwc_store_functions,
     "Huawei Cloud CodeArts Build keystores"},
    {NULL, NULL, NULL, NULL}};

static const OSSL_ALGORITHM *hwc_query_operation(void *provctx, int id,
                                                 int *no_cache)
{
    hwc_provctx *prov = provctx;

    *no_cache = 0;
    if (id == OSSL_OP_STORE) {
        return store_algs;
    }
    if (id == OSSL_OP_DECODER) {
        return hwc_decoder_algorithms(prov->uri_pem);
    }
    if (!hwc_prov_remote_keys_offered(prov)) {
        *no_cache = 1; /* ask again: they may be offered later */
        return NULL;
    }
    return hwc_algorithms(id);
}

static const OSSL_PARAM *hwc_gettable_params(void *provctx)
{
    static const OSSL_PARAM known[] = {
        OSSL_PARAM_utf8_ptr(OSSL_PROV_PARAM_NAME, NULL, 0),
        OSSL_PARAM_utf8_ptr(OSSL_PROV_PARAM_VERSION, NULL, 0),
        OSSL_PARAM_utf8_ptr(OSSL_PROV_PARAM_BUILDINFO, NULL, 0),
        OSSL_PARAM_int(OSSL_PROV_PARAM_STATUS, NULL), OSSL_PARAM_END};

    (void)provctx;
    return known;
}

#define HWC_PROV_TITLE "Huawei Cloud provider"

/* With a configuration error, status 0 and a name that gives the reason:
 * `openssl list -providers` prints both. */
static int hwc_get_params(void *provctx, OSSL_PARAM params[])
{
    struct prov_private *pp = provctx;
    OSSL_PARAM *p;

    p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_NAME);
    if (p != NULL &&
        !OSSL_PARAM_set_utf8_ptr(p, pp->name ? pp->name : HWC_PROV_TITLE)) {
        return 0;
    }
    p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_VERSION);
    if (p != NULL && !OSSL_PARAM_set_utf8_ptr(p, HWC_VERSION)) {
        return 0;
    }
    p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_BUILDINFO);
    if (p != NULL && !OSSL_PARAM_set_utf8_ptr(p, "hwcloud " HWC_VERSION)) {
        return 0;
    }
    p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_STATUS);
    if (p != NULL && !OSSL_PARAM_set_int(p, pp->config_error == NULL)) {
        return 0;
    }
    return 1;
}

static const OSSL_ITEM *hwc_get_reason_strings(void *provctx)
{
    (void)provctx;
    return hwc_reason_strings();
}

static void provctx_free(struct prov_private *pp)
{
    if (pp == NULL) {
        return;
    }
    hwc_prov_free_made(&pp->pub);
    hwc_cache_free(pp->pub.cache); /* wipes the keys it holds */
    hwc_transport_free(pp->pub.transport);
    hwc_settings_free(pp->pub.settings);
    OPENSSL_free(pp->config_error);
    OPENSSL_free(pp->name);
    OSSL_LIB_CTX_free(pp->pub.libctx);
    if (pp->debug_held) {
        hwc_debug_release();
    }
    if (pp->err_held) {
        hwc_err_release();
    }
    OPENSSL_clear_free(pp, sizeof(*pp));
}

static void hwc_teardown(void *provctx)
{
    provctx_free(provctx);
    hwc_decode_libctx_release();
}

/* Reads every known key of our openssl.cnf section. */
static int read_config(const OSSL_CORE_HANDLE *handle,
                       OSSL_FUNC_core_get_params_fn *core_get_params,
                       hwc_settings *st)
{
    char *vals[HWC_S_COUNT] = {0};
    OSSL_PARAM params[HWC_S_COUNT + 1];

    for (int i = 0; i < HWC_S_COUNT; i++) {
        params[i] = OSSL_PARAM_construct_utf8_ptr((char *)hwc_setting_key(i),
                                                  &vals[i], 0);
    }
    params[HWC_S_COUNT] = OSSL_PARAM_construct_end();
    if (core_get_params == NULL || !core_get_params(handle, params)) {
        return 1; /* no section: the environment and defaults decide */
    }
    for (int i = 0; i < HWC_S_COUNT; i++) {
        if (vals[i] != NULL &&
            !hwc_settings_set(st, i, vals[i], HWC_SRC_CONF)) {
            return 0;
        }
    }
    return 1;
}

static OSSL_FUNC_core_get_params_fn *find_get_params(const OSSL_DISPATCH *in)
{
    for (; in->function_id != 0; in++) {
        if (in->function_id == OSSL_FUNC_CORE_GET_PARAMS) {
            return OSSL_FUNC_core_get_params(in);
        }
    }
    return NULL;
}

/* The upcalls of the core this instance keeps. */
static void capture_core(struct prov_private *pp, const OSSL_DISPATCH *in)
{
    for (; in->function_id != 0; in++) {
        switch (in->function_id) {
        case OSSL_FUNC_CORE_THREAD_START:
            pp->core_thread_start = OSSL_FUNC_core_thread_start(in);
            break;
        case OSSL_FUNC_BIO_READ_EX:
            pp->pub.bio_read_ex = OSSL_FUNC_BIO_read_ex(in);
            break;
        case OSSL_FUNC_BIO_GETS:
            pp->pub.bio_gets = OSSL_FUNC_BIO_gets(in);
            break;
        default:
            break;
        }
    }
}

/* Keeps the message of the error on top of the queue (raised since the
 * mark) as the instance's configuration error, and takes it off the
 * queue: the init itself succeeds. 0 if not even that can be done. */
static int keep_config_error(struct prov_private *pp)
{
    const char *data = NULL;
    int flags = 0;
    unsigned long e = ERR_peek_last_error_data(&data, &flags);
    size_t n;
    const char *why = data != NULL && *data != '\0' && (flags & ERR_TXT_STRING)
                          ? data
                          : ERR_reason_error_string(e);

    pp->config_error = OPENSSL_strdup(why != NULL ? why : "unknown error");
    ERR_pop_to_mark();
    n = pp->config_error != NULL ? strlen(pp->config_error) + 64 : 0;
    if (n == 0 || (pp->name = OPENSSL_zalloc(n)) == NULL) {
        return 0;
    }
    snprintf(pp->name, n, HWC_PROV_TITLE " (unusable: %s)", pp->config_error);
    pp->pub.config_error = pp->config_error;
    return 1;
}

/* The section of openssl.cnf, then the environment, validated. */
static int load_settings(struct prov_private *pp,
                         const OSSL_CORE_HANDLE *handle,
                         const OSSL_DISPATCH *in)
{
    hwc_settings *st = pp->pub.settings;

    ERR_set_mark();
    if (read_config(handle, find_get_params(in), st) &&
        hwc_settings_load_env(st) && hwc_settings_validate(st)) {
        ERR_clear_last_mark();
        return 1;
    }
    return keep_config_error(pp);
}

/*
 * The decoders with uri_pem = yes, and also when its value is invalid:
 * whoever set it meant some key files to be read, and those should then
 * fail with the configuration error instead of "No supported data".
 */
static int wants_uri_pem(const hwc_provctx *prov)
{
    const char *v = hwc_get(prov->settings, HWC_S_URI_PEM);

    if (hwc_get_bool(prov->settings, HWC_S_URI_PEM)) {
        return 1;
    }
    return prov->config_error != NULL && v != NULL &&
           prov->settings->src[HWC_S_URI_PEM] == HWC_SRC_CONF &&
           strcasecmp(v, "no") != 0 && strcasecmp(v, "0") != 0 &&
           strcasecmp(v, "false") != 0 && strcasecmp(v, "off") != 0;
}

static const OSSL_DISPATCH hwc_dispatch_table[] = {
    {OSSL_FUNC_PROVIDER_TEARDOWN, (void (*)(void))hwc_teardown},
    {OSSL_FUNC_PROVIDER_GETTABLE_PARAMS, (void (*)(void))hwc_gettable_params},
    {OSSL_FUNC_PROVIDER_GET_PARAMS, (void (*)(void))hwc_get_params},
    {OSSL_FUNC_PROVIDER_QUERY_OPERATION, (void (*)(void))hwc_query_operation},
    {OSSL_FUNC_PROVIDER_GET_REASON_STRINGS,
     (void (*)(void))hwc_get_reason_strings},
    {OSSL_FUNC_PROVIDER_GET_CAPABILITIES, (void (*)(void))hwc_get_capabilities},
    {0, NULL}};

__attribute__((visibility("default"))) OSSL_provider_init_fn OSSL_provider_init;

int OSSL_provider_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in,
                       const OSSL_DISPATCH **out, void **provctx)
{
    struct prov_private *pp = OPENSSL_zalloc(sizeof(*pp));

    hwc_err_acquire();
    if (pp == NULL) {
        hwc_raise(HWC_R_MALLOC, "initialising the provider");
        hwc_err_release();
        return 0;
    }
    pp->err_held = 1;
    pp->pub.handle = handle;
    capture_core(pp, in);
    if ((pp->pub.settings = hwc_settings_new()) == NULL ||
        (pp->pub.cache = hwc_cache_new()) == NULL ||
        (pp->pub.transport = hwc_transport_new(thread_stop_register, pp)) ==
            NULL ||
        (pp->pub.libctx = OSSL_LIB_CTX_new_child(handle, in)) == NULL) {
        hwc_raise(HWC_R_MALLOC, "initialising the provider");
        goto err;
    }
    if (!load_settings(pp, handle, in)) {
        goto err;
    }
    hwc_decode_libctx_hold(); /* released by hwc_teardown */
    if (hwc_get_bool(pp->pub.settings, HWC_S_DEBUG)) {
        hwc_debug_hold();
        pp->debug_held = 1;
    }
    pp->pub.uri_pem = wants_uri_pem(&pp->pub);
    pp->pub.remote_keys = pp->pub.uri_pem;
    hwc_debug("hwcloud %s instance %p initialised (uri_pem %s)%s%s",
              HWC_VERSION, (void *)pp, pp->pub.uri_pem ? "on" : "off",
              pp->config_error ? ", unusable: " : "",
              pp->config_error ? pp->config_error : "");
    *out = hwc_dispatch_table;
    *provctx = pp;
    return 1;
err:
    provctx_free(pp);
    return 0;
}
