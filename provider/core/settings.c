/*
 * settings.c: the configuration table (openssl.cnf key, environment
 * variables, default, validation) and where each value came from, so that
 * errors and `hwcloud-store check` can say which source a bad value has.
 */
#define _GNU_SOURCE /* secure_getenv */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/hwc.h"
#include "core/settings.h"

enum kind { K_TEXT, K_SECRET, K_URL, K_HTTP_URL, K_FILE, K_NUM, K_BOOL };

struct setting_def {
    const char *key;
    const char *env;     /* HWCLOUD_* */
    const char *sdk_env; /* HUAWEICLOUD_SDK_*, or NULL */
    const char *dflt;
    enum kind kind;
};

static const struct setting_def defs[HWC_S_COUNT] = {
    [HWC_S_REGION] = {"region", "HWCLOUD_REGION", NULL, NULL, K_TEXT},
    [HWC_S_CLOUD] = {"cloud", "HWCLOUD_CLOUD", NULL, "huaweicloud", K_TEXT},
    [HWC_S_PROJECT_ID] = {"project_id", "HWCLOUD_PROJECT_ID",
                          "HUAWEICLOUD_SDK_PROJECT_ID", NULL, K_TEXT},
    [HWC_S_DOMAIN_ID] = {"domain_id", "HWCLOUD_DOMAIN_ID",
                         "HUAWEICLOUD_SDK_DOMAIN_ID", NULL, K_TEXT},
    [HWC_S_ENDPOINT] = {"endpoint", "HWCLOUD_ENDPOINT", NULL, NULL, K_URL},
    [HWC_S_IAM_ENDPOINT] = {"iam_endpoint", "HWCLOUD_IAM_ENDPOINT",
                            "HUAWEICLOUD_SDK_IAM_ENDPOINT", NULL, K_URL},
    [HWC_S_KMS_ENDPOINT] = {"kms_endpoint", "HWCLOUD_KMS_ENDPOINT", NULL, NULL,
                            K_URL},
    [HWC_S_SCM_ENDPOINT] = {"scm_endpoint", "HWCLOUD_SCM_ENDPOINT", NULL, NULL,
                            K_URL},
    [HWC_S_DCS_ENDPOINT] = {"dcs_endpoint", "HWCLOUD_DCS_ENDPOINT", NULL, NULL,
                            K_URL},
    [HWC_S_CODEARTS_ENDPOINT] = {"codearts_endpoint",
                                 "HWCLOUD_CODEARTS_ENDPOINT", NULL, NULL,
                                 K_URL},
    [HWC_S_CA_FILE] = {"ca_file", "HWCLOUD_CA_FILE", NULL, NULL, K_FILE},
    [HWC_S_AUTH] = {"auth", "HWCLOUD_AUTH", NULL, "auto", K_TEXT},
    [HWC_S_TOKEN] = {"token", "HWCLOUD_TOKEN", NULL, NULL, K_SECRET},
    [HWC_S_TOKEN_FILE] = {"token_file", "HWCLOUD_TOKEN_FILE", NULL, NULL,
                          K_FILE},
    [HWC_S_IAM_USER] = {"iam_user", "HWCLOUD_IAM_USER", NULL, NULL, K_TEXT},
    [HWC_S_IAM_PASSWORD] = {"iam_password", "HWCLOUD_IAM_PASSWORD", NULL, NULL,
                            K_SECRET},
    [HWC_S_IAM_PASSWORD_FILE] = {"iam_password_file",
                                 "HWCLOUD_IAM_PASSWORD_FILE", NULL, NULL,
                                 K_FILE},
    [HWC_S_IAM_DOMAIN] = {"iam_domain", "HWCLOUD_IAM_DOMAIN", NULL, NULL,
                          K_TEXT},
    [HWC_S_AGENCY_NAME] = {"agency_name", "HWCLOUD_AGENCY_NAME", NULL, NULL,
                           K_TEXT},
    [HWC_S_AGENCY_DOMAIN] = {"agency_domain", "HWCLOUD_AGENCY_DOMAIN", NULL,
                             NULL, K_TEXT},
    [HWC_S_ACCESS_KEY] = {"access_key", "HWCLOUD_ACCESS_KEY",
                          "HUAWEICLOUD_SDK_AK", NULL, K_TEXT},
    [HWC_S_SECRET_KEY] = {"secret_key", "HWCLOUD_SECRET_KEY",
                          "HUAWEICLOUD_SDK_SK", NULL, K_SECRET},
    [HWC_S_SECRET_KEY_FILE] = {"secret_key_file", "HWCLOUD_SECRET_KEY_FILE",
                               NULL, NULL, K_FILE},
    [HWC_S_SECURITY_TOKEN] = {"security_token", "HWCLOUD_SECURITY_TOKEN",
                              "HUAWEICLOUD_SDK_SECURITY_TOKEN", NULL, K_SECRET},
    [HWC_S_METADATA_ENDPOINT] = {"metadata_endpoint",
                                 "HWCLOUD_METADATA_ENDPOINT", NULL, NULL,
                                 K_HTTP_URL},
    [HWC_S_TIMEOUT] = {"timeout", "HWCLOUD_TIMEOUT", NULL, "30", K_NUM},
    [HWC_S_CONNECT_TIMEOUT] = {"connect_timeout", "HWCLOUD_CONNECT_TIMEOUT",
                               NULL, "10", K_NUM},
    [HWC_S_RETRIES] = {"retries", "HWCLOUD_RETRIES", NULL, "3", K_NUM},
    [HWC_S_DEBUG] = {"debug", "HWCLOUD_DEBUG", NULL, "0", K_BOOL},
    [HWC_S_CACHE_TTL] = {"cache_ttl", "HWCLOUD_CACHE_TTL", NULL, "300", K_NUM},
    /* Deliberately no environment switch: see docs/security.md. */
    [HWC_S_URI_PEM] = {"uri_pem", NULL, NULL, "no", K_BOOL},
    /* What wrapped URIs may name: openssl.cnf only, like uri_pem. */
    [HWC_S_URI_PEM_ALLOW] = {"uri_pem_allow", NULL, NULL, NULL, K_TEXT},
    [HWC_S_URI_PEM_OVERRIDES] = {"uri_pem_overrides", NULL, NULL, "no", K_BOOL},
    [HWC_S_DCS_DOWNLOAD_HOSTS] = {"dcs_download_hosts",
                                  "HWCLOUD_DCS_DOWNLOAD_HOSTS", NULL,
                                  HWC_DCS_DOWNLOAD_HOSTS, K_TEXT},
    /* Not http_proxy & co. (docs/security.md): only this, by name. */
    [HWC_S_PROXY] = {"proxy", "HWCLOUD_PROXY", NULL, NULL, K_HTTP_URL},
    [HWC_S_MAX_CONNECTIONS] = {"max_connections", "HWCLOUD_MAX_CONNECTIONS",
                               NULL, "64", K_NUM},
};

const char *hwc_setting_key(enum hwc_setting s)
{
    return s < HWC_S_COUNT ? defs[s].key : "?";
}

const char *hwc_setting_env(enum hwc_setting s)
{
    return s < HWC_S_COUNT ? defs[s].env : NULL;
}

int hwc_setting_is_secret(enum hwc_setting s)
{
    return s < HWC_S_COUNT && defs[s].kind == K_SECRET;
}

int hwc_setting_by_key(const char *key)
{
    for (int i = 0; i < HWC_S_COUNT; i++) {
        if (strcmp(defs[i].key, key) == 0) {
            return i;
        }
    }
    return -1;
}

const char *hwc_setting_source_text(const hwc_settings *st, enum hwc_setting s)
{
    switch (st->src[s]) {
    case HWC_SRC_URI:
        return "URI";
    case HWC_SRC_CONF:
        return "openssl.cnf";
    case HWC_SRC_ENV:
    case HWC_SRC_SDK_ENV:
        return st->src_var[s] ? st->src_var[s] : "environment";
    case HWC_SRC_DEFAULT:
        return "default";
    default:
        return "unset";
    }
}

hwc_settings *hwc_settings_new(void)
{
    hwc_settings *st = OPENSSL_zalloc(sizeof(*st));

    if (st == NULL) {
        hwc_raise(HWC_R_MALLOC, "allocating settings");
    }
    return st;
}

void hwc_settings_free(hwc_settings *st)
{
    if (st == NULL) {
        return;
    }
    for (int i = 0; i < HWC_S_COUNT; i++) {
        hwc_secret_free(st->val[i]);
    }
    OPENSSL_clear_free(st, sizeof(*st));
}

hwc_settings *hwc_settings_dup(const hwc_settings *st)
{
    hwc_settings *d = hwc_settings_new();

    if (d == NULL) {
        return NULL;
    }
    for (int i = 0; i < HWC_S_COUNT; i++) {
        if (st->val[i] != NULL &&
            (d->val[i] = OPENSSL_strdup(st->val[i])) == NULL) {
            hwc_settings_free(d);
            hwc_raise(HWC_R_MALLOC, "copying settings");
            return NULL;
        }
        d->src[i] = st->src[i];
        d->src_var[i] = st->src_var[i];
    }
    return d;
}

int hwc_settings_set(hwc_settings *st, enum hwc_setting s, const char *v,
                     enum hwc_source src)
{
    if (v != NULL && *v == '\0') {
        v = NULL;
    }
    if (!hwc_str_set(&st->val[s], v)) {
        hwc_raise(HWC_R_MALLOC, "storing setting %s", defs[s].key);
        return 0;
    }
    st->src[s] = v != NULL ? src : HWC_SRC_UNSET;
    st->src_var[s] = NULL;
    return 1;
}

/* The SDKs take HUAWEICLOUD_SDK_IAM_ENDPOINT without a scheme as https. */
static int set_sdk_host(hwc_settings *st, enum hwc_setting s, const char *v,
                        const char *var)
{
    hwc_buf url = {0};
    int ok = hwc_buf_printf(&url, "https://%s", v) &&
             hwc_buf_cstr(&url) != NULL &&
             hwc_settings_set(st, s, (const char *)url.data, HWC_SRC_SDK_ENV);

    hwc_buf_free(&url);
    if (ok) {
        st->src_var[s] = var;
    }
    return ok;
}

static int set_from_env(hwc_settings *st, enum hwc_setting s, const char *var,
                        enum hwc_source src)
{
    /* Never from the environment of a setuid or setcap program, whose
     * caller chooses it: OpenSSL reads its own variables the same way. */
    const char *v = var != NULL ? secure_getenv(var) : NULL;

    if (v == NULL || *v == '\0') {
        return 1;
    }
    if (src == HWC_SRC_SDK_ENV && defs[s].kind == K_URL &&
        strstr(v, "://") == NULL) {
        return set_sdk_host(st, s, v, var);
    }
    if (!hwc_settings_set(st, s, v, src)) {
        return 0;
    }
    st->src_var[s] = var;
    return 1;
}

int hwc_settings_load_env(hwc_settings *st)
{
    for (int i = 0; i < HWC_S_COUNT; i++) {
        if (st->val[i] != NULL) {
            continue;
        }
        if (!set_from_env(st, i, defs[i].env, HWC_SRC_ENV)) {
            return 0;
        }
        if (st->val[i] == NULL &&
            !set_from_env(st, i, defs[i].sdk_env, HWC_SRC_SDK_ENV)) {
            return 0;
        }
        if (st->val[i] == NULL && defs[i].dflt != NULL &&
            !hwc_settings_set(st, i, defs[i].dflt, HWC_SRC_DEFAULT)) {
            return 0;
        }
    }
    return 1;
}

const char *hwc_get(const hwc_settings *st, enum hwc_setting s)
{
    return st->val[s];
}

long hwc_get_long(const hwc_settings *st, enum hwc_setting s, long dflt)
{
    const char *v = st->val[s];
    char *end;
    long n;

    if (v == NULL) {
        return dflt;
    }
    n = strtol(v, &end, 10);
    return (*end == '\0' && n >= 0) ? n : dflt;
}

static int parse_bool(const char *v, int *out)
{
    static const char *yes[] = {"1", "yes", "true", "on"};
    static const char *no[] = {"0", "no", "false", "off"};

    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(v, yes[i]) == 0) {
            *out = 1;
            return 1;
        }
        if (strcasecmp(v, no[i]) == 0) {
            *out = 0;
            return 1;
        }
    }
    return 0;
}

int hwc_get_bool(const hwc_settings *st, enum hwc_setting s)
{
    int b = 0;

    return st->val[s] != NULL && parse_bool(st->val[s], &b) && b;
}

static int all_chars(const char *v, const char *set, size_t min, size_t max)
{
    size_t n = strlen(v);

    return n >= min && n <= max && strspn(v, set) == n;
}

int hwc_valid_region(const char *v)
{
    return v != NULL &&
           all_chars(v, "abcdefghijklmnopqrstuvwxyz0123456789-", 1, 64);
}

int hwc_valid_project_id(const char *v)
{
    return v != NULL && all_chars(v, "0123456789abcdef", 32, 32);
}

int hwc_valid_host_list(const char *list)
{
    const char *p = list;
    int any = 0;

    if (strlen(list) >= 4096) {
        return 0;
    }
    while (*(p += strspn(p, ", \t")) != '\0') {
        size_t n = strcspn(p, ", \t");

        if (n > 253 || strspn(p, "abcdefghijklmnopqrstuvwxyz"
                                 "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                 "0123456789.-[]:") < n) {
            return 0;
        }
        any = 1;
        p += n;
    }
    return any;
}

int hwc_next_pattern(const char **list, char *out, size_t cap)
{
    const char *p = *list + strspn(*list, ", \t");
    size_t n = strcspn(p, ", \t");

    if (n == 0) {
        return 0;
    }
    snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), p);
    *list = p + n;
    return 1;
}

static int pattern_valid(const char *pat)
{
    static const char *const schemes[] = {"kms:", "scm:", "dcs:", "codearts:"};

    if (strcmp(pat, "*") == 0) {
        return 1;
    }
    for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
        if (strncmp(pat, schemes[i], strlen(schemes[i])) == 0) {
            return strcspn(pat, "?\\") == strlen(pat);
        }
    }
    return 0;
}

int hwc_uri_allow_list_valid(const char *list)
{
    char pat[HWC_URI_PATTERN_MAX];
    int any = 0;

    if (strlen(list) >= 4096) {
        return 0;
    }
    while (hwc_next_pattern(&list, pat, sizeof(pat))) {
        if (strlen(pat) >= sizeof(pat) - 1 || !pattern_valid(pat)) {
            return 0;
        }
        any = 1;
    }
    return any;
}

int hwc_valid_domain_id(const char *v)
{
    return v != NULL &&
           all_chars(v, "0123456789abcdefghijklmnopqrstuvwxyz", 32, 32);
}

/* https://host[:port][/path] with a host of sane characters only. */
static int valid_url(const char *v, int allow_http)
{
    const char *rest;

    if (strncmp(v, "https://", 8) == 0) {
        rest = v + 8;
    } else if (allow_http && strncmp(v, "http://", 7) == 0) {
        rest = v + 7;
    } else {
        return 0;
    }
    size_t hostlen = strcspn(rest, "/");
    if (hostlen == 0 || strcspn(rest, "?#@ \t\r\n") < strlen(rest)) {
        return 0;
    }
    for (size_t i = 0; i < hostlen; i++) {
        unsigned char c = (unsigned char)rest[i];
        if (!isalnum(c) && strchr(".-:[]", c) == NULL) {
            return 0;
        }
    }
    return 1;
}

static int validate_one(const hwc_settings *st, enum hwc_setting s)
{
    const char *v = st->val[s];
    int ok = 1, b;

    switch (defs[s].kind) {
    case K_URL:
        ok = valid_url(v, 0);
        break;
    case K_HTTP_URL:
        ok = valid_url(v, 1);
        break;
    case K_NUM:
        ok = hwc_get_long(st, s, -1) >= 0 && strlen(v) < 10;
        break;
    case K_BOOL:
        ok = parse_bool(v, &b);
        break;
    default:
        ok = strcspn(v, "\r\n") == strlen(v);
        break;
    }
    if (s == HWC_S_TIMEOUT || s == HWC_S_CONNECT_TIMEOUT) {
        /* 0 is "no limit" to libcurl: a stalled API would hang forever. */
        long n = hwc_get_long(st, s, -1);
        ok = ok && n >= HWC_MIN_TIMEOUT && n <= HWC_MAX_TIMEOUT;
    } else if (s == HWC_S_MAX_CONNECTIONS) {
        long n = hwc_get_long(st, s, -1);
        ok = ok && n >= HWC_MIN_CONNECTIONS && n <= HWC_MAX_CONNECTIONS;
    } else if (s == HWC_S_URI_PEM_ALLOW) {
        ok = hwc_uri_allow_list_valid(v);
    } else if (s == HWC_S_DCS_DOWNLOAD_HOSTS) {
        ok = hwc_valid_host_list(v);
    } else if (s == HWC_S_REGION) {
        ok = hwc_valid_region(v);
    } else if (s == HWC_S_PROJECT_ID) {
        ok = hwc_valid_project_id(v);
    } else if (s == HWC_S_DOMAIN_ID) {
        ok = hwc_valid_domain_id(v);
    } else if (s == HWC_S_CLOUD) {
        ok = strcmp(v, "huaweicloud") == 0 || strcmp(v, "otc") == 0;
    } else if (s == HWC_S_AUTH) {
        static const char *methods[] = {"auto",   "token", "password",
                                        "agency", "aksk",  "metadata"};
        ok = 0;
        for (size_t i = 0; i < 6; i++) {
            ok |= strcmp(v, methods[i]) == 0;
        }
    }
    return ok;
}

static const char *expected_form(enum hwc_setting s)
{
    switch (s) {
    case HWC_S_REGION:
        return "lower-case letters, digits and '-', at most 64";
    case HWC_S_PROJECT_ID:
        return "32 lower-case hex digits";
    case HWC_S_DOMAIN_ID:
        return "32 lower-case letters or digits";
    case HWC_S_CLOUD:
        return "huaweicloud or otc";
    case HWC_S_AUTH:
        return "auto, token, password, agency, aksk or metadata";
    case HWC_S_DCS_DOWNLOAD_HOSTS:
        return "host names or IP addresses separated by commas, e.g. "
               "myhuaweicloud.com, otc.t-systems.com";
    case HWC_S_URI_PEM_ALLOW:
        return "URI patterns starting with kms:, scm:, dcs: or codearts: (or "
               "*), separated by commas, e.g. kms:key/*, scm:cert/scs1590*";
    case HWC_S_MAX_CONNECTIONS:
        return "a whole number from " HWC_STR(
            HWC_MIN_CONNECTIONS) " to " HWC_STR(HWC_MAX_CONNECTIONS);
    case HWC_S_TIMEOUT:
    case HWC_S_CONNECT_TIMEOUT:
        return "a whole number of seconds from " HWC_STR(
            HWC_MIN_TIMEOUT) " to " HWC_STR(HWC_MAX_TIMEOUT) " (0 would "
                                                             "mean no limit)";
    default:
        break;
    }
    switch (defs[s].kind) {
    case K_URL:
        return "an https:// URL";
    case K_HTTP_URL:
        return "an http:// or https:// URL";
    case K_NUM:
        return "a non-negative whole number";
    case K_BOOL:
        return "yes or no";
    default:
        return "a single line of text";
    }
}

int hwc_settings_validate(const hwc_settings *st)
{
    for (int i = 0; i < HWC_S_COUNT; i++) {
        if (st->val[i] == NULL || validate_one(st, i)) {
            continue;
        }
        /* Secrets are never echoed, even when they are malformed. */
        hwc_raise(HWC_R_CONFIG, "setting %s (from %s): %s%s%s: expected %s",
                  defs[i].key, hwc_setting_source_text(st, i),
                  defs[i].kind == K_SECRET ? "" : "'",
                  defs[i].kind == K_SECRET ? "value" : st->val[i],
                  defs[i].kind == K_SECRET ? "" : "'", expected_form(i));
        return 0;
    }
    return 1;
}
