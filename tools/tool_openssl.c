/*
 * tool_openssl.c: the provider as programs get it, for `check`. The tool
 * runs the provider's code linked in, so reading the section proves
 * nothing about the module that nginx or `openssl` would load: whether
 * OpenSSL finds hwcloud.so (`module =`, OPENSSL_MODULES, its modules
 * directory), whether the file activates it, and what status the loaded
 * instance reports. This loads the configuration into a fresh library
 * context with no built-in of ours, exactly as a program's start does,
 * and asks the module that OpenSSL loaded.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/params.h>
#include <openssl/provider.h>

#include "core/hwc.h"
#include "tool.h"

/* The first error of the queue as text (the cause). */
static char *first_error(void)
{
    const char *data = NULL;
    int flags = 0;
    unsigned long e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags);
    char buf[1024];

    if (e == 0) {
        return OPENSSL_strdup("no reason given");
    }
    ERR_error_string_n(e, buf, sizeof(buf));
    if (data != NULL && *data != '\0' && (flags & ERR_TXT_STRING)) {
        size_t n = strlen(buf);

        snprintf(buf + n, sizeof(buf) - n, " (%s)", data);
    }
    return OPENSSL_strdup(buf);
}

static void query(OSSL_PROVIDER *prov, tool_loaded *out)
{
    const char *name = NULL, *version = NULL;
    int status = 0;
    OSSL_PARAM params[] = {
        OSSL_PARAM_utf8_ptr(OSSL_PROV_PARAM_NAME, &name, 0),
        OSSL_PARAM_utf8_ptr(OSSL_PROV_PARAM_VERSION, &version, 0),
        OSSL_PARAM_int(OSSL_PROV_PARAM_STATUS, &status), OSSL_PARAM_END};

    out->loaded = 1;
    if (OSSL_PROVIDER_get_params(prov, params)) {
        out->status = status;
        out->name = name ? OPENSSL_strdup(name) : NULL;
        out->version = version ? OPENSSL_strdup(version) : NULL;
    }
}

/*
 * OpenSSL 3.0 loads a configuration whose provider fails to activate
 * without a word (nor a trace of the module path: loading by name would
 * look elsewhere). Loading the module the section names once more, by
 * its path, queues the reason.
 */
static void activation_failed(OSSL_LIB_CTX *libctx, const tool_conf *tc,
                              tool_loaded *out)
{
    OSSL_PROVIDER *again =
        OSSL_PROVIDER_load(libctx, tc->module != NULL ? tc->module : tc->entry);

    snprintf(out->how, sizeof(out->how), "that %s activates", tc->file);
    if (again != NULL) {
        OSSL_PROVIDER_unload(again);
        ERR_raise_data(ERR_LIB_PROV, ERR_R_INIT_FAIL,
                       "the module loads, but its activation failed");
    }
}

/* Raised once the libcrypto errors that explain it are off the queue. */
static void cannot_load(const tool_loaded *out)
{
    hwc_raise(HWC_R_CONFIG,
              "OpenSSL cannot load the provider %s: %s; is hwcloud.so in "
              "OpenSSL's modules directory (openssl version -m), in "
              "OPENSSL_MODULES, or named by `module =` in its section?",
              out->how, out->error ? out->error : "");
}

struct load_job {
    const tool_opts *o;
    const tool_conf *tc;
    int by_name;
    tool_loaded *out;
    int ok;
};

static void load(struct load_job *j)
{
    const tool_conf *tc = j->tc;
    tool_loaded *out = j->out;
    OSSL_LIB_CTX *libctx = OSSL_LIB_CTX_new();
    const char *name = tc->entry != NULL ? tc->entry : HWC_PROV_NAME;
    OSSL_PROVIDER *prov;
    struct stat sb;

    if (libctx == NULL) {
        snprintf(out->how, sizeof(out->how), "into a library context");
    } else if (tc->file != NULL &&
               (j->o->config != NULL || stat(tc->file, &sb) == 0) &&
               !OSSL_LIB_CTX_load_config(libctx, tc->file)) {
        snprintf(out->how, sizeof(out->how), "with %s", tc->file);
    } else if (tc->section != NULL && tc->activated && !j->by_name &&
               !OSSL_PROVIDER_available(libctx, name)) {
        activation_failed(libctx, tc, out);
    } else if ((prov = OSSL_PROVIDER_load(libctx, name)) == NULL) {
        /* By name, as `-provider hwcloud` and HAProxy's ssl-provider do
         * (or the instance the file activated). */
        snprintf(out->how, sizeof(out->how), "by its name %s", name);
    } else {
        query(prov, out);
        OSSL_PROVIDER_unload(prov);
        j->ok = 1;
    }
    if (!j->ok) {
        out->error = first_error();
    }
    OSSL_LIB_CTX_free(libctx);
}

/* A thread of its own starts with an empty error queue, whatever the
 * caller's holds: the first error there is the cause. */
static void *load_thread(void *arg)
{
    load((struct load_job *)arg);
    ERR_clear_error();
    return NULL;
}

int tool_openssl_load(const tool_opts *o, const tool_conf *tc, int by_name,
                      tool_loaded *out)
{
    struct load_job j = {o, tc, by_name, out, 0};
    pthread_t t;

    memset(out, 0, sizeof(*out));
    if (pthread_create(&t, NULL, load_thread, &j) != 0) {
        hwc_raise(HWC_R_INTERNAL, "cannot start a thread");
        return 0;
    }
    pthread_join(t, NULL);
    if (!j.ok) {
        cannot_load(out);
    }
    return j.ok;
}

void tool_loaded_free(tool_loaded *l)
{
    OPENSSL_free(l->name);
    OPENSSL_free(l->version);
    OPENSSL_free(l->error);
    memset(l, 0, sizeof(*l));
}
