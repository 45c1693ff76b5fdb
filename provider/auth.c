/*
 * auth.c: choosing the credential method and applying it to each request.
 * Each method is a small table entry; the service clients only ever see
 * hwc_auth_ops_default.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

#include "auth.h"

struct hwc_auth {
    const struct method *m;
    hwc_settings *st;   /* own copy: secrets live as long as the auth */
    char *token;        /* static token (token method) */
};

struct method {
    const char *name;
    int (*init)(hwc_auth *a);
    int (*apply)(hwc_auth *a, const hwc_call *c, const char *host,
                 const char *path, const unsigned char *body, size_t len,
                 hwc_hdrs *h);
    int (*refresh)(hwc_auth *a, const hwc_call *c);
    /* Settings that select this method under auth=auto. */
    enum hwc_setting selectors[3];
};

char *hwc_read_secret_file(const char *setting, const char *path)
{
    struct stat sb;
    FILE *f;
    hwc_buf b = {0};
    char chunk[4096];
    size_t n;

    if ((f = fopen(path, "r")) == NULL || fstat(fileno(f), &sb) != 0) {
        hwc_raise(NULL, HWC_R_CONFIG, "%s: cannot read %s: %s", setting, path,
                  strerror(errno));
        if (f != NULL) {
            fclose(f);
        }
        return NULL;
    }
    if (sb.st_mode & S_IROTH) {
        fclose(f);
        hwc_raise(NULL, HWC_R_CONFIG,
                  "%s: %s is readable by others; chmod o-r it", setting, path);
        return NULL;
    }
    if (sb.st_mode & S_IRGRP) {
        hwc_debug("warning: %s: %s is readable by its group", setting, path);
    }
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 &&
           b.len < 4 * 1024 * 1024) {
        hwc_buf_append(&b, chunk, n);
    }
    OPENSSL_cleanse(chunk, sizeof(chunk));
    fclose(f);
    while (b.len > 0 && (b.data[b.len - 1] == '\n' ||
                         b.data[b.len - 1] == '\r')) {
        b.data[--b.len] = '\0';
    }
    if (b.len == 0 || memchr(b.data, '\n', b.len) != NULL) {
        hwc_buf_free(&b);
        hwc_raise(NULL, HWC_R_CONFIG, "%s: %s must hold one non-empty line",
                  setting, path);
        return NULL;
    }
    return (char *)hwc_buf_steal(&b, NULL);
}

/* A secret from its inline setting or its *_file setting. */
static char *secret_value(const hwc_settings *st, enum hwc_setting inl,
                          enum hwc_setting file)
{
    char *v;

    if (hwc_get(st, file) != NULL) {
        return hwc_read_secret_file(hwc_setting_key(file), hwc_get(st, file));
    }
    if (hwc_get(st, inl) == NULL) {
        return NULL;
    }
    if ((v = OPENSSL_strdup(hwc_get(st, inl))) == NULL) {
        hwc_raise(NULL, HWC_R_MALLOC, "copying a secret");
    }
    return v;
}

/*------------------------------------------------------- static token */

static int token_init(hwc_auth *a)
{
    a->token = secret_value(a->st, HWC_S_TOKEN, HWC_S_TOKEN_FILE);
    if (a->token == NULL) {
        hwc_raise(NULL, HWC_R_AUTH,
                  "auth=token needs token, token_file, HWCLOUD_TOKEN or "
                  "HWCLOUD_TOKEN_FILE");
        return 0;
    }
    return 1;
}

static int token_apply(hwc_auth *a, const hwc_call *c, const char *host,
                       const char *path, const unsigned char *body,
                       size_t len, hwc_hdrs *h)
{
    const char *configured = hwc_get(a->st, HWC_S_PROJECT_ID);

    (void)host, (void)path, (void)body, (void)len;
    /* A token is scoped to one project: another project cannot work. */
    if (c->project_id != NULL && configured != NULL &&
        strcmp(c->project_id, configured) != 0) {
        hwc_raise(NULL, HWC_R_AUTH,
                  "%s: project_id %s differs from the configured project %s, "
                  "and a static token is scoped to one project",
                  c->what, c->project_id, configured);
        return 0;
    }
    return hwc_hdrs_add(h, "X-Auth-Token", a->token);
}

static int token_refresh(hwc_auth *a, const hwc_call *c)
{
    (void)a;
    hwc_raise(NULL, HWC_R_TOKEN_EXPIRED,
              "%s: the configured token was refused (expired or revoked); "
              "configure a new token or a login method (auth=password)",
              c->what);
    return 0;
}

/*------------------------------------------------------- method table */

static const struct method methods[] = {
    {"token", token_init, token_apply, token_refresh,
     {HWC_S_TOKEN, HWC_S_TOKEN_FILE, HWC_S_TOKEN}},
};

static const struct method *find_method(const hwc_settings *st)
{
    const char *want = hwc_get(st, HWC_S_AUTH);
    size_t n = sizeof(methods) / sizeof(methods[0]);

    for (size_t i = 0; i < n; i++) {
        if (want != NULL && strcmp(want, "auto") != 0) {
            if (strcmp(want, methods[i].name) == 0) {
                return &methods[i];
            }
            continue;
        }
        for (size_t j = 0; j < 3; j++) {
            if (hwc_get(st, methods[i].selectors[j]) != NULL) {
                return &methods[i];
            }
        }
    }
    if (want != NULL && strcmp(want, "auto") != 0) {
        hwc_raise(NULL, HWC_R_AUTH, "auth=%s is not available in this build",
                  want);
    } else {
        hwc_raise(NULL, HWC_R_AUTH,
                  "no credentials configured: looked for token/token_file "
                  "(HWCLOUD_TOKEN, HWCLOUD_TOKEN_FILE) in openssl.cnf and the "
                  "environment");
    }
    return NULL;
}

hwc_auth *hwc_auth_new(const hwc_settings *st)
{
    hwc_auth *a = OPENSSL_zalloc(sizeof(*a));

    if (a == NULL || (a->st = hwc_settings_dup(st)) == NULL) {
        OPENSSL_free(a);
        hwc_raise(NULL, HWC_R_MALLOC, "allocating credentials");
        return NULL;
    }
    if ((a->m = find_method(st)) == NULL || !a->m->init(a)) {
        hwc_auth_free(a);
        return NULL;
    }
    hwc_debug("auth method: %s", a->m->name);
    return a;
}

void hwc_auth_free(hwc_auth *a)
{
    if (a == NULL) {
        return;
    }
    hwc_secret_free(a->token);
    hwc_settings_free(a->st);
    OPENSSL_clear_free(a, sizeof(*a));
}

const char *hwc_auth_method(const hwc_auth *a)
{
    return a != NULL && a->m != NULL ? a->m->name : "none";
}

static int ops_apply(void *auth, const hwc_call *c, const char *host,
                     const char *path, const unsigned char *body, size_t len,
                     hwc_hdrs *h)
{
    hwc_auth *a = auth;

    return a->m->apply(a, c, host, path, body, len, h);
}

static int ops_refresh(void *auth, const hwc_call *c)
{
    hwc_auth *a = auth;

    return a->m->refresh(a, c);
}

static const char *ops_name(void *auth)
{
    return hwc_auth_method(auth);
}

const hwc_auth_ops hwc_auth_ops_default = {ops_apply, ops_refresh, ops_name};
