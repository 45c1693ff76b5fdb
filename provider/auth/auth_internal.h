/*
 * auth_internal.h: what the auth*.c files share and nobody else sees: the
 * hwc_auth layout, the method table entry each method file defines, and
 * the few helpers auth.c lends to the methods. Include only from auth*.c.
 */
#ifndef HWC_AUTH_INTERNAL_H
#define HWC_AUTH_INTERNAL_H

#include <pthread.h>
#include <time.h>

#include "auth/auth.h"
#include "auth/metadata.h"

#define MAX_TOKENS 16   /* project scopes one process uses */
#define MAX_PROJECTS 16 /* regions whose project id was discovered */

enum tok_kind { TK_PRIMARY, TK_USER }; /* TK_USER: agency's own login */

/* One cached IAM token (auth_login.c). */
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

/* The cached metadata credentials (auth_metadata.c). */
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
    hwc_forklock lock;    /* tokens, projects, md (never held for I/O) */
    pthread_cond_t cond;  /* a login finished (waits on lock.mu) */
    pthread_mutex_t disc; /* one project discovery at a time; held for
                             I/O, so no forklock: the child re-makes it */
    struct tok_entry toks[MAX_TOKENS];
    struct proj_entry projs[MAX_PROJECTS];
    char domain[33]; /* the account, once known (under lock) */
    struct md_state md;
};

typedef int apply_fn(hwc_auth *a, const hwc_call *c, const char *host,
                     const char *path, const unsigned char *body, size_t len,
                     hwc_hdrs *h);

struct method {
    const char *name;
    int (*init)(hwc_auth *a);
    apply_fn *apply;
    /* expired: the service said the credential expired (else it refused
     * it for another reason, or did not say). */
    int (*refresh)(hwc_auth *a, const hwc_call *c, int expired);
    /* Whether this method's settings are present (auth=auto). */
    int (*configured)(const hwc_settings *st);
    /* The project id of c->region from a region-scoped login; NULL for
     * methods that cannot log in (auth.c then asks IAM). */
    int (*discover)(hwc_auth *a, const hwc_call *c, char out[33]);
    /* The account id from a login's token; NULL: auth.c asks IAM
     * (GET /v3/auth/domains). */
    int (*discover_domain)(hwc_auth *a, const hwc_call *c, char out[33]);
};

/* Whether a service's refusal (error code, message) says the credential
 * expired. */
int hwc_auth_refusal_expired(const char *code, const char *msg);

/* The methods, one file each; auth.c orders them for auth=auto. */
extern const struct method hwc_auth_by_token;    /* auth_token.c */
extern const struct method hwc_auth_by_aksk;     /* auth_aksk.c */
extern const struct method hwc_auth_by_agency;   /* auth_login.c */
extern const struct method hwc_auth_by_password; /* auth_login.c */
extern const struct method hwc_auth_by_metadata; /* auth_metadata.c */

static inline long hwc_auth_now(void)
{
    return (long)time(NULL);
}

/* Token generations, unique per process (shared by logins and metadata):
 * a refresh() tells by them whether the credential it was refused is
 * still the cached one. applied_gen is what this thread last sent, by
 * tok_kind. */
unsigned long hwc_auth_next_gen(void);
extern _Thread_local unsigned long hwc_auth_applied_gen[2];

/* *out: a secret from its *_file setting, else its inline setting, else
 * NULL. 0 (with an error raised) only when a set one cannot be read. */
int hwc_auth_read_secret(const hwc_auth *a, enum hwc_setting inl,
                         enum hwc_setting file, char **out);

/* The call's region, else the configured one. */
const char *hwc_auth_call_region(const hwc_auth *a, const hwc_call *c);

/* The known project id of region, or NULL (takes a->lock). */
const char *hwc_auth_project_lookup(hwc_auth *a, const char *region);

/* Under a->lock: remembers region's project id; NULL when the table is
 * full. The string lives as long as a. */
const char *hwc_auth_projs_add(hwc_auth *a, const char *region, const char *id);

/* Under a->lock: remembers the account id a login's token named. */
void hwc_auth_domain_remember(hwc_auth *a, const char *id);

/* An IAM call inheriting what, transport, retries and deadline from c, to
 * iam_endpoint, else endpoint, else the cloud's IAM host for c's region;
 * no auth set. Returns its base URL (OPENSSL_free it), NULL with an error. */
char *hwc_auth_iam_call(const hwc_auth *a, const hwc_call *c, hwc_call *out);

/* AK/SK pair for hwc_auth_sign (auth_aksk.c). */
struct hwc_auth_keys {
    const char *ak, *sk, *security_token;
};

/* Adds the signed headers and Authorization for one request (AK/SK and
 * metadata credentials). */
int hwc_auth_sign(hwc_auth *a, const hwc_call *c, const char *host,
                  const char *path, const unsigned char *body, size_t len,
                  const struct hwc_auth_keys *k, hwc_hdrs *h);

#endif /* HWC_AUTH_INTERNAL_H */
