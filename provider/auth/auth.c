/*
 * auth.c: the hwc_auth and choosing its credential method. Each method is
 * a table entry in its own file (auth_token.c, auth_aksk.c, auth_login.c,
 * auth_metadata.c); the service clients only ever see
 * hwc_auth_ops_default. Here also is what the methods share: secret
 * files, the project ids of regions, token generations and fork safety (a
 * forked child inherits the methods' caches, whole: the auth's lock is an
 * hwc_forklock).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "auth/auth_internal.h"
#include "auth/iam.h"

#define MARGIN_S 300

/*------------------------------------------------------- for the methods */

/* Token generations: unique per process, so a refresh() can tell whether
 * the token it was refused is still the cached one. */
static unsigned long gen_counter;
_Thread_local unsigned long hwc_auth_applied_gen[2];

unsigned long hwc_auth_next_gen(void)
{
    return __atomic_add_fetch(&gen_counter, 1, __ATOMIC_RELAXED);
}

long hwc_auth_refresh_at(long now, long lifetime)
{
    long margin = lifetime / 2 < MARGIN_S ? lifetime / 2 : MARGIN_S;

    /* An answer already expired by our clock is used briefly rather than
     * re-requested for every call. */
    return lifetime > 0 ? now + lifetime - margin : now + 30;
}

const char *hwc_auth_call_region(const hwc_auth *a, const hwc_call *c)
{
    return c->region != NULL ? c->region : hwc_get(a->st, HWC_S_REGION);
}

/*------------------------------------------------------- fork safety */

/*
 * In a forked child (its lock is a forklock: whole and released there),
 * the threads that were logging in or discovering are gone: their logins
 * never finish and their waiters never wake. Start those afresh.
 */
static void fork_child(void *arg)
{
    hwc_auth *a = arg;

    pthread_cond_init(&a->cond, NULL);
    pthread_mutex_init(&a->disc, NULL);
    for (size_t i = 0; i < MAX_TOKENS; i++) {
        a->toks[i].busy = 0;
    }
    a->md.busy = 0;
}

/*------------------------------------------------------- secret files */

/*
 * Who else could read or replace the secret: a file readable by others
 * leaks it, one that others (or its group) can write, or that another user
 * owns, lets them swap in credentials of their own, so that requests go
 * out under an identity they control. root may own it (as OpenSSH accepts
 * for the files it trusts): root can change anything anyway.
 */
static int secret_file_safe(const char *setting, const char *path,
                            const struct stat *sb)
{
    const char *why = NULL;

    if (sb->st_mode & S_IROTH) {
        why = "is readable by others; chmod o-r it";
    } else if (sb->st_mode & (S_IWOTH | S_IWGRP)) {
        why = "is writable by its group or others; chmod go-w it";
    } else if (sb->st_uid != geteuid() && sb->st_uid != 0) {
        why = "is owned by another user; chown it to the user that reads it "
              "(or root)";
    }
    if (why != NULL) {
        hwc_raise(HWC_R_CONFIG, "%s: %s %s", setting, path, why);
        return 0;
    }
    return 1;
}

char *hwc_read_secret_file(const char *setting, const char *path)
{
    struct stat sb;
    int fd;
    hwc_buf b = {0};
    char chunk[4096];
    ssize_t n;

    /* read(2), not stdio: its buffer would keep a copy, freed unwiped. */
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &sb) != 0) {
        hwc_raise(HWC_R_CONFIG, "%s: cannot read %s: %s", setting, path,
                  strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return NULL;
    }
    if (!secret_file_safe(setting, path, &sb)) {
        close(fd);
        return NULL;
    }
    if (sb.st_mode & S_IRGRP) {
        hwc_debug("warning: %s: %s is readable by its group", setting, path);
    }
    while ((n = read(fd, chunk, sizeof(chunk))) > 0 &&
           b.len < 4 * 1024 * 1024) {
        hwc_buf_append(&b, chunk, (size_t)n);
    }
    OPENSSL_cleanse(chunk, sizeof(chunk));
    close(fd);
    while (b.len > 0 &&
           (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r')) {
        b.data[--b.len] = '\0';
    }
    if (b.len == 0 || memchr(b.data, '\n', b.len) != NULL) {
        hwc_buf_free(&b);
        hwc_raise(HWC_R_CONFIG, "%s: %s must hold one non-empty line", setting,
                  path);
        return NULL;
    }
    return (char *)hwc_buf_steal(&b, NULL);
}

/* A secret from its *_file setting, else its inline setting; NULL with
 * no error when neither is set. */
int hwc_auth_read_secret(const hwc_auth *a, enum hwc_setting inl,
                         enum hwc_setting file, char **out)
{
    *out = NULL;
    if (hwc_get(a->st, file) != NULL) {
        *out =
            hwc_read_secret_file(hwc_setting_key(file), hwc_get(a->st, file));
        return *out != NULL;
    }
    if (hwc_get(a->st, inl) == NULL) {
        return 1;
    }
    if ((*out = OPENSSL_strdup(hwc_get(a->st, inl))) == NULL) {
        hwc_raise(HWC_R_MALLOC, "copying a secret");
        return 0;
    }
    return 1;
}

/*------------------------------------------------------- project ids */

/* Under a->lock. Entries are never rewritten, so their strings may be
 * handed out for as long as the auth lives. */
static const char *projs_find(const hwc_auth *a, const char *region)
{
    for (size_t i = 0; i < MAX_PROJECTS && a->projs[i].region[0]; i++) {
        if (strcmp(a->projs[i].region, region) == 0) {
            return a->projs[i].id;
        }
    }
    return NULL;
}

/* Under a->lock; NULL when the table is full. */
const char *hwc_auth_projs_add(hwc_auth *a, const char *region, const char *id)
{
    const char *have = projs_find(a, region);
    size_t i;

    if (have != NULL) {
        return have;
    }
    for (i = 0; i < MAX_PROJECTS && a->projs[i].region[0]; i++) {
    }
    if (i == MAX_PROJECTS || strlen(region) >= sizeof(a->projs[i].region) ||
        !hwc_valid_project_id(id)) {
        return NULL;
    }
    memcpy(a->projs[i].id, id, 33);
    memcpy(a->projs[i].region, region, strlen(region) + 1);
    return a->projs[i].id;
}

const char *hwc_auth_project_lookup(hwc_auth *a, const char *region)
{
    const char *id;

    hwc_forklock_lock(&a->lock);
    id = projs_find(a, region);
    hwc_forklock_unlock(&a->lock);
    return id;
}

static const char *project_remember(hwc_auth *a, const char *region,
                                    const char *id)
{
    const char *out;

    hwc_forklock_lock(&a->lock);
    out = hwc_auth_projs_add(a, region, id);
    hwc_forklock_unlock(&a->lock);
    if (out == NULL) {
        hwc_raise(HWC_R_CONFIG,
                  "more than %d regions without project_id; set project_id",
                  MAX_PROJECTS);
    }
    return out;
}

/*------------------------------------------------------- IAM calls */

/* iam_endpoint, else endpoint, else the cloud's IAM host for region. */
static char *iam_url(const hwc_auth *a, const char *region)
{
    const char *v = hwc_get(a->st, HWC_S_IAM_ENDPOINT);
    const char *cloud = hwc_get(a->st, HWC_S_CLOUD);
    char *url;
    size_t n;

    if (v == NULL) {
        v = hwc_get(a->st, HWC_S_ENDPOINT);
    }
    if (v == NULL && region == NULL) {
        hwc_raise(HWC_R_CONFIG,
                  "no IAM endpoint: set region (HWCLOUD_REGION) or "
                  "iam_endpoint");
        return NULL;
    }
    if (v == NULL) {
        return hwc_endpoint_default(cloud && strcmp(cloud, "otc") == 0
                                        ? HWC_CLOUD_OTC
                                        : HWC_CLOUD_HUAWEI,
                                    region, HWC_SVC_IAM);
    }
    if ((url = OPENSSL_strdup(v)) == NULL) {
        hwc_raise(HWC_R_MALLOC, "copying an endpoint");
        return NULL;
    }
    for (n = strlen(url); n > 0 && url[n - 1] == '/'; n--) {
        url[n - 1] = '\0';
    }
    return url;
}

char *hwc_auth_iam_call(const hwc_auth *a, const hwc_call *c, hwc_call *out)
{
    const char *region = hwc_auth_call_region(a, c);
    char *url = iam_url(a, region);

    memset(out, 0, sizeof(*out));
    out->what = c->what;
    out->service = HWC_SVC_IAM;
    out->base_url = url;
    out->domain_id = c->domain_id;
    out->region = region;
    out->http = c->http;
    out->retries = c->retries;
    out->deadline_ms = c->deadline_ms;
    return url;
}

/*------------------------------------------------------- the account */

void hwc_auth_domain_remember(hwc_auth *a, const char *id)
{
    if (a->domain[0] == '\0' && hwc_valid_domain_id(id)) {
        memcpy(a->domain, id, 33);
    }
}

/* Under a->disc: a login's token names it; others ask IAM. */
static int discover_domain(hwc_auth *a, const hwc_call *c, char out[33])
{
    hwc_call ic;
    char *url;
    int ok;

    if (a->m->discover_domain != NULL) {
        return a->m->discover_domain(a, c, out);
    }
    if ((url = hwc_auth_iam_call(a, c, &ic)) == NULL) {
        return 0;
    }
    ic.auth_ops = &hwc_auth_ops_default;
    ic.auth = a;
    if (!(ok = hwc_iam_domain_id(&ic, out))) {
        hwc_raise(HWC_R_CONFIG,
                  "%s: the account id was not found (IAM GET "
                  "/v3/auth/domains); set domain_id (HWCLOUD_DOMAIN_ID)",
                  c->what);
    }
    OPENSSL_free(url);
    return ok;
}

const char *hwc_auth_domain_id(hwc_auth *a, const hwc_call *c)
{
    const char *conf = hwc_get(a->st, HWC_S_DOMAIN_ID);
    char found[33] = "";
    const char *id = NULL;

    if (conf != NULL) {
        return conf;
    }
    pthread_mutex_lock(&a->disc);
    hwc_forklock_lock(&a->lock);
    if (a->domain[0] != '\0') {
        id = a->domain;
    }
    hwc_forklock_unlock(&a->lock);
    if (id == NULL && discover_domain(a, c, found)) {
        hwc_debug("auth: the account is %s", found);
        hwc_forklock_lock(&a->lock);
        hwc_auth_domain_remember(a, found);
        id = a->domain;
        hwc_forklock_unlock(&a->lock);
    }
    pthread_mutex_unlock(&a->disc);
    return id;
}

/*------------------------------------------------------- method table */

/* Also the auth=auto order (documented in docs/authentication.md). */
static const struct method *const methods[] = {
    &hwc_auth_by_token,    &hwc_auth_by_aksk,     &hwc_auth_by_agency,
    &hwc_auth_by_password, &hwc_auth_by_metadata,
};
#define NMETHODS (sizeof(methods) / sizeof(methods[0]))

static const struct method *find_method(const hwc_settings *st)
{
    const char *want = hwc_get(st, HWC_S_AUTH);
    int any = want == NULL || strcmp(want, "auto") == 0;

    for (size_t i = 0; i < NMETHODS; i++) {
        if (any ? methods[i]->configured(st)
                : strcmp(want, methods[i]->name) == 0) {
            return methods[i];
        }
    }
    if (!any) {
        hwc_raise(HWC_R_AUTH, "auth=%s is not a known method", want);
        return NULL;
    }
    hwc_raise(HWC_R_AUTH,
              "no credentials configured (auth=auto): looked for, in this "
              "order, token or token_file (HWCLOUD_TOKEN, HWCLOUD_TOKEN_FILE); "
              "access_key with secret_key or secret_key_file "
              "(HWCLOUD_ACCESS_KEY, HWCLOUD_SECRET_KEY[_FILE], "
              "HUAWEICLOUD_SDK_AK/SK); agency_name (HWCLOUD_AGENCY_NAME); "
              "iam_user with iam_password or iam_password_file and iam_domain "
              "(HWCLOUD_IAM_*); metadata_endpoint (HWCLOUD_METADATA_ENDPOINT), "
              "in openssl.cnf and the environment. The ECS metadata service "
              "is asked only with auth=metadata or metadata_endpoint");
    return NULL;
}

static hwc_auth *auth_alloc(const hwc_settings *st)
{
    hwc_auth *a = OPENSSL_zalloc(sizeof(*a));

    if (a == NULL || (a->st = hwc_settings_dup(st)) == NULL) {
        OPENSSL_free(a);
        hwc_raise(HWC_R_MALLOC, "allocating credentials");
        return NULL;
    }
    hwc_forklock_init(&a->lock, fork_child, a);
    pthread_cond_init(&a->cond, NULL);
    pthread_mutex_init(&a->disc, NULL);
    return a;
}

hwc_auth *hwc_auth_new(const hwc_settings *st)
{
    hwc_auth *a = auth_alloc(st);

    if (a == NULL) {
        return NULL;
    }
    if ((a->m = find_method(st)) == NULL || !a->m->init(a)) {
        hwc_auth_free(a);
        return NULL;
    }
    if (hwc_get(st, HWC_S_REGION) != NULL &&
        hwc_get(st, HWC_S_PROJECT_ID) != NULL) {
        hwc_auth_projs_add(a, hwc_get(st, HWC_S_REGION),
                           hwc_get(st, HWC_S_PROJECT_ID));
    }
    hwc_debug("auth method: %s", a->m->name);
    return a;
}

void hwc_auth_free(hwc_auth *a)
{
    if (a == NULL) {
        return;
    }
    for (size_t i = 0; i < MAX_TOKENS; i++) {
        hwc_secret_free(a->toks[i].token);
    }
    hwc_md_cred_clear(&a->md.cred);
    hwc_md_session_clear(&a->md.ses);
    hwc_secret_free(a->token);
    hwc_secret_free(a->password);
    hwc_secret_free(a->ak);
    hwc_secret_free(a->sk);
    OPENSSL_free(a->md_base);
    hwc_settings_free(a->st);
    hwc_forklock_destroy(&a->lock);
    pthread_cond_destroy(&a->cond);
    pthread_mutex_destroy(&a->disc);
    OPENSSL_clear_free(a, sizeof(*a));
}

const char *hwc_auth_method(const hwc_auth *a)
{
    return a != NULL && a->m != NULL ? a->m->name : "none";
}

/*------------------------------------------------------- discovery */

/* A region-scoped login names its project; others ask IAM for it. */
static int discover(hwc_auth *a, const hwc_call *tmpl, const char *region,
                    char out[33])
{
    hwc_call c = *tmpl;

    if (a->m->discover == NULL) {
        c.auth_ops = &hwc_auth_ops_default;
        c.auth = a;
        return hwc_iam_project_id(&c, region, out);
    }
    c.region = region;
    return a->m->discover(a, &c, out);
}

const char *hwc_auth_project_id(hwc_auth *a, const hwc_call *tmpl,
                                const char *region)
{
    const char *id;
    char found[33] = "";

    pthread_mutex_lock(&a->disc);
    if ((id = hwc_auth_project_lookup(a, region)) == NULL &&
        discover(a, tmpl, region, found)) {
        hwc_debug("auth: region %s is project %s", region, found);
        id = project_remember(a, region, found);
    }
    pthread_mutex_unlock(&a->disc);
    return id;
}

/*------------------------------------------------------- ops */

static int ops_apply(void *auth, const hwc_call *c, const char *host,
                     const char *path, const unsigned char *body, size_t len,
                     hwc_hdrs *h)
{
    hwc_auth *a = auth;

    return a->m->apply(a, c, host, path, body, len, h);
}

/* What a refusal says: expired, by the code the service gives an expired
 * token, or in words (APIG: "Incorrect IAM authentication information:
 * token expired"). IAM's own 401 says neither. */
int hwc_auth_refusal_expired(const char *code, const char *msg)
{
    static const char *const codes[] = {"KMS.0303", "SCM.0303", "DCS.1002"};

    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        if (strcmp(code, codes[i]) == 0) {
            return 1;
        }
    }
    return strstr(msg, "expired") != NULL || strstr(msg, "Expired") != NULL;
}

static int ops_refresh(void *auth, const hwc_call *c, const char *code,
                       const char *msg)
{
    hwc_auth *a = auth;

    return a->m->refresh(a, c, hwc_auth_refusal_expired(code, msg));
}

static const char *ops_name(void *auth)
{
    return hwc_auth_method(auth);
}

const hwc_auth_ops hwc_auth_ops_default = {ops_apply, ops_refresh, ops_name};
