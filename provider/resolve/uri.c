/*
 * uri.c: URI parsing and validation. Table-driven: one row per
 * "scheme:type/" prefix with the id's validator and the form users are
 * told about when theirs does not match.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/hwc.h"
#include "core/settings.h"
#include "resolve/uri.h"

struct uri_form {
    const char *prefix; /* "kms:key/" */
    enum hwc_uri_kind kind;
    enum hwc_service service;
    int (*valid)(const char *id);
    const char *form;            /* for messages */
    enum hwc_uri_kind list_kind; /* what the bare prefix means, or 0 */
    int percent;                 /* the id is percent-decoded once */
};

/* ^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$ */
static int valid_uuid(const char *id)
{
    static const int groups[] = {8, 4, 4, 4, 12};
    const char *p = id;

    for (size_t g = 0; g < 5; g++) {
        for (int i = 0; i < groups[g]; i++, p++) {
            if (!(isdigit((unsigned char)*p) || (*p >= 'a' && *p <= 'z'))) {
                return 0;
            }
        }
        if (g < 4 && *p++ != '-') {
            return 0;
        }
    }
    return *p == '\0';
}

static int valid_cert_id(const char *id)
{
    size_t n = strlen(id);

    if (n != 16) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (!isalnum((unsigned char)id[i])) {
            return 0;
        }
    }
    return 1;
}

static int valid_file_name(const char *id)
{
    size_t n = strlen(id);

    if (n == 0 || n > 255 || strcmp(id, ".") == 0 || strcmp(id, "..") == 0) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)id[i];
        if (!isalnum(c) && c != '.' && c != '_' && c != '-') {
            return 0;
        }
    }
    return 1;
}

/* KMS aliases and SCM names, after percent-decoding: [A-Za-z0-9:/._-]. */
static int valid_name(const char *id)
{
    size_t n = strlen(id);

    return n >= 1 && n <= 255 &&
           strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                      "0123456789:/._-") == n;
}

static int valid_keystore_id(const char *id)
{
    size_t n = strlen(id);

    return n >= 1 && n <= 64 &&
           strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                      "0123456789-") == n;
}

static const struct uri_form forms[] = {
    {"kms:key/", HWC_URI_KMS_KEY, HWC_SVC_KMS, valid_uuid,
     "kms:key/<key id: 8-4-4-4-12 lower-case letters and digits>",
     HWC_URI_KMS_KEY_LIST, 0},
    {"kms:alias/", HWC_URI_KMS_ALIAS, HWC_SVC_KMS, valid_name,
     "kms:alias/<alias: [A-Za-z0-9:/._-]{1,255}, percent-encoded>", 0, 1},
    {"kms:keystore/", HWC_URI_KMS_KEYSTORE, HWC_SVC_KMS, valid_keystore_id,
     "kms:keystore/<keystore id>", HWC_URI_KMS_KEYSTORE_LIST, 0},
    {"scm:cert/", HWC_URI_SCM_CERT, HWC_SVC_SCM, valid_cert_id,
     "scm:cert/<certificate id: 16 letters and digits>", HWC_URI_SCM_CERT_LIST,
     0},
    {"scm:name/", HWC_URI_SCM_NAME, HWC_SVC_SCM, valid_name,
     "scm:name/<certificate name: [A-Za-z0-9:/._-]{1,255}, percent-encoded>", 0,
     1},
    {"dcs:ssl/", HWC_URI_DCS_SSL, HWC_SVC_DCS, valid_uuid,
     "dcs:ssl/<instance id: 8-4-4-4-12 lower-case letters and digits>", 0, 0},
    {"codearts:keystore/", HWC_URI_CODEARTS_KEYSTORE, HWC_SVC_CODEARTS,
     valid_file_name, "codearts:keystore/<file name: [A-Za-z0-9._-]{1,255}>", 0,
     0},
};

int hwc_uri_is_listing(const hwc_uri *u)
{
    return u->kind == HWC_URI_KMS_KEY_LIST ||
           u->kind == HWC_URI_KMS_KEYSTORE_LIST ||
           u->kind == HWC_URI_KMS_KEYSTORE || u->kind == HWC_URI_SCM_CERT_LIST;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes %XX once, in place; a malformed escape fails. */
static int percent_decode(char *s)
{
    char *o = s;

    for (char *p = s; *p; p++) {
        if (*p == '%') {
            int hi = hexval(p[1]), lo = hi >= 0 ? hexval(p[2]) : -1;
            if (lo < 0 || hi * 16 + lo < 0x20 || hi * 16 + lo >= 0x7f) {
                return 0; /* malformed, or a control or non-ASCII byte */
            }
            *o++ = (char)(hi * 16 + lo);
            p += 2;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return 1;
}

#define NFORMS (sizeof(forms) / sizeof(forms[0]))

/* Copies a printable rendering of a hostile URI into a message buffer. */
static const char *printable(const char *text, char *buf, size_t cap)
{
    size_t o = 0;

    for (const char *p = text; *p && o + 5 < cap; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c >= 0x7f) {
            o += (size_t)snprintf(buf + o, cap - o, "\\x%02x", c);
        } else {
            buf[o++] = (char)c;
        }
    }
    buf[o] = '\0';
    return buf;
}

static int parse_query(const char *uri, char *q, hwc_uri *out, const char **why)
{
    char *save = NULL;

    for (char *kv = strtok_r(q, "&", &save); kv != NULL;
         kv = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(kv, '=');
        if (eq == NULL) {
            *why = "query parameters must be name=value";
            return 0;
        }
        *eq = '\0';
        const char *v = eq + 1;
        if (strcmp(kv, "region") == 0 && out->region[0] == '\0' &&
            hwc_valid_region(v)) {
            OPENSSL_strlcpy(out->region, v, sizeof(out->region));
        } else if (strcmp(kv, "project_id") == 0 &&
                   out->project_id[0] == '\0' && hwc_valid_project_id(v)) {
            OPENSSL_strlcpy(out->project_id, v, sizeof(out->project_id));
        } else {
            *why = "the only query parameters are region=<[a-z0-9-]{1,64}> "
                   "and project_id=<32 lower-case hex digits>, each once";
            return 0;
        }
    }
    (void)uri;
    return 1;
}

static const struct uri_form *find_form(const char *text)
{
    for (size_t i = 0; i < NFORMS; i++) {
        if (strncmp(text, forms[i].prefix, strlen(forms[i].prefix)) == 0) {
            return &forms[i];
        }
    }
    return NULL;
}

static void raise_invalid(const char *text, const struct uri_form *f,
                          const char *why)
{
    char shown[600];

    printable(text, shown, sizeof(shown));
    if (f != NULL) {
        hwc_raise(HWC_R_URI_INVALID,
                  "%s: %s; expected %s[?region=R]"
                  "[&project_id=P]",
                  shown, why, f->form);
        return;
    }
    hwc_raise(HWC_R_URI_INVALID,
              "%s: %s; expected one of kms:key/<id>, kms:alias/<alias>, "
              "kms:key/, kms:keystore/[<id>], scm:cert/[<id>], "
              "scm:name/<name>, dcs:ssl/<instance id>, "
              "codearts:keystore/<file name>",
              shown, why);
}

int hwc_uri_parse(const char *text, hwc_uri *out)
{
    const struct uri_form *f = find_form(text);
    char work[512];
    const char *why = "invalid id";
    char *q;

    memset(out, 0, sizeof(*out));
    if (f == NULL) {
        raise_invalid(text, NULL, "unknown scheme or object type");
        return 0;
    }
    if (strlen(text) >= sizeof(work)) {
        raise_invalid(text, f, "too long");
        return 0;
    }
    strcpy(work, text + strlen(f->prefix));
    if ((q = strchr(work, '?')) != NULL) {
        *q++ = '\0';
    }
    out->kind = f->kind;
    if (work[0] == '\0' && f->list_kind != 0) {
        out->kind = f->list_kind;
    } else if ((f->percent && !percent_decode(work)) ||
               strlen(work) >= sizeof(out->id) || !f->valid(work)) {
        raise_invalid(text, f, why);
        return 0;
    }
    if (q != NULL && !parse_query(text, q, out, &why)) {
        raise_invalid(text, f, why);
        return 0;
    }
    strcpy(out->id, work);
    out->service = f->service;
    return 1;
}
