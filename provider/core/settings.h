/*
 * settings.h: every configuration value, where it came from, and its
 * validation. Precedence: URI query > openssl.cnf > HWCLOUD_* environment
 * > HUAWEICLOUD_SDK_* environment > default.
 */
#ifndef HWC_SETTINGS_H
#define HWC_SETTINGS_H

#include <stddef.h>

enum hwc_setting {
    HWC_S_REGION = 0,
    HWC_S_CLOUD,
    HWC_S_PROJECT_ID,
    HWC_S_DOMAIN_ID,
    HWC_S_ENDPOINT,
    HWC_S_IAM_ENDPOINT,
    HWC_S_KMS_ENDPOINT,
    HWC_S_SCM_ENDPOINT,
    HWC_S_DCS_ENDPOINT,
    HWC_S_CODEARTS_ENDPOINT,
    HWC_S_CA_FILE,
    HWC_S_AUTH,
    HWC_S_TOKEN,
    HWC_S_TOKEN_FILE,
    HWC_S_IAM_USER,
    HWC_S_IAM_PASSWORD,
    HWC_S_IAM_PASSWORD_FILE,
    HWC_S_IAM_DOMAIN,
    HWC_S_AGENCY_NAME,
    HWC_S_AGENCY_DOMAIN,
    HWC_S_ACCESS_KEY,
    HWC_S_SECRET_KEY,
    HWC_S_SECRET_KEY_FILE,
    HWC_S_SECURITY_TOKEN,
    HWC_S_METADATA_ENDPOINT,
    HWC_S_TIMEOUT,
    HWC_S_CONNECT_TIMEOUT,
    HWC_S_RETRIES,
    HWC_S_DEBUG,
    HWC_S_CACHE_TTL,
    HWC_S_URI_PEM,
    HWC_S_URI_PEM_ALLOW,
    HWC_S_URI_PEM_OVERRIDES,
    HWC_S_DCS_DOWNLOAD_HOSTS,
    HWC_S_PROXY,
    HWC_S_MAX_CONNECTIONS,
    HWC_S_COUNT
};

enum hwc_source {
    HWC_SRC_UNSET = 0,
    HWC_SRC_DEFAULT,
    HWC_SRC_SDK_ENV, /* HUAWEICLOUD_SDK_* */
    HWC_SRC_ENV,     /* HWCLOUD_* */
    HWC_SRC_CONF,    /* openssl.cnf provider section */
    HWC_SRC_URI,     /* ?region= / ?project_id= of one URI */
};

typedef struct hwc_settings {
    char *val[HWC_S_COUNT];
    enum hwc_source src[HWC_S_COUNT];
    const char *src_var[HWC_S_COUNT]; /* environment variable used */
} hwc_settings;

/* Bounds of max_connections (per provider instance, for KMS requests
 * made from ASYNC jobs; default 64). */
#define HWC_MIN_CONNECTIONS 1
#define HWC_MAX_CONNECTIONS 1024

/* Bounds of timeout and connect_timeout, in seconds. */
#define HWC_MIN_TIMEOUT 1
#define HWC_MAX_TIMEOUT 3600

/* openssl.cnf key of a setting, e.g. "kms_endpoint". */
const char *hwc_setting_key(enum hwc_setting s);
/* HWCLOUD_* environment variable of a setting, or NULL (uri_pem). */
const char *hwc_setting_env(enum hwc_setting s);
int hwc_setting_is_secret(enum hwc_setting s);
/* "openssl.cnf", "HWCLOUD_REGION", "default", "URI", "unset". */
const char *hwc_setting_source_text(const hwc_settings *st, enum hwc_setting s);

hwc_settings *hwc_settings_new(void);
hwc_settings *hwc_settings_dup(const hwc_settings *st);
void hwc_settings_free(hwc_settings *st);

/* Sets a value with its source (copies; "" counts as unset). */
int hwc_settings_set(hwc_settings *st, enum hwc_setting s, const char *v,
                     enum hwc_source src);
/* Looks up an openssl.cnf key; -1 if unknown. */
int hwc_setting_by_key(const char *key);
/* Fills what openssl.cnf left unset from the environment, then defaults. */
int hwc_settings_load_env(hwc_settings *st);
/* Validates every value; raises HWC_R_CONFIG naming setting and source. */
int hwc_settings_validate(const hwc_settings *st);

const char *hwc_get(const hwc_settings *st, enum hwc_setting s);
/* Numeric settings with their defaults applied. */
long hwc_get_long(const hwc_settings *st, enum hwc_setting s, long dflt);
int hwc_get_bool(const hwc_settings *st, enum hwc_setting s);

/* OBS, where DCS presigned links point: Huawei Cloud, its European
 * region, the old domain, Open Telekom Cloud. */
#define HWC_DCS_DOWNLOAD_HOSTS                                                 \
    "myhuaweicloud.com, myhuaweicloud.eu, myhwclouds.com, otc.t-systems.com"
/* Whether list is host names (a name also stands for its subdomains) or
 * IP literals, separated by commas or white space. */
int hwc_valid_host_list(const char *list);

/* Whether list is a valid uri_pem_allow value: patterns ("*" or starting
 * with kms:, scm:, dcs:, codearts:; '*' and [..] wildcards, no '?') split
 * by commas or white space. uripolicy.c matches URIs against them. */
int hwc_uri_allow_list_valid(const char *list);
#define HWC_URI_PATTERN_MAX 300
/* The next pattern of such a list into out; 0 at the end. */
int hwc_next_pattern(const char **list, char *out, size_t cap);

/* Validators shared with the URI parser. */
int hwc_valid_region(const char *v);
int hwc_valid_project_id(const char *v);
int hwc_valid_domain_id(const char *v);

#endif /* HWC_SETTINGS_H */
