/*
 * auth_metadata.c: auth=metadata, temporary AK/SK credentials from the ECS
 * metadata service, signed like auth=aksk. They are cached until shortly
 * before they expire and shared by every thread: one fetch at a time, the
 * others wait for it.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "auth/auth_internal.h"

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
        hwc_raise(HWC_R_MALLOC, "copying an endpoint");
        return 0;
    }
    for (n = strlen(a->md_base); n > 0 && a->md_base[n - 1] == '/'; n--) {
        a->md_base[n - 1] = '\0';
    }
    return 1;
}

static int md_fresh(const struct md_state *m)
{
    return m->cred.ak != NULL && hwc_auth_now() < m->refresh_at;
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
        hwc_raise(HWC_R_MALLOC, "copying credentials");
        return 0;
    }
    return 1;
}

static void md_store(struct md_state *m, hwc_md_cred *fresh)
{
    long now = hwc_auth_now();

    hwc_md_cred_clear(&m->cred);
    m->cred = *fresh;
    memset(fresh, 0, sizeof(*fresh));
    m->refresh_at = hwc_auth_refresh_at(now, (long)m->cred.expires_at - now);
    m->gen = hwc_auth_next_gen();
    hwc_debug("auth metadata: temporary credentials refreshed in %ld s",
              m->refresh_at - now);
}

/* The cached temporary credentials, fetched by one thread when stale. */
static int md_get(hwc_auth *a, const hwc_call *c, hwc_md_cred *out,
                  unsigned long *gen)
{
    hwc_md_cred fresh;
    int ok;

    hwc_forklock_lock(&a->lock);
    while (!md_fresh(&a->md) && a->md.busy) {
        pthread_cond_wait(&a->cond, &a->lock.mu);
    }
    if (md_fresh(&a->md)) {
        ok = md_copy(&a->md, out, gen);
        hwc_forklock_unlock(&a->lock);
        return ok;
    }
    a->md.busy = 1; /* also guards md.ses, used without the lock */
    hwc_forklock_unlock(&a->lock);
    ok = hwc_metadata_fetch(a->md_base, c->http, &a->md.ses, &fresh);
    hwc_forklock_lock(&a->lock);
    a->md.busy = 0;
    if (ok) {
        md_store(&a->md, &fresh);
        ok = md_copy(&a->md, out, gen);
    }
    pthread_cond_broadcast(&a->cond);
    hwc_forklock_unlock(&a->lock);
    return ok;
}

static int md_apply(hwc_auth *a, const hwc_call *c, const char *host,
                    const char *path, const unsigned char *body, size_t len,
                    hwc_hdrs *h)
{
    hwc_md_cred cr;
    unsigned long gen = 0;
    struct hwc_auth_keys k;
    int ok;

    if (!md_get(a, c, &cr, &gen)) {
        return 0;
    }
    hwc_auth_applied_gen[TK_PRIMARY] = gen;
    k = (struct hwc_auth_keys){cr.ak, cr.sk, cr.security_token};
    ok = hwc_auth_sign(a, c, host, path, body, len, &k, h);
    hwc_md_cred_clear(&cr);
    return ok;
}

static int md_refresh(hwc_auth *a, const hwc_call *c, int expired)
{
    hwc_md_cred cr;
    unsigned long gen;

    (void)expired; /* either way, new temporary credentials */
    hwc_debug("auth metadata: credentials refused, fetching new ones");
    hwc_forklock_lock(&a->lock);
    if (!a->md.busy && a->md.gen == hwc_auth_applied_gen[TK_PRIMARY]) {
        a->md.refresh_at = 0;
    }
    hwc_forklock_unlock(&a->lock);
    if (!md_get(a, c, &cr, &gen)) {
        return 0;
    }
    hwc_md_cred_clear(&cr);
    return 1;
}

const struct method hwc_auth_by_metadata = {
    "metadata", md_init, md_apply, md_refresh, md_configured, NULL, NULL,
};
