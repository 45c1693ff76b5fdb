/*
 * auth_login.c: auth=password and auth=agency, IAM logins whose tokens are
 * cached per project scope until shortly before they expire. The cache is
 * shared by all threads with one login per scope at a time, the others
 * waiting for it: a restarted nginx with 64 workers must not log in 64
 * times, and a wrong password must not be tried by each of them (IAM
 * locks accounts after a few failures).
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth/auth_internal.h"
#include "auth/iam.h"

/* A project scope by id or by name (region); neither: the domain. */
struct scope {
    enum tok_kind kind;
    const char *id;
    const char *name;
};

/*------------------------------------------------------- IAM calls */

static const hwc_auth_ops user_ops;

static int do_login(hwc_auth *a, const hwc_call *c, const struct scope *s,
                    hwc_iam_token *out)
{
    const char *dom = hwc_get(a->st, HWC_S_IAM_DOMAIN);
    const char *adom = hwc_get(a->st, HWC_S_AGENCY_DOMAIN);
    hwc_iam_scope is = {s->id, s->name, dom};
    hwc_call ic;
    char *url = hwc_auth_iam_call(a, c, &ic);
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
        hwc_raise(HWC_R_AUTH,
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
    return e->token != NULL && hwc_auth_now() < e->refresh_at;
}

static void entry_store(hwc_auth *a, struct tok_entry *e, hwc_iam_token *t)
{
    hwc_secret_free(e->token);
    e->token = t->token;
    t->token = NULL;
    e->refresh_at = hwc_auth_refresh_at(hwc_auth_now(), t->lifetime);
    e->gen = hwc_auth_next_gen();
    if (t->project_id[0] != '\0') {
        memcpy(e->id, t->project_id, sizeof(e->id));
    }
    if (t->project_name[0] != '\0') {
        memcpy(e->name, t->project_name, sizeof(e->name));
    }
    if (e->id[0] != '\0' && e->name[0] != '\0') {
        hwc_auth_projs_add(a, e->name,
                           e->id); /* later calls then scope by id */
    }
    if (e->kind == TK_PRIMARY) {
        hwc_auth_domain_remember(a, t->domain_id);
    }
    hwc_debug("auth: new %s token, scope %s, refreshed in %ld s",
              e->kind == TK_USER ? "user" : "project",
              e->domain  ? "domain"
              : e->id[0] ? e->id
                         : e->name,
              e->refresh_at - hwc_auth_now());
}

/* Copies what a caller needs out of e (under the lock). */
static int entry_copy(const struct tok_entry *e, char **tok, unsigned long *gen,
                      char *pid)
{
    if ((*tok = OPENSSL_strdup(e->token)) == NULL) {
        hwc_raise(HWC_R_MALLOC, "copying a token");
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
        pthread_cond_wait(&a->cond, &a->lock.mu);
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
    hwc_forklock_lock(&a->lock);
    if ((e = wait_flight(a, s, &failed)) != NULL && entry_fresh(e)) {
        ok = entry_copy(e, tok, gen, pid);
        hwc_forklock_unlock(&a->lock);
        return ok;
    }
    if (e == NULL && (e = entry_new(a, s)) == NULL) {
        hwc_forklock_unlock(&a->lock);
        hwc_raise(HWC_R_AUTH, "%s: too many logins in flight", c->what);
        return 0;
    }
    if (failed) {
        hwc_forklock_unlock(&a->lock);
        hwc_raise(HWC_R_AUTH,
                  "%s: the IAM login another thread made for this request "
                  "failed (see the debug log)",
                  c->what);
        return 0;
    }
    e->busy = 1;
    e->flights++;
    hwc_forklock_unlock(&a->lock);
    ok = do_login(a, c, s, &t); /* no lock held during I/O */
    hwc_forklock_lock(&a->lock);
    e->busy = 0;
    e->last_failed = !ok;
    if (ok) {
        entry_store(a, e, &t);
        ok = entry_copy(e, tok, gen, pid);
    }
    pthread_cond_broadcast(&a->cond);
    hwc_forklock_unlock(&a->lock);
    hwc_iam_token_clear(&t);
    return ok;
}

/* Marks the token of s stale, unless another thread already replaced the
 * one this thread was refused (then that new token is used). */
static void invalidate(hwc_auth *a, const struct scope *s)
{
    struct tok_entry *e;

    hwc_forklock_lock(&a->lock);
    if ((e = entry_find(a, s)) != NULL && !e->busy &&
        e->gen == hwc_auth_applied_gen[s->kind]) {
        e->refresh_at = 0;
    }
    hwc_forklock_unlock(&a->lock);
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
    hwc_auth_applied_gen[s->kind] = gen;
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
    const char *region = hwc_auth_call_region(a, c);

    if (s.id == NULL && region != NULL) {
        s.id = hwc_auth_project_lookup(a, region);
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

static int login_refresh(hwc_auth *a, const hwc_call *c, int expired)
{
    struct scope s = call_scope(a, c);

    (void)expired; /* either way, a new login */
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

static int user_refresh(void *auth, const hwc_call *c, const char *code,
                        const char *msg)
{
    struct scope s = {TK_USER, NULL, NULL};

    (void)code, (void)msg; /* either way, a new login */
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
    if (!hwc_auth_read_secret(a, HWC_S_IAM_PASSWORD, HWC_S_IAM_PASSWORD_FILE,
                              &a->password)) {
        return 0;
    }
    if (hwc_get(a->st, HWC_S_IAM_USER) == NULL || a->password == NULL ||
        hwc_get(a->st, HWC_S_IAM_DOMAIN) == NULL) {
        hwc_raise(
            HWC_R_AUTH,
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
        hwc_raise(HWC_R_AUTH,
                  "auth=agency needs agency_name (HWCLOUD_AGENCY_NAME) and, "
                  "for another account's agency, agency_domain");
        return 0;
    }
    return 1;
}

/* A region-scoped login names its project (auth.c's discovery). */
static int login_discover(hwc_auth *a, const hwc_call *c, char out[33])
{
    struct scope s = {TK_PRIMARY, NULL, c->region};
    char *tok = NULL;
    unsigned long gen;

    if (!get_token(a, c, &s, &tok, &gen, out)) {
        return 0;
    }
    hwc_secret_free(tok);
    if (!hwc_valid_project_id(out)) {
        hwc_raise(HWC_R_BAD_RESPONSE,
                  "%s: IAM's token for region %s names no project; set "
                  "project_id",
                  c->what, c->region);
        return 0;
    }
    return 1;
}

/* A login's token names the account it acts in: for an agency, the
 * delegating one. */
static int login_domain(hwc_auth *a, const hwc_call *c, char out[33])
{
    struct scope s = call_scope(a, c);
    char *tok = NULL;
    unsigned long gen;

    if (!get_token(a, c, &s, &tok, &gen, NULL)) {
        return 0;
    }
    hwc_secret_free(tok);
    hwc_forklock_lock(&a->lock);
    memcpy(out, a->domain, 33);
    hwc_forklock_unlock(&a->lock);
    if (out[0] == '\0') {
        hwc_raise(HWC_R_BAD_RESPONSE,
                  "%s: IAM's token names no account; set domain_id", c->what);
        return 0;
    }
    return 1;
}

const struct method hwc_auth_by_agency = {
    "agency",          agency_init,    login_apply,  login_refresh,
    agency_configured, login_discover, login_domain,
};

const struct method hwc_auth_by_password = {
    "password",          password_init,  login_apply,  login_refresh,
    password_configured, login_discover, login_domain,
};
