/*
 * auth.c: choosing the credential method and applying it to each request.
 * Each method is a small table entry; the service clients only ever see
 * hwc_auth_ops_default. Login-based methods (password, agency) and the
 * metadata method keep what they obtained in a cache shared by all
 * threads: one login per scope at a time, the others wait for it (a
 * restarted nginx with 64 workers must not log in 64 times). A forked
 * child inherits the cache; its locks are re-made by an atfork handler.
 */
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/crypto.h>

#include "auth.h"
#include "iam.h"
#include "metadata.h"
#include "signer.h"

#define MAX_TOKENS 16   /* project scopes one process uses */
#define MAX_PROJECTS 16 /* regions whose project id was discovered */
#define MARGIN_S 300

enum tok_kind { TK_PRIMARY, TK_USER }; /* TK_USER: agency's own login */

/* A project scope by id or by name (region); neither: the domain. */
struct scope {
    enum tok_kind kind;
    const char *id;
    const char *name;
};

struct tok_entry {
    int used, busy, domain;
    enum tok_kind kind;
    char id[33], name[65]; /* the scope IAM granted */
    char *token;
    long refresh_at;
    unsigned long gen;     /* which token a refresh() refers to */
    unsigned long flights; /* logins started */
    int last_failed;       /* the last one failed */
};

struct proj_entry {
    char region[65];
    char id[33];
};

struct md_state {
    hwc_md_cred cred;
    hwc_md_session ses;
    long refresh_at;
    unsigned long gen;
    int busy;
};

struct hwc_auth {
    const struct method *m;
    hwc_settings *st;     /* own copy: secrets live as long as the auth */
    char *token;          /* static token */
    char *password;       /* IAM password (password, agency) */
    char *ak, *sk;        /* static AK/SK */
    char *md_base;        /* metadata service base URL */
    pthread_mutex_t lock; /* tokens, projects, md (never held for I/O) */
    pthread_cond_t cond;  /* a login finished */
    pthread_mutex_t disc; /* one project discovery at a time */
    struct tok_entry toks[MAX_TOKENS];
    struct proj_entry projs[MAX_PROJECTS];
    struct md_state md;
    hwc_auth *next; /* in the list the fork handler walks */
};

typedef int apply_fn(hwc_auth *a, const hwc_call *c, const char *host,
                     const char *path, const unsigned char *body, size_t len,
                     hwc_hdrs *h);

struct method {
    const char *name;
    int (*init)(hwc_auth *a);
    apply_fn *apply;
    int (*refresh)(hwc_auth *a, const hwc_call *c);
    /* Whether this method's settings are present (auth=auto). */
    int (*configured)(const hwc_settings *st);
};

/* Token generations: unique per process, so a refresh() can tell whether
 * the token it was refused is still the cached one. */
static unsigned long gen_counter;
static _Thread_local unsigned long applied_gen[2];

static long now_s(void)
{
    return (long)time(NULL);
}

long hwc_auth_refresh_at(long now, long lifetime)
{
    long margin = lifetime / 2 < MARGIN_S ? lifetime / 2 : MARGIN_S;

    /* An answer already expired by our clock is used briefly rather than
     * re-requested for every call. */
    return lifetime > 0 ? now + lifetime - margin : now + 30;
}

/*------------------------------------------------------- fork safety */

static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t fork_once = PTHREAD_ONCE_INIT;
static hwc_auth *live;

/* Locks held by parent threads at fork stay held forever in the child;
 * logins in flight there never finish. Start both afresh. */
static void fork_child(void)
{
    pthread_mutex_init(&live_lock, NULL);
    for (hwc_auth *a = live; a != NULL; a = a->next) {
        pthread_mutex_init(&a->lock, NULL);
        pthread_cond_init(&a->cond, NULL);
        pthread_mutex_init(&a->disc, NULL);
        for (size_t i = 0; i < MAX_TOKENS; i++) {
            a->toks[i].busy = 0;
        }
        a->md.busy = 0;
    }
}

/* The atfork handler cannot be removed: keep the module mapped so that a
 * fork after the provider was unloaded does not jump into freed code. */
static void pin_module(void)
{
    Dl_info info;

    if (dladdr((void *)fork_child, &info) != 0 && info.dli_fname != NULL) {
        (void)dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
    }
}

static void fork_init(void)
{
    pin_module();
    pthread_atfork(NULL, NULL, fork_child);
}

static void live_add(hwc_auth *a)
{
    pthread_once(&fork_once, fork_init);
    pthread_mutex_lock(&live_lock);
    a->next = live;
    live = a;
    pthread_mutex_unlock(&live_lock);
}

static void live_remove(hwc_auth *a)
{
    pthread_mutex_lock(&live_lock);
    for (hwc_auth **p = &live; *p != NULL; p = &(*p)->next) {
        if (*p == a) {
            *p = a->next;
            break;
        }
    }
    pthread_mutex_unlock(&live_lock);
}

/*------------------------------------------------------- secret files */

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
    while (b.len > 0 &&
           (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r')) {
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

/* A secret from its *_file setting, else its inline setting; NULL with
 * no error when neither is set. */
static char *secret_value(const hwc_settings *st, enum hwc_setting inl,
                          enum hwc_setting file, int *failed)
{
    char *v;

    *failed = 0;
    if (hwc_get(st, file) != NULL) {
        v = hwc_read_secret_file(hwc_setting_key(file), hwc_get(st, file));
        *failed = v == NULL;
        return v;
    }
    if (hwc_get(st, inl) == NULL) {
        return NULL;
    }
    if ((v = OPENSSL_strdup(hwc_get(st, inl))) == NULL) {
        hwc_raise(NULL, HWC_R_MALLOC, "copying a secret");
        *failed = 1;
    }
    return v;
}

/*------------------------------------------------------- static token */

static int token_configured(const hwc_settings *st)
{
    return hwc_get(st, HWC_S_TOKEN) != NULL ||
           hwc_get(st, HWC_S_TOKEN_FILE) != NULL;
}

static int token_init(hwc_auth *a)
{
    int failed;

    a->token = secret_value(a->st, HWC_S_TOKEN, HWC_S_TOKEN_FILE, &failed);
    if (a->token == NULL && !failed) {
        hwc_raise(NULL, HWC_R_AUTH,
                  "auth=token needs token, token_file, HWCLOUD_TOKEN or "
                  "HWCLOUD_TOKEN_FILE");
    }
    return a->token != NULL;
}

static int token_apply(hwc_auth *a, const hwc_call *c, const char *host,
                       const char *path, const unsigned char *body, size_t len,
                       hwc_hdrs *h)
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
static const char *projs_add(hwc_auth *a, const char *region, const char *id)
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

static const char *project_lookup(hwc_auth *a, const char *region)
{
    const char *id;

    pthread_mutex_lock(&a->lock);
    id = projs_find(a, region);
    pthread_mutex_unlock(&a->lock);
    return id;
}

static const char *project_remember(hwc_auth *a, const char *region,
                                    const char *id)
{
    const char *out;

    pthread_mutex_lock(&a->lock);
    out = projs_add(a, region, id);
    pthread_mutex_unlock(&a->lock);
    if (out == NULL) {
        hwc_raise(NULL, HWC_R_CONFIG,
                  "more than %d regions without project_id; set project_id",
                  MAX_PROJECTS);
    }
    return out;
}

/*------------------------------------------------------- IAM calls */

static const char *call_region(const hwc_auth *a, const hwc_call *c)
{
    return c->region != NULL ? c->region : hwc_get(a->st, HWC_S_REGION);
}

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
        hwc_raise(NULL, HWC_R_CONFIG,
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
        hwc_raise(NULL, HWC_R_MALLOC, "copying an endpoint");
        return NULL;
    }
    for (n = strlen(url); n > 0 && url[n - 1] == '/'; n--) {
        url[n - 1] = '\0';
    }
    return url;
}

/* An IAM call inheriting transport, retries and deadline from c. */
static char *iam_call(const hwc_auth *a, const hwc_call *c, hwc_call *out)
{
    const char *region = call_region(a, c);
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

static const hwc_auth_ops user_ops;

static int do_login(hwc_auth *a, const hwc_call *c, const struct scope *s,
                    hwc_iam_token *out)
{
    const char *dom = hwc_get(a->st, HWC_S_IAM_DOMAIN);
    const char *adom = hwc_get(a->st, HWC_S_AGENCY_DOMAIN);
    hwc_iam_scope is = {s->id, s->name, dom};
    hwc_call ic;
    char *url = iam_call(a, c, &ic);
    int ok = 0;

    if (url == NULL) {
        return 0;
    }
    if (s->kind == TK_USER || strcmp(a->m->name, "password") == 0) {
        ok = hwc_iam_password_token(&ic, hwc_get(a->st, HWC_S_IAM_USER),
                                    a->password, dom, &is, out);
    } else {
        ic.auth_ops = &user_ops; /* the delegate user's own token */
        ic.auth = a;
        ok = hwc_iam_agency_token(&ic, adom ? adom : dom,
                                  hwc_get(a->st, HWC_S_AGENCY_NAME), &is, out);
    }
    if (!ok) {
        /* Names who tried to log in where; never the password. */
        hwc_raise(NULL, HWC_R_AUTH,
                  "%s: IAM %s login as %s (domain %s) at %s "
                  "failed",
                  c->what, s->kind == TK_USER ? "password" : a->m->name,
                  hwc_get(a->st, HWC_S_IAM_USER), dom, url);
    }
    OPENSSL_free(url);
    return ok;
}

/*------------------------------------------------------- token cache */

static int entry_matches(const struct tok_entry *e, const struct scope *s)
{
    if (!e->used || e->kind != s->kind) {
        return 0;
    }
    if (s->id != NULL) {
        return strcmp(e->id, s->id) == 0;
    }
    if (s->name != NULL) {
        return strcmp(e->name, s->name) == 0;
    }
    return e->domain;
}

static struct tok_entry *entry_find(hwc_auth *a, const struct scope *s)
{
    for (size_t i = 0; i < MAX_TOKENS; i++) {
        if (entry_matches(&a->toks[i], s)) {
            return &a->toks[i];
        }
    }
    return NULL;
}

/* A free slot, else the idle one that expires first. */
static struct tok_entry *entry_new(hwc_auth *a, const struct scope *s)
{
    struct tok_entry *e = NULL;

    for (size_t i = 0; i < MAX_TOKENS; i++) {
        struct tok_entry *x = &a->toks[i];

        if (!x->used) {
            e = x;
            break;
        }
        if (!x->busy && (e == NULL || x->refresh_at < e->refresh_at)) {
            e = x;
        }
    }
    if (e == NULL) {
        return NULL;
    }
    hwc_secret_free(e->token);
    memset(e, 0, sizeof(*e));
    e->used = 1;
    e->kind = s->kind;
    e->domain = s->id == NULL && s->name == NULL;
    snprintf(e->id, sizeof(e->id), "%s", s->id ? s->id : "");
    snprintf(e->name, sizeof(e->name), "%s", s->name ? s->name : "");
    return e;
}

static int entry_fresh(const struct tok_entry *e)
{
    return e->token != NULL && now_s() < e->refresh_at;
}

static void entry_store(hwc_auth *a, struct tok_entry *e, hwc_iam_token *t)
{
    hwc_secret_free(e->token);
    e->token = t->token;
    t->token = NULL;
    e->refresh_at = hwc_auth_refresh_at(now_s(), t->lifetime);
    e->gen = __atomic_add_fetch(&gen_counter, 1, __ATOMIC_RELAXED);
    if (t->project_id[0] != '\0') {
        memcpy(e->id, t->project_id, sizeof(e->id));
    }
    if (t->project_name[0] != '\0') {
        memcpy(e->name, t->project_name, sizeof(e->name));
    }
    if (e->id[0] != '\0' && e->name[0] != '\0') {
        projs_add(a, e->name, e->id); /* later calls then scope by id */
    }
    hwc_debug("auth: new %s token, scope %s, refreshed in %ld s",
              e->kind == TK_USER ? "user" : "project",
              e->domain  ? "domain"
              : e->id[0] ? e->id
                         : e->name,
              e->refresh_at - now_s());
}

/* Copies what a caller needs out of e (under the lock). */
static int entry_copy(const struct tok_entry *e, char **tok, unsigned long *gen,
                      char *pid)
{
    if ((*tok = OPENSSL_strdup(e->token)) == NULL) {
        hwc_raise(NULL, HWC_R_MALLOC, "copying a token");
        return 0;
    }
    *gen = e->gen;
    if (pid != NULL) {
        memcpy(pid, e->id, sizeof(e->id));
    }
    return 1;
}

/*
 * Under a->lock: the entry of s once no login for it is in flight.
 * *failed is set when this thread waited for a login that failed: a wrong
 * password must not be retried by every waiting thread (IAM locks
 * accounts after a few failures).
 */
static struct tok_entry *wait_flight(hwc_auth *a, const struct scope *s,
                                     int *failed)
{
    struct tok_entry *e;
    unsigned long seen = 0;
    int waited = 0;

    while ((e = entry_find(a, s)) != NULL && !entry_fresh(e) && e->busy) {
        seen = e->flights;
        waited = 1;
        pthread_cond_wait(&a->cond, &a->lock);
    }
    *failed = e != NULL && waited && !entry_fresh(e) && e->last_failed &&
              e->flights == seen;
    return e;
}

/*
 * The cached token for s, logging in when there is none or it is due for
 * refresh. Concurrent callers for the same scope wait for one login.
 * pid (33 bytes, optional) receives the project id IAM granted.
 */
static int get_token(hwc_auth *a, const hwc_call *c, const struct scope *s,
                     char **tok, unsigned long *gen, char *pid)
{
    hwc_iam_token t;
    struct tok_entry *e;
    int ok, failed;

    memset(&t, 0, sizeof(t));
    pthread_mutex_lock(&a->lock);
    if ((e = wait_flight(a, s, &failed)) != NULL && entry_fresh(e)) {
        ok = entry_copy(e, tok, gen, pid);
        pthread_mutex_unlock(&a->lock);
        return ok;
    }
    if (e == NULL && (e = entry_new(a, s)) == NULL) {
        pthread_mutex_unlock(&a->lock);
        hwc_raise(NULL, HWC_R_AUTH, "%s: too many logins in flight", c->what);
        return 0;
    }
    if (failed) {
        pthread_mutex_unlock(&a->lock);
        hwc_raise(NULL, HWC_R_AUTH,
                  "%s: the IAM login another thread made for this request "
                  "failed (see the debug log)",
                  c->what);
        return 0;
    }
    e->busy = 1;
    e->flights++;
    pthread_mutex_unlock(&a->lock);
    ok = do_login(a, c, s, &t); /* no lock held during I/O */
    pthread_mutex_lock(&a->lock);
    e->busy = 0;
    e->last_failed = !ok;
    if (ok) {
        entry_store(a, e, &t);
        ok = entry_copy(e, tok, gen, pid);
    }
    pthread_cond_broadcast(&a->cond);
    pthread_mutex_unlock(&a->lock);
    hwc_iam_token_clear(&t);
    return ok;
}

/* Marks the token of s stale, unless another thread already replaced the
 * one this thread was refused (then that new token is used). */
static void invalidate(hwc_auth *a, const struct scope *s)
{
    struct tok_entry *e;

    pthread_mutex_lock(&a->lock);
    if ((e = entry_find(a, s)) != NULL && !e->busy &&
        e->gen == applied_gen[s->kind]) {
        e->refresh_at = 0;
    }
    pthread_mutex_unlock(&a->lock);
}

static int token_header(hwc_auth *a, const hwc_call *c, const struct scope *s,
                        hwc_hdrs *h)
{
    char *tok = NULL;
    unsigned long gen = 0;
    int ok;

    if (!get_token(a, c, s, &tok, &gen, NULL)) {
        return 0;
    }
    applied_gen[s->kind] = gen;
    ok = hwc_hdrs_add(h, "X-Auth-Token", tok);
    hwc_secret_free(tok);
    return ok;
}

static int relogin(hwc_auth *a, const hwc_call *c, const struct scope *s)
{
    char *tok = NULL;
    unsigned long gen;

    hwc_debug("auth %s: token refused, logging in again", a->m->name);
    invalidate(a, s);
    if (!get_token(a, c, s, &tok, &gen, NULL)) {
        return 0;
    }
    hwc_secret_free(tok);
    return 1;
}

/*------------------------------------------------------- password, agency */

/* The call's project by id; global services and project-less calls by
 * the region's project id when known (one token serves KMS and SCM),
 * else by the region's name; neither: the domain. */
static struct scope call_scope(hwc_auth *a, const hwc_call *c)
{
    struct scope s = {TK_PRIMARY, c->project_id, NULL};
    const char *region = call_region(a, c);

    if (s.id == NULL && region != NULL) {
        s.id = project_lookup(a, region);
        s.name = s.id == NULL ? region : NULL;
    }
    return s;
}

static int login_apply(hwc_auth *a, const hwc_call *c, const char *host,
                       const char *path, const unsigned char *body, size_t len,
                       hwc_hdrs *h)
{
    struct scope s = call_scope(a, c);

    (void)host, (void)path, (void)body, (void)len;
    return token_header(a, c, &s, h);
}

static int login_refresh(hwc_auth *a, const hwc_call *c)
{
    struct scope s = call_scope(a, c);

    return relogin(a, c, &s);
}

/* The agency method's own login: a domain-scoped password token. */
static int user_apply(void *auth, const hwc_call *c, const char *host,
                      const char *path, const unsigned char *body, size_t len,
                      hwc_hdrs *h)
{
    struct scope s = {TK_USER, NULL, NULL};

    (void)host, (void)path, (void)body, (void)len;
    return token_header(auth, c, &s, h);
}

static int user_refresh(void *auth, const hwc_call *c)
{
    struct scope s = {TK_USER, NULL, NULL};

    return relogin(auth, c, &s);
}

static const char *user_name(void *auth)
{
    (void)auth;
    return "password";
}

static const hwc_auth_ops user_ops = {user_apply, user_refresh, user_name};

static int password_configured(const hwc_settings *st)
{
    return hwc_get(st, HWC_S_IAM_USER) != NULL ||
           hwc_get(st, HWC_S_IAM_PASSWORD) != NULL ||
           hwc_get(st, HWC_S_IAM_PASSWORD_FILE) != NULL;
}

static int agency_configured(const hwc_settings *st)
{
    return hwc_get(st, HWC_S_AGENCY_NAME) != NULL;
}

static int password_init(hwc_auth *a)
{
    int failed;

    a->password = secret_value(a->st, HWC_S_IAM_PASSWORD,
                               HWC_S_IAM_PASSWORD_FILE, &failed);
    if (failed) {
        return 0;
    }
    if (hwc_get(a->st, HWC_S_IAM_USER) == NULL || a->password == NULL ||
        hwc_get(a->st, HWC_S_IAM_DOMAIN) == NULL) {
        hwc_raise(
            NULL, HWC_R_AUTH,
            "auth=%s needs iam_user, iam_password or iam_password_file, "
            "and iam_domain (HWCLOUD_IAM_USER, HWCLOUD_IAM_PASSWORD[_FILE],"
            " HWCLOUD_IAM_DOMAIN); missing:%s%s%s",
            a->m->name, hwc_get(a->st, HWC_S_IAM_USER) ? "" : " iam_user",
            a->password ? "" : " iam_password",
            hwc_get(a->st, HWC_S_IAM_DOMAIN) ? "" : " iam_domain");
        return 0;
    }
    return 1;
}

static int agency_init(hwc_auth *a)
{
    if (!password_init(a)) {
        return 0;
    }
    if (hwc_get(a->st, HWC_S_AGENCY_NAME) == NULL) {
        hwc_raise(NULL, HWC_R_AUTH,
                  "auth=agency needs agency_name (HWCLOUD_AGENCY_NAME) and, "
                  "for another account's agency, agency_domain");
        return 0;
    }
    return 1;
}

/*------------------------------------------------------- AK/SK signing */

/* The path of base_url ("https://h/prefix") followed by path: what goes
 * on the request line, hence what is signed. */
static char *request_path(const char *base_url, const char *path)
{
    const char *p = strstr(base_url, "://");
    hwc_buf b = {0};
    size_t n;

    p = p != NULL ? p + 3 : base_url;
    p += strcspn(p, "/");
    n = strlen(p);
    while (n > 0 && p[n - 1] == '/') {
        n--;
    }
    if (!hwc_buf_append(&b, p, n) || !hwc_buf_append_str(&b, path) ||
        hwc_buf_cstr(&b) == NULL) {
        hwc_buf_free(&b);
        hwc_raise(NULL, HWC_R_MALLOC, "building a request path");
        return NULL;
    }
    return (char *)hwc_buf_steal(&b, NULL);
}

/* X-Project-Id for project services, X-Domain-Id for global ones (when
 * known): the gateway reads the scope from them. */
static void scope_header(hwc_auth *a, const hwc_call *c, hwc_header *out)
{
    const char *region = call_region(a, c);

    out->name = NULL;
    if (hwc_service_is_global(c->service)) {
        out->value =
            c->domain_id ? c->domain_id : hwc_get(a->st, HWC_S_DOMAIN_ID);
        out->name = out->value ? "X-Domain-Id" : NULL;
        return;
    }
    out->value = c->project_id;
    if (out->value == NULL && region != NULL) {
        out->value = project_lookup(a, region);
    }
    out->name = out->value ? "X-Project-Id" : NULL;
}

struct aksk {
    const char *ak, *sk, *security_token;
};

static int add_signed(hwc_hdrs *h, const hwc_header *sh, size_t n,
                      const char *authz)
{
    for (size_t i = 0; i < n; i++) {
        if (!hwc_hdrs_add(h, sh[i].name, sh[i].value)) {
            return 0;
        }
    }
    return hwc_hdrs_add(h, "Authorization", authz);
}

/* Signs exactly the headers that are then sent, over the exact body. */
static int sign_request(hwc_auth *a, const hwc_call *c, const char *host,
                        const char *path, const unsigned char *body, size_t len,
                        const struct aksk *k, hwc_hdrs *h)
{
    char date[17];
    hwc_header sh[4];
    size_t n = 0;
    char *full = request_path(c->base_url, path), *authz = NULL;
    int ok = 0;

    hwc_sdk_date(now_s(), date);
    sh[n++] = (hwc_header){"Host", host};
    sh[n++] = (hwc_header){"X-Sdk-Date", date};
    scope_header(a, c, &sh[n]);
    n += sh[n].name != NULL;
    if (k->security_token != NULL) {
        sh[n++] = (hwc_header){"X-Security-Token", k->security_token};
    }
    if (full != NULL) {
        hwc_sign_input in = {c->method, full, c->query, sh, n, body, len};

        authz = hwc_aksk_authorization(k->ak, k->sk, &in);
    }
    ok = authz != NULL && add_signed(h, sh, n, authz);
    hwc_secret_free(authz);
    OPENSSL_free(full);
    return ok;
}

static int aksk_configured(const hwc_settings *st)
{
    return hwc_get(st, HWC_S_ACCESS_KEY) != NULL ||
           hwc_get(st, HWC_S_SECRET_KEY) != NULL ||
           hwc_get(st, HWC_S_SECRET_KEY_FILE) != NULL;
}

static int aksk_init(hwc_auth *a)
{
    int failed;

    a->sk =
        secret_value(a->st, HWC_S_SECRET_KEY, HWC_S_SECRET_KEY_FILE, &failed);
    if (failed) {
        return 0;
    }
    if (hwc_get(a->st, HWC_S_ACCESS_KEY) == NULL || a->sk == NULL) {
        hwc_raise(NULL, HWC_R_AUTH,
                  "auth=aksk needs access_key and secret_key or "
                  "secret_key_file (HWCLOUD_ACCESS_KEY/HUAWEICLOUD_SDK_AK, "
                  "HWCLOUD_SECRET_KEY[_FILE]/HUAWEICLOUD_SDK_SK); missing:%s",
                  hwc_get(a->st, HWC_S_ACCESS_KEY) ? " secret_key"
                                                   : " access_key");
        return 0;
    }
    a->ak = OPENSSL_strdup(hwc_get(a->st, HWC_S_ACCESS_KEY));
    return a->ak != NULL;
}

static int aksk_apply(hwc_auth *a, const hwc_call *c, const char *host,
                      const char *path, const unsigned char *body, size_t len,
                      hwc_hdrs *h)
{
    struct aksk k = {a->ak, a->sk, hwc_get(a->st, HWC_S_SECURITY_TOKEN)};

    return sign_request(a, c, host, path, body, len, &k, h);
}

/* A fixed key pair cannot be renewed: say what to check. */
static int aksk_refresh(hwc_auth *a, const hwc_call *c)
{
    hwc_raise(NULL, HWC_R_AUTH,
              "%s: the service refused the AK/SK signature of access key %s: "
              "check that secret_key belongs to it%s",
              c->what, a->ak,
              hwc_get(a->st, HWC_S_SECURITY_TOKEN)
                  ? " and that security_token has not expired"
                  : "");
    return 0;
}

/*------------------------------------------------------- metadata */

static int md_configured(const hwc_settings *st)
{
    /* Never the link-local default under auto: probing it off ECS hangs
     * for the connect timeout and leaks intent to whoever answers. */
    return hwc_get(st, HWC_S_METADATA_ENDPOINT) != NULL;
}

static int md_init(hwc_auth *a)
{
    const char *v = hwc_get(a->st, HWC_S_METADATA_ENDPOINT);
    size_t n;

    if ((a->md_base = OPENSSL_strdup(v ? v : HWC_METADATA_DEFAULT)) == NULL) {
        hwc_raise(NULL, HWC_R_MALLOC, "copying an endpoint");
        return 0;
    }
    for (n = strlen(a->md_base); n > 0 && a->md_base[n - 1] == '/'; n--) {
        a->md_base[n - 1] = '\0';
    }
    return 1;
}

static int md_fresh(const struct md_state *m)
{
    return m->cred.ak != NULL && now_s() < m->refresh_at;
}

static int md_copy(const struct md_state *m, hwc_md_cred *out,
                   unsigned long *gen)
{
    out->ak = OPENSSL_strdup(m->cred.ak);
    out->sk = OPENSSL_strdup(m->cred.sk);
    out->security_token = OPENSSL_strdup(m->cred.security_token);
    *gen = m->gen;
    if (out->ak == NULL || out->sk == NULL || out->security_token == NULL) {
        hwc_md_cred_clear(out);
        hwc_raise(NULL, HWC_R_MALLOC, "copying credentials");
        return 0;
    }
    return 1;
}

static void md_store(struct md_state *m, hwc_md_cred *fresh)
{
    long now = now_s();

    hwc_md_cred_clear(&m->cred);
    m->cred = *fresh;
    memset(fresh, 0, sizeof(*fresh));
    m->refresh_at = hwc_auth_refresh_at(now, (long)m->cred.expires_at - now);
    m->gen = __atomic_add_fetch(&gen_counter, 1, __ATOMIC_RELAXED);
    hwc_debug("auth metadata: temporary credentials refreshed in %ld s",
              m->refresh_at - now);
}

/* The cached temporary credentials, fetched by one thread when stale. */
static int md_get(hwc_auth *a, const hwc_call *c, hwc_md_cred *out,
                  unsigned long *gen)
{
    hwc_md_cred fresh;
    int ok;

    pthread_mutex_lock(&a->lock);
    while (!md_fresh(&a->md) && a->md.busy) {
        pthread_cond_wait(&a->cond, &a->lock);
    }
    if (md_fresh(&a->md)) {
        ok = md_copy(&a->md, out, gen);
        pthread_mutex_unlock(&a->lock);
        return ok;
    }
    a->md.busy = 1; /* also guards md.ses, used without the lock */
    pthread_mutex_unlock(&a->lock);
    ok = hwc_metadata_fetch(a->md_base, c->http, &a->md.ses, &fresh);
    pthread_mutex_lock(&a->lock);
    a->md.busy = 0;
    if (ok) {
        md_store(&a->md, &fresh);
        ok = md_copy(&a->md, out, gen);
    }
    pthread_cond_broadcast(&a->cond);
    pthread_mutex_unlock(&a->lock);
    return ok;
}

static int md_apply(hwc_auth *a, const hwc_call *c, const char *host,
                    const char *path, const unsigned char *body, size_t len,
                    hwc_hdrs *h)
{
    hwc_md_cred cr;
    unsigned long gen = 0;
    struct aksk k;
    int ok;

    if (!md_get(a, c, &cr, &gen)) {
        return 0;
    }
    applied_gen[TK_PRIMARY] = gen;
    k = (struct aksk){cr.ak, cr.sk, cr.security_token};
    ok = sign_request(a, c, host, path, body, len, &k, h);
    hwc_md_cred_clear(&cr);
    return ok;
}

static int md_refresh(hwc_auth *a, const hwc_call *c)
{
    hwc_md_cred cr;
    unsigned long gen;

    hwc_debug("auth metadata: credentials refused, fetching new ones");
    pthread_mutex_lock(&a->lock);
    if (!a->md.busy && a->md.gen == applied_gen[TK_PRIMARY]) {
        a->md.refresh_at = 0;
    }
    pthread_mutex_unlock(&a->lock);
    if (!md_get(a, c, &cr, &gen)) {
        return 0;
    }
    hwc_md_cred_clear(&cr);
    return 1;
}

/*------------------------------------------------------- method table */

/* Also the auth=auto order (documented in docs/authentication.md). */
static const struct method methods[] = {
    {"token", token_init, token_apply, token_refresh, token_configured},
    {"aksk", aksk_init, aksk_apply, aksk_refresh, aksk_configured},
    {"agency", agency_init, login_apply, login_refresh, agency_configured},
    {"password", password_init, login_apply, login_refresh,
     password_configured},
    {"metadata", md_init, md_apply, md_refresh, md_configured},
};
#define NMETHODS (sizeof(methods) / sizeof(methods[0]))

static const struct method *find_method(const hwc_settings *st)
{
    const char *want = hwc_get(st, HWC_S_AUTH);
    int any = want == NULL || strcmp(want, "auto") == 0;

    for (size_t i = 0; i < NMETHODS; i++) {
        if (any ? methods[i].configured(st)
                : strcmp(want, methods[i].name) == 0) {
            return &methods[i];
        }
    }
    if (!any) {
        hwc_raise(NULL, HWC_R_AUTH, "auth=%s is not a known method", want);
        return NULL;
    }
    hwc_raise(NULL, HWC_R_AUTH,
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
        hwc_raise(NULL, HWC_R_MALLOC, "allocating credentials");
        return NULL;
    }
    pthread_mutex_init(&a->lock, NULL);
    pthread_cond_init(&a->cond, NULL);
    pthread_mutex_init(&a->disc, NULL);
    live_add(a);
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
        projs_add(a, hwc_get(st, HWC_S_REGION), hwc_get(st, HWC_S_PROJECT_ID));
    }
    hwc_debug("auth method: %s", a->m->name);
    return a;
}

void hwc_auth_free(hwc_auth *a)
{
    if (a == NULL) {
        return;
    }
    live_remove(a);
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
    pthread_mutex_destroy(&a->lock);
    pthread_cond_destroy(&a->cond);
    pthread_mutex_destroy(&a->disc);
    OPENSSL_clear_free(a, sizeof(*a));
}

const char *hwc_auth_method(const hwc_auth *a)
{
    return a != NULL && a->m != NULL ? a->m->name : "none";
}

/*------------------------------------------------------- discovery */

static int is_login_method(const hwc_auth *a)
{
    return a->m->apply == login_apply;
}

/* A region-scoped login names its project; others ask IAM for it. */
static int discover(hwc_auth *a, const hwc_call *tmpl, const char *region,
                    char out[33])
{
    struct scope s = {TK_PRIMARY, NULL, region};
    hwc_call c = *tmpl;
    char *tok = NULL;
    unsigned long gen;

    if (!is_login_method(a)) {
        c.auth_ops = &hwc_auth_ops_default;
        c.auth = a;
        return hwc_iam_project_id(&c, region, out);
    }
    c.region = region;
    if (!get_token(a, &c, &s, &tok, &gen, out)) {
        return 0;
    }
    hwc_secret_free(tok);
    if (!hwc_valid_project_id(out)) {
        hwc_raise(NULL, HWC_R_BAD_RESPONSE,
                  "%s: IAM's token for region %s names no project; set "
                  "project_id",
                  tmpl->what, region);
        return 0;
    }
    return 1;
}

const char *hwc_auth_project_id(hwc_auth *a, const hwc_call *tmpl,
                                const char *region)
{
    const char *id;
    char found[33] = "";

    pthread_mutex_lock(&a->disc);
    if ((id = project_lookup(a, region)) == NULL &&
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
