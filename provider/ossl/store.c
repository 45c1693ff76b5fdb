/*
 * store.c: the OSSL_STORE loader for kms:, scm:, dcs: and codearts: URIs.
 * open() validates the URI (no request is made for an invalid one); the
 * first load() fetches and decodes everything the URI names; each load()
 * then hands one object to libcrypto, skipping what OSSL_STORE_expect()
 * or a subject search excludes.
 *
 * End of stream after an error: the failing load() returns 0 with the error
 * queued while eof() still says 0, and the next load() returns 0 at once
 * and turns eof() true. Callers that loop on eof() (nginx, stunnel) stop
 * one call later, and `openssl storeutl`, which counts a failure only when
 * eof() is false right after it, exits non-zero instead of reporting
 * success.
 *
 * Built against OpenSSL 3.2 or later, the loader also offers open_ex, so
 * the parameters a caller gives OSSL_STORE_open_ex (expect, subject,
 * alias) arrive with the open itself; 3.0 and 3.1 pass them through
 * set_ctx_params right after open, to the same effect.
 *
 * Ownership of a remote key passed by OSSL_OBJECT_PARAM_REFERENCE: the
 * reference is a pointer to the context's hwc_rkey pointer; keymgmt load()
 * takes its own reference (up-ref) and the context drops its one at close.
 */
#include <string.h>

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/core_object.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/params.h>
#include <openssl/store.h>
#include <openssl/x509.h>

#include "formats/objs.h"
#include "ossl/emit.h"
#include "resolve/fetch.h"
#include "core/hwc.h"
#include "resolve/list.h"
#include "ossl/provider.h"
#include "resolve/rkey.h"
#include "resolve/uri.h"

static OSSL_FUNC_store_open_fn hwc_store_open;
#ifdef OSSL_FUNC_STORE_OPEN_EX
static OSSL_FUNC_store_open_ex_fn hwc_store_open_ex;
#endif
static OSSL_FUNC_store_settable_ctx_params_fn hwc_store_settable_ctx_params;
static OSSL_FUNC_store_set_ctx_params_fn hwc_store_set_ctx_params;
static OSSL_FUNC_store_load_fn hwc_store_load;
static OSSL_FUNC_store_eof_fn hwc_store_eof;
static OSSL_FUNC_store_close_fn hwc_store_close;

typedef struct hwc_store_ctx {
    hwc_provctx *prov;
    char *uri_text;
    hwc_uri uri;
    int expect;         /* OSSL_STORE_INFO_* or 0 for anything */
    X509_NAME *subject; /* subject search, or NULL */
    char *alias;        /* alias search (KMS alias, SCM name), or NULL */
    hwc_lister *lister; /* listing URIs: pages of names */
    hwc_names names;    /* the current page */
    size_t next_name;
    int fetched;
    int failed;            /* 1: a load failed; 2: and the stream has ended */
    int error_pending;     /* raised after a name went out: next load fails */
    hwc_fetched got;       /* what the URI named, decoded */
    size_t next;           /* next object of got.objs to consider */
    int rkey_pending;      /* the remote key is still to be returned */
    int report_pending;    /* entries that failed are still to be reported */
    const char *bad_param; /* a parameter that could not be applied */
    int alias_mismatch;    /* the one object named lacks the alias */
} hwc_store_ctx;

static hwc_store_ctx *store_new(void *provctx, const char *uri)
{
    hwc_store_ctx *ctx;
    hwc_uri parsed;

    if (!hwc_prov_usable(provctx, uri) || !hwc_uri_parse(uri, &parsed)) {
        return NULL;
    }
    ctx = OPENSSL_zalloc(sizeof(*ctx));
    if (ctx == NULL || (ctx->uri_text = OPENSSL_strdup(uri)) == NULL) {
        OPENSSL_free(ctx);
        hwc_raise(HWC_R_MALLOC, "%s: opening", uri);
        return NULL;
    }
    ctx->prov = provctx;
    ctx->uri = parsed;
    return ctx;
}

static void *hwc_store_open(void *provctx, const char *uri)
{
    hwc_store_ctx *ctx = store_new(provctx, uri);

    if (ctx != NULL) {
        hwc_debug("open %s", uri);
    }
    return ctx;
}

static const OSSL_PARAM *hwc_store_settable_ctx_params(void *provctx)
{
    static const OSSL_PARAM known[] = {
        OSSL_PARAM_int(OSSL_STORE_PARAM_EXPECT, NULL),
        OSSL_PARAM_octet_string(OSSL_STORE_PARAM_SUBJECT, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_STORE_PARAM_ALIAS, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_STORE_PARAM_PROPERTIES, NULL, 0),
        OSSL_PARAM_END};

    (void)provctx;
    return known;
}

static int set_subject(hwc_store_ctx *ctx, const OSSL_PARAM *p)
{
    const unsigned char *der = NULL;
    size_t len = 0;

    if (!OSSL_PARAM_get_octet_string_ptr(p, (const void **)&der, &len)) {
        return 0;
    }
    X509_NAME_free(ctx->subject);
    ERR_set_mark();
    ctx->subject = d2i_X509_NAME(NULL, &der, (long)len);
    ERR_pop_to_mark();
    return ctx->subject != NULL;
}

/* NULL when every parameter was applied, else what was wrong. */
static const char *apply_params(hwc_store_ctx *ctx, const OSSL_PARAM params[])
{
    const OSSL_PARAM *p;

    p = OSSL_PARAM_locate_const(params, OSSL_STORE_PARAM_EXPECT);
    if (p != NULL && !OSSL_PARAM_get_int(p, &ctx->expect)) {
        return "invalid expect parameter";
    }
    p = OSSL_PARAM_locate_const(params, OSSL_STORE_PARAM_SUBJECT);
    if (p != NULL && !set_subject(ctx, p)) {
        return "invalid subject criterion";
    }
    p = OSSL_PARAM_locate_const(params, OSSL_STORE_PARAM_ALIAS);
    if (p != NULL) {
        OPENSSL_free(ctx->alias);
        ctx->alias = NULL;
        if (!OSSL_PARAM_get_utf8_string(p, &ctx->alias, 0)) {
            return "invalid alias criterion";
        }
    }
    return NULL;
}

/*
 * A parameter that cannot be applied is reported by the next load(), not
 * refused here: libcrypto before 3.2, when set_ctx_params fails for the
 * parameters given to OSSL_STORE_open_ex, closes the loader context and
 * then goes on using it (the application crashes). Refusing here would
 * also lose the message: a successful open pops the errors raised during
 * it.
 */
static int hwc_store_set_ctx_params(void *loaderctx, const OSSL_PARAM params[])
{
    hwc_store_ctx *ctx = loaderctx;
    const char *bad = apply_params(ctx, params);

    if (bad != NULL) {
        ctx->bad_param = bad;
    }
    return 1;
}

#ifdef OSSL_FUNC_STORE_OPEN_EX
/*
 * A parameter that cannot be applied fails the open (set_ctx_params defers
 * that to the first load, see there). pw_cb is not kept:
 * libcrypto hands it a passphrase cache that lives only during this call,
 * and nothing here needs a passphrase before the first load, which brings
 * its own callback. OSSL_STORE_PARAM_PROPERTIES is accepted and left to
 * libcrypto, which applies its property query itself when it turns what
 * load() hands over into keys and certificates.
 */
static void *hwc_store_open_ex(void *provctx, const char *uri,
                               const OSSL_PARAM params[],
                               OSSL_PASSPHRASE_CALLBACK *pw_cb, void *pw_cbarg)
{
    hwc_store_ctx *ctx = store_new(provctx, uri);
    const char *bad;

    (void)pw_cb, (void)pw_cbarg;
    if (ctx == NULL) {
        return NULL;
    }
    if (params != NULL && (bad = apply_params(ctx, params)) != NULL) {
        hwc_raise(HWC_R_CONFIG, "%s: %s", uri, bad);
        hwc_store_close(ctx);
        return NULL;
    }
    hwc_debug("open_ex %s", uri);
    return ctx;
}
#endif

/* Would libcrypto turn this object into the type the caller expects? */
static int wanted(hwc_store_ctx *ctx, const hwc_obj *o)
{
    int type = o->kind == HWC_OBJ_CERT      ? OSSL_STORE_INFO_CERT
               : o->kind == HWC_OBJ_PRIVKEY ? OSSL_STORE_INFO_PKEY
                                            : OSSL_STORE_INFO_PUBKEY;

    if (ctx->expect != 0 && ctx->expect != type) {
        return 0;
    }
    if (ctx->alias != NULL &&
        (o->label == NULL || strcmp(o->label, ctx->alias) != 0)) {
        return 0; /* keystore entries carry their alias as label */
    }
    /* Subject searches (-CAstore, X509_LOOKUP_store) want certs. */
    return ctx->subject == NULL ||
           hwc_obj_subject_is(o, ctx->subject,
                              hwc_prov_plain_libctx(ctx->prov));
}

static int rkey_wanted(const hwc_store_ctx *ctx)
{
    return ctx->subject == NULL && ctx->alias == NULL &&
           (ctx->expect == 0 || ctx->expect == OSSL_STORE_INFO_PKEY);
}

/* Moves ctx->next to the next object the caller wants. */
static void skip_unwanted(hwc_store_ctx *ctx)
{
    while (ctx->next < ctx->got.objs.n &&
           !wanted(ctx, &ctx->got.objs.v[ctx->next])) {
        ctx->next++;
    }
}

/*
 * An alias search on the URI of one KMS key or SCM certificate: whether
 * that object has the alias (KMS) or name (SCM), as kms:alias/NAME and
 * scm:name/NAME resolve them. `openssl storeutl -r -alias NAME kms:key/`
 * follows each name the listing found with the same search, so the key
 * itself must match, though it carries no label. 1 match, 0 no match,
 * -1 error (raised).
 */
static int has_alias(hwc_store_ctx *ctx)
{
    int kms = ctx->uri.kind == HWC_URI_KMS_KEY;
    char text[300], id[64];
    hwc_uri named;
    int ok;

    snprintf(text, sizeof(text), "%s%s", kms ? "kms:alias/" : "scm:name/",
             ctx->alias);
    ERR_set_mark();
    if (!hwc_uri_parse(text, &named)) {
        ERR_pop_to_mark(); /* no alias can be spelt so */
        return 0;
    }
    ok = hwc_fetch_resolve(ctx->prov, &named, text, id, sizeof(id));
    if (!ok && ERR_GET_REASON(ERR_peek_last_error()) == HWC_R_NOT_FOUND) {
        ERR_pop_to_mark();
        return 0;
    }
    ERR_clear_last_mark();
    return ok ? strcmp(id, ctx->uri.id) == 0 : -1;
}

/* What an alias search on one object keeps: all of it, or nothing. */
static int apply_alias(hwc_store_ctx *ctx)
{
    int m;

    if (ctx->alias == NULL || (ctx->uri.kind != HWC_URI_KMS_KEY &&
                               ctx->uri.kind != HWC_URI_SCM_CERT)) {
        return 1; /* keystore entries carry their alias as label */
    }
    if ((m = has_alias(ctx)) < 0) {
        return 0;
    }
    OPENSSL_free(ctx->alias);
    ctx->alias = NULL;
    ctx->alias_mismatch = !m;
    return 1;
}

static int do_fetch(hwc_store_ctx *ctx, OSSL_PASSPHRASE_CALLBACK *pw_cb,
                    void *pw_cbarg)
{
    hwc_fetch_req req = {ctx->uri_text, &ctx->uri, ctx->expect, pw_cb,
                         pw_cbarg};

    ctx->fetched = 1;
    if (!apply_alias(ctx)) {
        ctx->failed = 1;
        return 0;
    }
    if (ctx->alias_mismatch) {
        return 1; /* nothing to hand over: eof */
    }
    if (!hwc_fetch(ctx->prov, &req, &ctx->got)) {
        ctx->failed = 1;
        return 0;
    }
    ctx->rkey_pending = ctx->got.rkey != NULL && rkey_wanted(ctx);
    if (ctx->rkey_pending) {
        /* The handle serves every public operation: no separate PUBKEY. */
        ctx->next = ctx->got.objs.n;
    }
    ctx->report_pending = ctx->got.objs.failed != NULL;
    skip_unwanted(ctx);
    return 1;
}

static int emit_name(const hwc_name *n, OSSL_CALLBACK *object_cb,
                     void *object_cbarg)
{
    OSSL_PARAM params[4];
    int type = OSSL_OBJECT_NAME;

    params[0] = OSSL_PARAM_construct_int(OSSL_OBJECT_PARAM_TYPE, &type);
    params[1] =
        OSSL_PARAM_construct_utf8_string(OSSL_OBJECT_PARAM_DATA, n->uri, 0);
    params[2] =
        OSSL_PARAM_construct_utf8_string(OSSL_OBJECT_PARAM_DESC, n->desc, 0);
    params[3] = OSSL_PARAM_construct_end();
    return object_cb(params, object_cbarg);
}

/* Makes sure a name is waiting, fetching pages as needed (a page may
 * hold no match). Returns 0 on error. */
static int fill_names(hwc_store_ctx *ctx)
{
    if (ctx->lister == NULL) {
        ctx->lister = hwc_lister_new(ctx->prov, &ctx->uri, ctx->uri_text,
                                     ctx->alias, ctx->subject);
        if (ctx->lister == NULL) {
            return 0;
        }
    }
    while (ctx->next_name >= ctx->names.n && hwc_lister_more(ctx->lister)) {
        hwc_names_free(&ctx->names); /* one page in memory at a time */
        ctx->next_name = 0;
        if (!hwc_lister_next(ctx->lister, &ctx->names)) {
            return 0;
        }
    }
    return 1;
}

static int load_listing(hwc_store_ctx *ctx, OSSL_CALLBACK *object_cb,
                        void *object_cbarg)
{
    ctx->fetched = 1;
    if (!fill_names(ctx)) {
        ctx->failed = 1;
        return 0;
    }
    if (ctx->next_name >= ctx->names.n) {
        return 0; /* the end: eof is true */
    }
    if (!emit_name(&ctx->names.v[ctx->next_name++], object_cb, object_cbarg)) {
        ctx->failed = 1;
        return 0;
    }
    if (!fill_names(ctx)) {
        ctx->error_pending = 1; /* this name stands; the next load fails */
    }
    return 1;
}

static int hwc_store_load(void *loaderctx, OSSL_CALLBACK *object_cb,
                          void *object_cbarg, OSSL_PASSPHRASE_CALLBACK *pw_cb,
                          void *pw_cbarg)
{
    hwc_store_ctx *ctx = loaderctx;
    int ok;

    if (ctx->error_pending) {
        ctx->error_pending = 0;
        ctx->failed = 1;
        return 0;
    }
    if (ctx->failed) {
        ctx->failed = 2;
        return 0;
    }
    if (ctx->bad_param != NULL) {
        ctx->failed = 1;
        hwc_raise(HWC_R_CONFIG, "%s: %s", ctx->uri_text, ctx->bad_param);
        return 0;
    }
    if (hwc_uri_is_listing(&ctx->uri)) {
        return load_listing(ctx, object_cb, object_cbarg);
    }
    if (!ctx->fetched && !do_fetch(ctx, pw_cb, pw_cbarg)) {
        return 0;
    }
    if (ctx->rkey_pending) {
        ctx->rkey_pending = 0;
        ok = hwc_emit_rkey(&ctx->got.rkey, object_cb, object_cbarg);
    } else if (ctx->next < ctx->got.objs.n) {
        ok = hwc_emit_obj(&ctx->got.objs.v[ctx->next++], object_cb,
                          object_cbarg);
        skip_unwanted(ctx);
    } else if (ctx->report_pending) {
        /* The others were loaded; now say which entries were not. */
        ctx->report_pending = 0;
        ctx->failed = 1;
        hwc_raise(HWC_R_DECODE, "%s: entries not loaded: %s", ctx->uri_text,
                  ctx->got.objs.failed);
        return 0;
    } else {
        return 0; /* nothing (more) of what was asked for: eof is true */
    }
    if (!ok) {
        ctx->failed = 1;
    }
    return ok;
}

static int hwc_store_eof(void *loaderctx)
{
    hwc_store_ctx *ctx = loaderctx;

    if (ctx->failed || ctx->error_pending) {
        return ctx->failed == 2;
    }
    if (hwc_uri_is_listing(&ctx->uri)) {
        return ctx->fetched && ctx->next_name >= ctx->names.n &&
               (ctx->lister == NULL || !hwc_lister_more(ctx->lister));
    }
    return ctx->fetched && !ctx->rkey_pending && !ctx->report_pending &&
           ctx->next >= ctx->got.objs.n;
}

static int hwc_store_close(void *loaderctx)
{
    hwc_store_ctx *ctx = loaderctx;

    if (ctx == NULL) {
        return 1;
    }
    hwc_fetched_free(&ctx->got);
    hwc_lister_free(ctx->lister);
    hwc_names_free(&ctx->names);
    OPENSSL_free(ctx->alias);
    X509_NAME_free(ctx->subject);
    OPENSSL_free(ctx->uri_text);
    OPENSSL_clear_free(ctx, sizeof(*ctx));
    return 1;
}

const OSSL_DISPATCH hwc_store_functions[] = {
    {OSSL_FUNC_STORE_OPEN, (void (*)(void))hwc_store_open},
#ifdef OSSL_FUNC_STORE_OPEN_EX
    {OSSL_FUNC_STORE_OPEN_EX, (void (*)(void))hwc_store_open_ex},
#endif
    {OSSL_FUNC_STORE_SETTABLE_CTX_PARAMS,
     (void (*)(void))hwc_store_settable_ctx_params},
    {OSSL_FUNC_STORE_SET_CTX_PARAMS, (void (*)(void))hwc_store_set_ctx_params},
    {OSSL_FUNC_STORE_LOAD, (void (*)(void))hwc_store_load},
    {OSSL_FUNC_STORE_EOF, (void (*)(void))hwc_store_eof},
    {OSSL_FUNC_STORE_CLOSE, (void (*)(void))hwc_store_close},
    {OSSL_FUNC_STORE_EXPORT_OBJECT, (void (*)(void))hwc_refuse_export_object},
    {0, NULL}};
