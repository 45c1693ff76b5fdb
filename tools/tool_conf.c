/*
 * tool_conf.c: the configuration the tool reads, found the way OpenSSL
 * finds it (openssl_conf -> [init] providers -> [providers] hwcloud ->
 * our section), and a library context that runs this build of the
 * provider as a built-in, so that `export` goes through the very store
 * loader the servers use, configured by the same file.
 */
#define _GNU_SOURCE /* secure_getenv */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <openssl/conf.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/provider.h>

#include "core/hwc.h"
#include "core/settings.h"
#include "tool.h"

/* Keys of a provider section that OpenSSL itself reads, not the provider. */
static const char *const core_keys[] = {"module", "activate", "identity",
                                        "soft_load", NULL};

/* The provider's entry point, linked in from the provider's objects. */
int OSSL_provider_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in,
                       const OSSL_DISPATCH **out, void **provctx);

char *tool_config_file(const tool_opts *o)
{
    /* As OpenSSL reads it: never in a setuid or setcap process. */
    const char *env = secure_getenv("OPENSSL_CONF");

    if (o->config != NULL) {
        return OPENSSL_strdup(o->config);
    }
    if (env != NULL && *env != '\0') {
        return OPENSSL_strdup(env);
    }
    return CONF_get1_default_config_file();
}

static int is_core_key(const char *k)
{
    for (size_t i = 0; core_keys[i] != NULL; i++) {
        if (strcmp(core_keys[i], k) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Whether the providers-section entry name = sect is our provider. */
static int is_hwcloud(const CONF *cnf, const char *name, const char *sect)
{
    const char *id = NCONF_get_string(cnf, sect, "identity");
    const char *mod = NCONF_get_string(cnf, sect, "module");
    const char *base = mod != NULL ? strrchr(mod, '/') : NULL;

    ERR_clear_error(); /* NCONF_get_string queues "no value" */
    if (id != NULL) {
        return strcmp(id, HWC_PROV_NAME) == 0;
    }
    if (mod != NULL) {
        base = base != NULL ? base + 1 : mod;
        return strncmp(base, HWC_PROV_NAME ".", 8) == 0;
    }
    return strcmp(name, HWC_PROV_NAME) == 0;
}

/* The name of our provider's section, or NULL when the file has none;
 * *entry: its name in the providers section. */
static const char *find_section(const CONF *cnf, const char **entry)
{
    const char *init = NCONF_get_string(cnf, NULL, "openssl_conf");
    const char *provs = init ? NCONF_get_string(cnf, init, "providers") : NULL;
    STACK_OF(CONF_VALUE) *list = provs ? NCONF_get_section(cnf, provs) : NULL;

    ERR_clear_error();
    for (int i = 0; i < sk_CONF_VALUE_num(list); i++) {
        CONF_VALUE *v = sk_CONF_VALUE_value(list, i);

        if (is_hwcloud(cnf, v->name, v->value)) {
            *entry = v->name;
            return v->value;
        }
    }
    return NULL;
}

static int note_unknown(tool_conf *tc, const char *key)
{
    char **n = OPENSSL_realloc(tc->unknown,
                               (tc->n_unknown + 1) * sizeof(*tc->unknown));

    if (n == NULL) {
        return 0;
    }
    tc->unknown = n;
    return (tc->unknown[tc->n_unknown++] = OPENSSL_strdup(key)) != NULL;
}

/* OpenSSL's own truth values for `activate`. */
static int is_true(const char *v)
{
    return strcmp(v, "1") == 0 || strcasecmp(v, "yes") == 0 ||
           strcasecmp(v, "true") == 0 || strcasecmp(v, "on") == 0;
}

/* Copies the section's settings, as the provider's read_config does. */
static int read_section(const CONF *cnf, const char *sect, hwc_settings *st,
                        tool_conf *tc)
{
    STACK_OF(CONF_VALUE) *list = NCONF_get_section(cnf, sect);

    for (int i = 0; i < sk_CONF_VALUE_num(list); i++) {
        CONF_VALUE *v = sk_CONF_VALUE_value(list, i);
        int s = hwc_setting_by_key(v->name);

        if (s >= 0) {
            if (!hwc_settings_set(st, s, v->value, HWC_SRC_CONF)) {
                return 0;
            }
        } else if (strcmp(v->name, "activate") == 0) {
            tc->activated = is_true(v->value);
        } else if (strcmp(v->name, "module") == 0) {
            OPENSSL_free(tc->module);
            if ((tc->module = OPENSSL_strdup(v->value)) == NULL) {
                return 0;
            }
        } else if (!is_core_key(v->name) && !note_unknown(tc, v->name)) {
            return 0;
        }
    }
    return 1;
}

static int read_conf_file(const char *file, hwc_settings *st, tool_conf *tc)
{
    CONF *cnf = NCONF_new(NULL);
    const char *sect, *entry = NULL;
    long eline = 0;
    int ok = 0;

    if (cnf == NULL) {
        return 0;
    }
    if (NCONF_load(cnf, file, &eline) <= 0) {
        tool_err("%s: cannot be parsed (line %ld)", file, eline);
        goto done;
    }
    tc->file_found = 1;
    if ((sect = find_section(cnf, &entry)) == NULL) {
        ok = 1; /* no section: the environment and defaults decide */
        goto done;
    }
    ok = (tc->section = OPENSSL_strdup(sect)) != NULL &&
         (tc->entry = OPENSSL_strdup(entry)) != NULL &&
         read_section(cnf, sect, st, tc);
done:
    NCONF_free(cnf);
    return ok;
}

int tool_load_settings(const tool_opts *o, hwc_settings *st, tool_conf *tc)
{
    struct stat sb;

    memset(tc, 0, sizeof(*tc));
    tc->file = tool_config_file(o);
    if (tc->file != NULL && stat(tc->file, &sb) != 0) {
        if (o->config != NULL) {
            tool_err("%s: no such file", tc->file);
            return 0;
        }
    } else if (tc->file != NULL && !read_conf_file(tc->file, st, tc)) {
        return 0;
    }
    if (!hwc_settings_load_env(st) || !hwc_settings_validate(st)) {
        return 0;
    }
    /* `debug = yes` in the section logs as it does in the provider. */
    hwc_debug_enable(hwc_get_bool(st, HWC_S_DEBUG));
    return 1;
}

void tool_conf_free(tool_conf *tc)
{
    for (size_t i = 0; i < tc->n_unknown; i++) {
        OPENSSL_free(tc->unknown[i]);
    }
    OPENSSL_free(tc->unknown);
    OPENSSL_free(tc->file);
    OPENSSL_free(tc->section);
    OPENSSL_free(tc->entry);
    OPENSSL_free(tc->module);
    memset(tc, 0, sizeof(*tc));
}

/* Loads the configuration into libctx; a missing default file is fine. */
static int load_config(const tool_opts *o, OSSL_LIB_CTX *libctx)
{
    char *file = tool_config_file(o);
    struct stat sb;
    int ok = 1;

    if (file != NULL && (o->config != NULL || stat(file, &sb) == 0)) {
        ok = OSSL_LIB_CTX_load_config(libctx, file);
        if (!ok) {
            tool_err("%s: cannot be loaded", file);
        }
    }
    OPENSSL_free(file);
    return ok;
}

OSSL_LIB_CTX *tool_provider_libctx(const tool_opts *o)
{
    OSSL_LIB_CTX *libctx = OSSL_LIB_CTX_new();

    /* The built-in must be known before the configuration activates it:
     * the file's `module =` line is then not used (this build is). */
    if (libctx == NULL ||
        !OSSL_PROVIDER_add_builtin(libctx, HWC_PROV_NAME, OSSL_provider_init) ||
        !load_config(o, libctx)) {
        OSSL_LIB_CTX_free(libctx);
        return NULL;
    }
    /* Not activated by the file: load it with the environment only. */
    if ((!OSSL_PROVIDER_available(libctx, HWC_PROV_NAME) &&
         OSSL_PROVIDER_load(libctx, HWC_PROV_NAME) == NULL) ||
        (!OSSL_PROVIDER_available(libctx, "default") &&
         OSSL_PROVIDER_load(libctx, "default") == NULL)) {
        OSSL_LIB_CTX_free(libctx);
        return NULL;
    }
    return libctx;
}
