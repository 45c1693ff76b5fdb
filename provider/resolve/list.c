/*
 * list.c: listing URIs (see list.h). Child URIs keep the listing URI's
 * query (?region=, &project_id=) so that they resolve where they were
 * listed.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "resolve/fetch.h"
#include "services/kms_keystores.h"
#include "services/kms.h"
#include "resolve/list.h"
#include "services/scm.h"

#define KMS_PAGE 100
#define KEYSTORE_PAGE 50

struct hwc_lister {
    hwc_provctx *prov;
    hwc_client *cl;
    hwc_uri uri;
    char *uri_text;
    const char *query; /* "?..." part of uri_text, or "" */
    char *alias;
    X509_NAME *subject;
    char marker[256];
    int offset;
    int more;
    int pages; /* fetched so far: a server that never stops is an error */
    int capped_total; /* SCM's offset cap reached: what it held */
    hwc_names *out;   /* the page being filled */
    int failed;
};

void hwc_names_free(hwc_names *l)
{
    for (size_t i = 0; i < l->n; i++) {
        OPENSSL_free(l->v[i].uri);
        OPENSSL_free(l->v[i].desc);
    }
    OPENSSL_free(l->v);
    memset(l, 0, sizeof(*l));
}

static int add_name(hwc_lister *l, const char *prefix, const char *id,
                    const char *desc)
{
    hwc_names *o = l->out;
    hwc_buf b = {0};

    if (o->n == o->cap) {
        size_t ncap = o->cap ? o->cap * 2 : 64;
        hwc_name *nv = OPENSSL_realloc(o->v, ncap * sizeof(*nv));
        if (nv == NULL) {
            goto fail;
        }
        o->v = nv;
        o->cap = ncap;
    }
    hwc_buf_printf(&b, "%s%s%s", prefix, id, l->query);
    o->v[o->n].uri = (char *)hwc_buf_steal(&b, NULL);
    o->v[o->n].desc = OPENSSL_strdup(desc);
    if (o->v[o->n].uri == NULL || o->v[o->n].desc == NULL) {
        OPENSSL_free(o->v[o->n].uri);
        OPENSSL_free(o->v[o->n].desc);
        goto fail;
    }
    o->n++;
    return 1;
fail:
    hwc_raise(HWC_R_MALLOC, "%s: listing", l->uri_text);
    l->failed = 1;
    return 0;
}

hwc_lister *hwc_lister_new(hwc_provctx *prov, const hwc_uri *uri,
                           const char *uri_text, const char *alias,
                           const X509_NAME *subject)
{
    hwc_lister *l = OPENSSL_zalloc(sizeof(*l));

    if (l == NULL || (l->uri_text = OPENSSL_strdup(uri_text)) == NULL ||
        (alias != NULL && (l->alias = OPENSSL_strdup(alias)) == NULL) ||
        (subject != NULL && (l->subject = X509_NAME_dup(subject)) == NULL)) {
        hwc_lister_free(l);
        hwc_raise(HWC_R_MALLOC, "%s: listing", uri_text);
        return NULL;
    }
    l->prov = prov;
    l->uri = *uri;
    l->query = strchr(l->uri_text, '?') ? strchr(l->uri_text, '?') : "";
    l->more = 1;
    if ((l->cl = hwc_fetch_client(prov, uri, uri_text)) == NULL) {
        hwc_lister_free(l);
        return NULL;
    }
    return l;
}

void hwc_lister_free(hwc_lister *l)
{
    if (l == NULL) {
        return;
    }
    hwc_client_free(l->cl);
    X509_NAME_free(l->subject);
    OPENSSL_free(l->alias);
    OPENSSL_free(l->uri_text);
    OPENSSL_free(l);
}

int hwc_lister_more(const hwc_lister *l)
{
    return l->more && !l->failed;
}

/* A key_state the API does not document is shown as it came. */
static const char *state_text(const char *st)
{
    const char *text = hwc_kms_state_text(st);

    return text != NULL ? text : st;
}

static int kms_key_cb(const hwc_kms_key_info *k, void *arg)
{
    hwc_lister *l = arg;
    char desc[512];

    if (l->uri.kind == HWC_URI_KMS_KEYSTORE &&
        strcmp(k->keystore_id, l->uri.id) != 0) {
        return 1; /* list-keys has no keystore filter */
    }
    if (l->subject != NULL ||
        (l->alias != NULL && strcmp(k->key_alias, l->alias) != 0)) {
        return 1; /* keys have no subject */
    }
    snprintf(desc, sizeof(desc), "alias=%s spec=%s usage=%s state=%s",
             k->key_alias[0] ? k->key_alias : "-", k->key_spec, k->key_usage,
             state_text(k->key_state));
    return add_name(l, "kms:key/", k->key_id, desc);
}

static int keystore_cb(const hwc_keystore_info *k, void *arg)
{
    hwc_lister *l = arg;
    char desc[512];

    if (l->subject != NULL ||
        (l->alias != NULL && strcmp(k->alias, l->alias) != 0)) {
        return 1;
    }
    snprintf(desc, sizeof(desc), "alias=%s type=%s hsm_cluster=%s created=%s",
             k->alias, k->type[0] ? k->type : "-",
             k->hsm_cluster_id[0] ? k->hsm_cluster_id : "-", k->create_time);
    return add_name(l, "kms:keystore/", k->id, desc);
}

/* The CN of the subject searched for, if it has one. */
static int subject_cn(const X509_NAME *n, char *cn, size_t cap)
{
    return X509_NAME_get_text_by_NID((X509_NAME *)n, NID_commonName, cn,
                                     (int)cap) > 0;
}

/* Exports a candidate and looks for a certificate with that subject. */
static int has_subject(hwc_lister *l, const char *id)
{
    char text[64];
    hwc_uri u = l->uri;
    hwc_fetch_req req = {text, &u, 0, NULL, NULL};
    hwc_fetched got;
    int found = 0;

    snprintf(text, sizeof(text), "scm:cert/%s", id);
    u.kind = HWC_URI_SCM_CERT;
    OPENSSL_strlcpy(u.id, id, sizeof(u.id));
    ERR_set_mark(); /* a candidate that fails must not hide the others */
    if (hwc_fetch(l->prov, &req, &got)) {
        for (size_t i = 0; i < got.objs.n && !found; i++) {
            found = hwc_obj_subject_is(&got.objs.v[i], l->subject,
                                       hwc_prov_plain_libctx(l->prov));
        }
        hwc_fetched_free(&got);
    }
    ERR_pop_to_mark();
    return found;
}

static int scm_cert_cb(const hwc_scm_cert_info *c, void *arg)
{
    hwc_lister *l = arg;
    char desc[768], cn[256];

    if (l->alias != NULL && strcmp(c->name, l->alias) != 0) {
        return 1;
    }
    if (l->subject != NULL) {
        /* Narrow by the list's domain first; export only candidates. */
        if (subject_cn(l->subject, cn, sizeof(cn)) &&
            strcasecmp(cn, c->domain) != 0) {
            return 1;
        }
        if (!has_subject(l, c->id)) {
            return 1;
        }
    }
    snprintf(desc, sizeof(desc), "name=%s domain=%s expires=%s status=%s",
             c->name, c->domain, c->expire_time[0] ? c->expire_time : "-",
             c->status);
    return add_name(l, "scm:cert/", c->id, desc);
}

static int next_kms(hwc_lister *l)
{
    return hwc_kms_list_page(l->cl, l->marker, sizeof(l->marker), KMS_PAGE,
                             &l->more, kms_key_cb, l);
}

/*
 * SCM lists no further than offset 100: the names past it cannot be
 * reached, and the listing says so with an error after the last page it
 * could get (a -alias search asks SCM for that name only, which narrows
 * the listing below the cap).
 */
static int next_scm_page(hwc_lister *l)
{
    int seen = 0, total = 0;

    if (!hwc_scm_list_page(l->cl, l->offset, HWC_SCM_PAGE, l->alias, &seen,
                           &total, scm_cert_cb, l)) {
        return 0;
    }
    l->offset += seen;
    l->more = seen > 0 && l->offset < total;
    if (l->more && l->offset > HWC_SCM_MAX_OFFSET) {
        l->capped_total = total; /* this page first, then the error */
    }
    return 1;
}

static int raise_capped(hwc_lister *l)
{
    hwc_raise(HWC_R_UNSUPPORTED,
              "%s: listed %d of %d certificates; SCM's ListCertificates "
              "pages no further (offset at most %d): load the others by "
              "scm:cert/<id> or scm:name/<name>",
              l->uri_text, l->offset, l->capped_total, HWC_SCM_MAX_OFFSET);
    l->failed = 1;
    return 0;
}

static int next_offset_page(hwc_lister *l)
{
    int seen = 0, total = 0, ok;

    if (l->uri.kind == HWC_URI_SCM_CERT_LIST) {
        return next_scm_page(l);
    }
    ok = hwc_keystores_list_page(l->cl, l->offset, KEYSTORE_PAGE, &seen, &total,
                                 keystore_cb, l);
    l->offset += seen;
    l->more = ok && seen > 0 && l->offset < total;
    return ok;
}

int hwc_lister_next(hwc_lister *l, hwc_names *out)
{
    int ok;

    if (!hwc_lister_more(l)) {
        return 1;
    }
    if (l->capped_total > 0) {
        return raise_capped(l);
    }
    if (!hwc_page_count(&l->pages, KMS_PAGE, l->uri_text, "listing")) {
        l->failed = 1;
        return 0;
    }
    l->out = out;
    ok = (l->uri.kind == HWC_URI_KMS_KEY_LIST ||
          l->uri.kind == HWC_URI_KMS_KEYSTORE)
             ? next_kms(l)
             : next_offset_page(l);
    l->out = NULL;
    if (!ok || l->failed) {
        l->failed = 1;
        return 0;
    }
    return 1;
}
