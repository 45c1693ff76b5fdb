/*
 * tool_check.c: `check` shows the configuration the provider would run
 * with (every setting, where it came from, secrets masked), the auth
 * method and the endpoints, then proves the credentials with one call
 * that changes nothing: IAM GET /v3/projects?name=<region>, which every
 * auth method can make and which also checks project_id against region.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/err.h>

#include "auth/auth.h"
#include "services/client.h"
#include "net/endpoint.h"
#include "core/hwc.h"
#include "auth/iam.h"
#include "core/settings.h"
#include "tool.h"
#include "tool_sync.h"

typedef struct check_result {
    hwc_settings *st;
    tool_conf conf;
    tool_loaded loaded; /* the module as OpenSSL loads it */
    int by_name;        /* --by-name */
    hwc_auth *auth;
    hwc_client *cl;
    char *endpoint[HWC_SVC_COUNT];
    char *endpoint_err[HWC_SVC_COUNT];
    char project[33];
    double seconds;
    int call_ok;
    char *error;           /* why the check failed, or NULL */
    expiry_report *expiry; /* --sync-config/--days/--textfile, or NULL */
} check_result;

static void check_help(void)
{
    printf("usage: " TOOL_NAME
           " check [--json] [--by-name] [--sync-config FILE]"
           "\n                           [--days N] [--textfile FILE]\n"
           "\n"
           "Shows the configuration the hwcloud provider runs with: each\n"
           "setting of its openssl.cnf section ($OPENSSL_CONF or --config),\n"
           "of the HWCLOUD_* / HUAWEICLOUD_SDK_* environment and the\n"
           "defaults, with where it came from (secrets masked); whether\n"
           "OpenSSL itself loads the module with that file, as programs\n"
           "do (the section must say activate = 1); the auth method; the\n"
           "endpoint of each service (shown even without credentials).\n"
           "Then makes one call that changes nothing, IAM GET\n"
           "/v3/projects?name=<region>, to prove the credentials. Exit\n"
           "status 0 when everything worked.\n"
           "\n"
           "  --json     the same as a JSON object on stdout\n"
           "  --by-name  the programs load hwcloud by name (openssl\n"
           "             -provider hwcloud, HAProxy's ssl-provider): the\n"
           "             section need not activate it\n"
           "\n"
           "With one of the options below, it also reports the days left to\n"
           "the certificate each entry of the sync configuration deployed\n"
           "(read from its cert or fullchain file; no request).\n");
    expiry_help();
}

static const char *shown_value(const hwc_settings *st, int s)
{
    const char *v = hwc_get(st, s);

    if (hwc_setting_is_secret(s)) {
        return hwc_mask(v);
    }
    return v != NULL ? v : "-";
}

/* Endpoints as the service clients will build them. */
static void resolve_endpoints(check_result *r)
{
    for (int s = 0; s < HWC_SVC_COUNT; s++) {
        r->endpoint[s] = hwc_client_base_url(r->cl, s);
        if (r->endpoint[s] == NULL) {
            r->endpoint_err[s] = tool_take_errors();
        }
    }
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The authenticated call; its project must be the configured one. */
static int call_iam(check_result *r)
{
    const char *region = hwc_get(r->st, HWC_S_REGION);
    const char *want = hwc_get(r->st, HWC_S_PROJECT_ID);
    hwc_call c;
    double t0 = now_s();

    if (region == NULL) {
        hwc_raise(HWC_R_CONFIG,
                  "region is not set: no call to test the credentials with");
        return 0;
    }
    if (r->endpoint[HWC_SVC_IAM] == NULL) {
        return 0;
    }
    hwc_client_prepare(r->cl, &c, HWC_SVC_IAM, "GET", r->endpoint[HWC_SVC_IAM],
                       "/v3/projects");
    ERR_set_mark();
    r->call_ok = hwc_iam_project_id(&c, region, r->project);
    r->seconds = now_s() - t0;
    if (!r->call_ok && want != NULL &&
        ERR_GET_REASON(ERR_peek_last_error()) == HWC_R_CONFIG) {
        /* "set project_id" would be wrong advice: it is set. */
        ERR_pop_to_mark();
        hwc_raise(HWC_R_CONFIG,
                  "region %s does not contain project_id %s: IAM lists no "
                  "project named %s for these credentials",
                  region, want, region);
        return 0;
    }
    ERR_clear_last_mark();
    if (r->call_ok && want != NULL && strcmp(want, r->project) != 0) {
        hwc_raise(HWC_R_CONFIG,
                  "region %s does not contain project_id %s: its project for "
                  "these credentials is %s",
                  region, want, r->project);
        return 0;
    }
    return r->call_ok;
}

/*
 * What programs get: the module OpenSSL loads with the same file, which
 * must activate it unless the programs load it by name. A module that
 * loads but calls its settings unusable is reported only when the tool's
 * own reading of them found nothing wrong (else that error said it).
 */
static int check_loading(const tool_opts *o, int by_name, int settings_ok,
                         check_result *r)
{
    int ok = tool_openssl_load(o, &r->conf, by_name, &r->loaded);

    r->by_name = by_name;
    if (r->conf.section != NULL && !r->conf.activated && !by_name) {
        hwc_raise(HWC_R_CONFIG,
                  "[%s] has no 'activate = 1': programs using %s do not load "
                  "the provider (if yours load it by name, as openssl "
                  "-provider hwcloud or HAProxy's ssl-provider do, check with "
                  "--by-name)",
                  r->conf.section, r->conf.file);
        ok = 0;
    }
    if (r->loaded.loaded && !r->loaded.status) {
        if (settings_ok) {
            hwc_raise(HWC_R_CONFIG, "the provider OpenSSL loaded says: %s",
                      r->loaded.name ? r->loaded.name : "status 0");
        }
        ok = 0;
    }
    return ok;
}

/* The endpoints come first: they are shown even when the credentials
 * are missing or refused. */
static int run_check(const tool_opts *o, int by_name, check_result *r)
{
    int settings_ok, ok;

    if ((r->st = hwc_settings_new()) == NULL) {
        return 0;
    }
    settings_ok = tool_load_settings(o, r->st, &r->conf);
    if (!settings_ok) {
        /* A file that does not parse was reported: OpenSSL says no more. */
        if (r->conf.file == NULL || r->conf.file_found) {
            check_loading(o, by_name, 0, r);
        }
        return 0;
    }
    ok = (r->cl = hwc_client_new(r->st, NULL, "check")) != NULL;
    if (ok) {
        resolve_endpoints(r);
        ok = (r->auth = hwc_auth_new(r->st)) != NULL;
    }
    if (ok) {
        r->cl->auth = r->auth;
        ok = call_iam(r);
    }
    /* After the call: libcurl clears the error queue as it starts TLS. */
    return check_loading(o, by_name, 1, r) && ok;
}

/*-------------------------------------------------------- text output */

static void print_conf(const check_result *r)
{
    printf("configuration file: %s%s\n", r->conf.file ? r->conf.file : "(none)",
           r->conf.file && !r->conf.file_found ? " (not found)" : "");
    printf("provider section:   %s\n",
           r->conf.section ? r->conf.section : "(none: environment only)");
    if (r->loaded.loaded) {
        printf("loaded by OpenSSL:  yes, %s %s, %s\n",
               r->loaded.name ? r->loaded.name : "?",
               r->loaded.version ? r->loaded.version : "?",
               r->loaded.status ? "active" : "inactive");
    } else if (r->loaded.how[0] != '\0') {
        printf("loaded by OpenSSL:  NO (%s: %s)\n", r->loaded.how,
               r->loaded.error ? r->loaded.error : "?");
    }
    if (r->conf.section != NULL && !r->conf.activated && !r->by_name) {
        printf("error: [%s] has no 'activate = 1': programs using this "
               "file do not load the provider\n",
               r->conf.section);
    }
    for (size_t i = 0; i < r->conf.n_unknown; i++) {
        printf("warning: [%s] %s is not a setting of the provider (ignored)\n",
               r->conf.section, r->conf.unknown[i]);
    }
}

static void print_settings(const hwc_settings *st)
{
    printf("\n%-18s %-44s %s\n", "setting", "value", "source");
    for (int s = 0; s < HWC_S_COUNT; s++) {
        printf("%-18s %-44s %s\n", hwc_setting_key(s), shown_value(st, s),
               hwc_setting_source_text(st, s));
    }
}

static void print_text(const check_result *r, int ok)
{
    print_conf(r);
    if (r->st != NULL) {
        print_settings(r->st);
    }
    if (r->auth != NULL) {
        printf("\nauth method: %s\n", hwc_auth_method(r->auth));
    }
    if (r->cl != NULL) {
        printf("\nendpoints:\n");
        for (int s = 0; s < HWC_SVC_COUNT; s++) {
            printf("  %-9s %s\n", hwc_service_name(s),
                   r->endpoint[s] ? r->endpoint[s] : r->endpoint_err[s]);
        }
    }
    if (r->call_ok) {
        printf("\ncall: GET %s/v3/projects?name=%s: ok in %.2f s, project "
               "%s\n",
               r->endpoint[HWC_SVC_IAM], hwc_get(r->st, HWC_S_REGION),
               r->seconds, r->project);
    }
    if (r->expiry != NULL) {
        expiry_print_text(r->expiry);
    }
    printf("\nresult: %s\n", ok ? "ok" : "FAILED");
}

/*-------------------------------------------------------- JSON output */

static json_t *settings_json(const hwc_settings *st)
{
    json_t *a = json_array();

    for (int s = 0; st != NULL && s < HWC_S_COUNT; s++) {
        const char *v = hwc_get(st, s);

        json_array_append_new(
            a, json_pack("{s:s,s:s?,s:s}", "key", hwc_setting_key(s), "value",
                         hwc_setting_is_secret(s) && v ? hwc_mask(v) : v,
                         "source", hwc_setting_source_text(st, s)));
    }
    return a;
}

/* Every service's base URL, or null (with the reason in errors). */
static json_t *endpoints_json(const check_result *r, int errors)
{
    json_t *e = json_object();

    for (int s = 0; r->cl != NULL && s < HWC_SVC_COUNT; s++) {
        const char *v = errors ? r->endpoint_err[s] : r->endpoint[s];

        if (!errors || v != NULL) {
            json_object_set_new(e, hwc_service_name(s),
                                v ? json_string(v) : json_null());
        }
    }
    return e;
}

static json_t *unknown_json(const tool_conf *c)
{
    json_t *a = json_array();

    for (size_t i = 0; i < c->n_unknown; i++) {
        json_array_append_new(a, json_string(c->unknown[i]));
    }
    return a;
}

static json_t *loaded_json(const tool_loaded *l)
{
    return json_pack("{s:b,s:s?,s:s?,s:b,s:s?}", "loaded", l->loaded, "name",
                     l->name, "version", l->version, "active",
                     l->loaded && l->status, "error", l->error);
}

static void print_json(const check_result *r, int ok)
{
    json_t *root = json_pack(
        "{s:s?,s:s?,s:b,s:o,s:o,s:s?,s:o,s:o,s:{s:b,s:s?,s:f},s:b,s:s?}",
        "config_file", r->conf.file, "section", r->conf.section, "activated",
        r->conf.activated, "unknown_keys", unknown_json(&r->conf), "settings",
        settings_json(r->st), "auth", r->auth ? hwc_auth_method(r->auth) : NULL,
        "endpoints", endpoints_json(r, 0), "endpoint_errors",
        endpoints_json(r, 1), "call", "ok", r->call_ok, "project_id",
        r->call_ok ? r->project : NULL, "seconds", r->seconds, "ok", ok,
        "error", r->error);

    json_object_set_new(root, "provider", loaded_json(&r->loaded));
    if (r->expiry != NULL) {
        json_object_set_new(root, "certificates", expiry_json(r->expiry));
    }
    json_dumpf(root, stdout, JSON_INDENT(2));
    fputc('\n', stdout);
    json_decref(root);
}

static void check_result_free(check_result *r)
{
    for (int s = 0; s < HWC_SVC_COUNT; s++) {
        OPENSSL_free(r->endpoint[s]);
        OPENSSL_free(r->endpoint_err[s]);
    }
    hwc_client_free(r->cl);
    hwc_auth_free(r->auth);
    hwc_settings_free(r->st);
    tool_conf_free(&r->conf);
    tool_loaded_free(&r->loaded);
    OPENSSL_free(r->error);
    expiry_free(r->expiry);
}

int cmd_check(const tool_opts *o, int argc, char **argv)
{
    check_result r = {0};
    expiry_opts x = {0};
    tool_opts eo;
    int ok, t, by_name = 0;

    for (int i = 1; i < argc; i++) {
        if (tool_is_help(argv[i])) {
            check_help();
            return EXIT_OK;
        }
        if (strcmp(argv[i], "--by-name") == 0) {
            by_name = 1;
            continue;
        }
        if ((t = expiry_option(&x, argc, argv, &i)) != 0) {
            if (t < 0) {
                return EXIT_USAGE;
            }
            continue;
        }
        return tool_usage_error("check", "unexpected argument '%s'", argv[i]);
    }
    /* first, while the error queue holds nothing of the credentials */
    if (x.on && (r.expiry = expiry_run(&x)) == NULL) {
        return EXIT_FAILED;
    }
    ok = run_check(expiry_tool_opts(r.expiry, o, &eo), by_name, &r);
    if (r.expiry != NULL) {
        ok = expiry_ok(r.expiry) && ok;
    }
    if (o->json) {
        r.error = ok ? NULL : tool_take_errors();
        print_json(&r, ok);
    } else {
        print_text(&r, ok);
    }
    tool_print_errors(); /* on stderr; empty after --json took them */
    if (r.expiry != NULL) {
        expiry_report_failures(r.expiry);
        ok = expiry_write_textfile(r.expiry, ok) && ok;
    }
    check_result_free(&r);
    return ok ? EXIT_OK : EXIT_FAILED;
}
