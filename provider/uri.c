/*
 * uri.c: URI parsing and validation. Table-driven: one row per
 * "scheme:type/" prefix with the id's validator and the form users are
 * told about when theirs does not match.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "hwc.h"
#include "settings.h"
#include "uri.h"

struct uri_form {
    const char *prefix; /* "kms:key/" */
    enum hwc_uri_kind kind;
    enum hwc_service service;
    int (*valid)(const char *id);
    const char *form; /* for messages */
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

static const struct uri_form forms[] = {
    {"kms:key/", HWC_URI_KMS_KEY, HWC_SVC_KMS, valid_uuid,
     "kms:key/<key id: 8-4-4-4-12 lower-case letters and digits>"},
    {"scm:cert/", HWC_URI_SCM_CERT, HWC_SVC_SCM, valid_cert_id,
     "scm:cert/<certificate id: 16 letters and digits>"},
    {"dcs:ssl/", HWC_URI_DCS_SSL, HWC_SVC_DCS, valid_uuid,
     "dcs:ssl/<instance id: 8-4-4-4-12 lower-case letters and digits>"},
    {"codearts:keystore/", HWC_URI_CODEARTS_KEYSTORE, HWC_SVC_CODEARTS,
     valid_file_name, "codearts:keystore/<file name: [A-Za-z0-9._-]{1,255}>"},
};

#define NFORMS (sizeof(forms) / sizeof(forms[0]))

int hwc_uri_scheme_known(const char *text)
{
    static const char *schemes[] = {"kms:", "scm:", "dcs:", "codearts:"};

    for (size_t i = 0; i < 4; i++) {
        if (strncmp(text, schemes[i], strlen(schemes[i])) == 0) {
            return 1;
        }
    }
    return 0;
}

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

static int parse_query(const char *uri, char *q, hwc_uri *out,
                       const char **why)
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
        hwc_raise(NULL, HWC_R_URI_INVALID, "%s: %s; expected %s[?region=R]"
                  "[&project_id=P]", shown, why, f->form);
        return;
    }
    hwc_raise(NULL, HWC_R_URI_INVALID,
              "%s: %s; expected one of kms:key/<id>, scm:cert/<id>, "
              "dcs:ssl/<instance id>, codearts:keystore/<file name>",
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
    if (strlen(work) >= sizeof(out->id) || !f->valid(work) ||
        (q != NULL && !parse_query(text, q, out, &why))) {
        raise_invalid(text, f, why);
        return 0;
    }
    strcpy(out->id, work);
    out->kind = f->kind;
    out->service = f->service;
    return 1;
}
