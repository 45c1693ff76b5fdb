/*
 * tool_syncconf.c: the sync configuration file. INI as in openssl.cnf:
 * settings at the top apply to every entry, each [section] is one entry.
 * Deliberately simpler than openssl.cnf: values are taken verbatim (no $
 * expansion, no quoting, no trailing comments), because deploy hooks are
 * shell commands whose $ and # must reach the shell untouched.
 */
#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "core/hwc.h"
#include "tool_sync.h"
#include "resolve/uri.h"

#define MAX_CONF_SIZE (1024 * 1024)

/* Every key; the per-file ones are K_FILE0 + kind * 3 + (owner, group,
 * mode), in the order of enum sync_kind. */
enum key {
    K_CERTIFICATE,
    K_PATH0, /* cert, chain, fullchain, key: K_PATH0 + kind */
    K_HOOK = K_PATH0 + SF_COUNT,
    K_OWNER,
    K_GROUP,
    K_MODE,
    K_FILE0,
    K_OPENSSL_CONF = K_FILE0 + 3 * SF_COUNT,
    K_COUNT
};

static const char *const kind_keys[SF_COUNT] = {"cert", "chain", "fullchain",
                                                "key"};

/* The values of one section (or of the top), with their lines. */
typedef struct raw_section {
    char *name;
    int line;
    char *val[K_COUNT];
    int vline[K_COUNT];
} raw_section;

typedef struct parser {
    const char *file;
    raw_section top;
    raw_section *sec;
    size_t n;
} parser;

const char *sync_kind_key(enum sync_kind k)
{
    return k < SF_COUNT ? kind_keys[k] : "?";
}

static int conf_error(const parser *p, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static int conf_error(const parser *p, int line, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    hwc_raise(HWC_R_CONFIG, "%s:%d: %s", p->file, line, msg);
    return 0;
}

/* The index of a key, or -1. */
static int key_index(const char *k)
{
    static const char *const fixed[] = {
        "certificate", "deploy_hook", "owner", "group", "mode", "openssl_conf"};
    static const int fixed_idx[] = {K_CERTIFICATE, K_HOOK, K_OWNER,
                                    K_GROUP,       K_MODE, K_OPENSSL_CONF};
    static const char *const attr[] = {"_owner", "_group", "_mode"};
    char buf[32];

    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        if (strcmp(k, fixed[i]) == 0) {
            return fixed_idx[i];
        }
    }
    for (int kind = 0; kind < SF_COUNT; kind++) {
        if (strcmp(k, kind_keys[kind]) == 0) {
            return K_PATH0 + kind;
        }
        for (int a = 0; a < 3; a++) {
            snprintf(buf, sizeof(buf), "%s%s", kind_keys[kind], attr[a]);
            if (strcmp(k, buf) == 0) {
                return K_FILE0 + kind * 3 + a;
            }
        }
    }
    return -1;
}

static char *trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '\t') {
        s++;
    }
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r')) {
        *--e = '\0';
    }
    return s;
}

static raw_section *current(parser *p)
{
    return p->n > 0 ? &p->sec[p->n - 1] : &p->top;
}

static int add_section(parser *p, char *name, int line)
{
    raw_section *s;

    for (size_t i = 0; i < p->n; i++) {
        if (strcmp(p->sec[i].name, name) == 0) {
            return conf_error(p, line, "[%s] appears twice", name);
        }
    }
    if (*name == '\0') {
        return conf_error(p, line, "a section needs a name");
    }
    s = OPENSSL_realloc(p->sec, (p->n + 1) * sizeof(*s));
    if (s == NULL) {
        return 0;
    }
    p->sec = s;
    s = &p->sec[p->n++];
    memset(s, 0, sizeof(*s));
    s->line = line;
    return (s->name = OPENSSL_strdup(name)) != NULL;
}

static int set_value(parser *p, char *k, char *v, int line)
{
    raw_section *s = current(p);
    int i = key_index(k);
    int in_entry = p->n > 0;

    if (i < 0) {
        return conf_error(p, line, "unknown key '%s'", k);
    }
    if (i == K_OPENSSL_CONF && in_entry) {
        return conf_error(p, line, "'%s' belongs at the top of the file", k);
    }
    if ((i == K_CERTIFICATE || (i >= K_PATH0 && i < K_HOOK)) && !in_entry) {
        return conf_error(p, line, "'%s' belongs in an entry ([name])", k);
    }
    if (s->val[i] != NULL) {
        return conf_error(p, line, "'%s' is set twice", k);
    }
    if (*v == '\0' && i != K_HOOK) {
        return conf_error(p, line, "'%s' has no value", k);
    }
    s->vline[i] = line;
    return (s->val[i] = OPENSSL_strdup(v)) != NULL;
}

static int parse_line(parser *p, char *line, int no)
{
    char *s = trim(line), *eq, *end;

    if (*s == '\0' || *s == '#' || *s == ';') {
        return 1;
    }
    if (*s == '[') {
        end = strchr(s, ']');
        if (end == NULL || *trim(end + 1) != '\0') {
            return conf_error(p, no, "expected [name]");
        }
        *end = '\0';
        return add_section(p, trim(s + 1), no);
    }
    if ((eq = strchr(s, '=')) == NULL) {
        return conf_error(p, no, "expected key = value or [name]");
    }
    *eq = '\0';
    return set_value(p, trim(s), trim(eq + 1), no);
}

/*------------------------------------------------------------ resolving */

/* The value of key i for an entry: its own, else the top's. */
static const char *pick(const parser *p, const raw_section *s, int i, int *line)
{
    if (s->val[i] != NULL) {
        *line = s->vline[i];
        return s->val[i];
    }
    *line = p->top.vline[i];
    return p->top.val[i];
}

/* A per-file value, else the entry-wide one (entry first, then top). */
static const char *pick_attr(const parser *p, const raw_section *s, int kind,
                             int a, int *line)
{
    const char *v = pick(p, s, K_FILE0 + kind * 3 + a, line);

    return v != NULL ? v : pick(p, s, K_OWNER + a, line);
}

static int parse_mode(const parser *p, const char *v, int line, mode_t *out)
{
    char *end;
    unsigned long m;
    size_t len = strlen(v);

    errno = 0;
    m = strtoul(v, &end, 8);
    if (len < 3 || len > 4 || *end != '\0' || errno != 0 || m > 07777) {
        return conf_error(p, line, "mode '%s' is not an octal mode like 0644",
                          v);
    }
    *out = (mode_t)m;
    return 1;
}

static int is_number(const char *v)
{
    return *v != '\0' && strspn(v, "0123456789") == strlen(v);
}

static int parse_owner(const parser *p, const char *v, int line, uid_t *out)
{
    struct passwd *pw;

    if (is_number(v)) {
        *out = (uid_t)strtoul(v, NULL, 10);
        return 1;
    }
    if ((pw = getpwnam(v)) == NULL) {
        return conf_error(p, line, "owner '%s': no such user", v);
    }
    *out = pw->pw_uid;
    return 1;
}

static int parse_group(const parser *p, const char *v, int line, gid_t *out)
{
    struct group *gr;

    if (is_number(v)) {
        *out = (gid_t)strtoul(v, NULL, 10);
        return 1;
    }
    if ((gr = getgrnam(v)) == NULL) {
        return conf_error(p, line, "group '%s': no such group", v);
    }
    *out = gr->gr_gid;
    return 1;
}

static int resolve_file(const parser *p, const raw_section *s, int kind,
                        sync_file *f)
{
    int line = s->vline[K_PATH0 + kind];
    const char *v;

    f->uid = (uid_t)-1;
    f->gid = (gid_t)-1;
    f->mode = 0644;
    if (s->val[K_PATH0 + kind] == NULL) {
        return 1;
    }
    if (s->val[K_PATH0 + kind][0] != '/') {
        return conf_error(p, line, "%s = %s: give an absolute path",
                          kind_keys[kind], s->val[K_PATH0 + kind]);
    }
    if ((f->path = OPENSSL_strdup(s->val[K_PATH0 + kind])) == NULL) {
        return 0;
    }
    if ((v = pick_attr(p, s, kind, 0, &line)) != NULL &&
        !parse_owner(p, v, line, &f->uid)) {
        return 0;
    }
    if ((v = pick_attr(p, s, kind, 1, &line)) != NULL &&
        !parse_group(p, v, line, &f->gid)) {
        return 0;
    }
    return (v = pick_attr(p, s, kind, 2, &line)) == NULL ||
           parse_mode(p, v, line, &f->mode);
}

static int check_uri(const parser *p, const raw_section *s)
{
    hwc_uri u;

    if (s->val[K_CERTIFICATE] == NULL) {
        return conf_error(p, s->line,
                          "[%s] has no certificate = scm:cert/<id> or "
                          "scm:name/<name>",
                          s->name);
    }
    if (!hwc_uri_parse(s->val[K_CERTIFICATE], &u)) {
        return conf_error(p, s->vline[K_CERTIFICATE],
                          "certificate = %s is not a valid URI",
                          s->val[K_CERTIFICATE]);
    }
    if (u.kind != HWC_URI_SCM_CERT && u.kind != HWC_URI_SCM_NAME) {
        return conf_error(p, s->vline[K_CERTIFICATE],
                          "certificate = %s: give scm:cert/<id> or "
                          "scm:name/<name>",
                          s->val[K_CERTIFICATE]);
    }
    return 1;
}

static int resolve_entry(const parser *p, const raw_section *s, sync_entry *e)
{
    int line;
    const char *hook = pick(p, s, K_HOOK, &line);

    e->line = s->line;
    if ((e->name = OPENSSL_strdup(s->name)) == NULL || !check_uri(p, s) ||
        (e->uri = OPENSSL_strdup(s->val[K_CERTIFICATE])) == NULL) {
        return 0;
    }
    if (hook != NULL && *hook != '\0' &&
        (e->hook = OPENSSL_strdup(hook)) == NULL) {
        return 0;
    }
    for (int k = 0; k < SF_COUNT; k++) {
        if (!resolve_file(p, s, k, &e->file[k])) {
            return 0;
        }
    }
    if (e->file[SF_CERT].path == NULL && e->file[SF_CHAIN].path == NULL &&
        e->file[SF_FULLCHAIN].path == NULL) {
        return conf_error(p, s->line,
                          "[%s] writes no certificate file: give cert, "
                          "chain or fullchain",
                          s->name);
    }
    return 1;
}

/* One path written by two entries (or twice by one) would flip-flop. */
static int check_paths(const parser *p, const sync_conf *c)
{
    for (size_t i = 0; i < c->n * SF_COUNT; i++) {
        const sync_file *a = &c->entry[i / SF_COUNT].file[i % SF_COUNT];

        for (size_t j = i + 1; a->path != NULL && j < c->n * SF_COUNT; j++) {
            const sync_file *b = &c->entry[j / SF_COUNT].file[j % SF_COUNT];

            if (b->path != NULL && strcmp(a->path, b->path) == 0) {
                return conf_error(p, c->entry[j / SF_COUNT].line,
                                  "%s is written twice (also by [%s])", b->path,
                                  c->entry[i / SF_COUNT].name);
            }
        }
    }
    return 1;
}

static int resolve(const parser *p, sync_conf *c)
{
    if (p->top.val[K_OPENSSL_CONF] != NULL &&
        (c->openssl_conf = OPENSSL_strdup(p->top.val[K_OPENSSL_CONF])) ==
            NULL) {
        return 0;
    }
    if (p->n > 0 &&
        (c->entry = OPENSSL_zalloc(p->n * sizeof(*c->entry))) == NULL) {
        return 0;
    }
    for (size_t i = 0; i < p->n; i++) {
        c->n = i + 1;
        if (!resolve_entry(p, &p->sec[i], &c->entry[i])) {
            return 0;
        }
    }
    return check_paths(p, c);
}

static void raw_free(raw_section *s)
{
    for (int i = 0; i < K_COUNT; i++) {
        OPENSSL_free(s->val[i]);
    }
    OPENSSL_free(s->name);
}

static void parser_free(parser *p)
{
    raw_free(&p->top);
    for (size_t i = 0; i < p->n; i++) {
        raw_free(&p->sec[i]);
    }
    OPENSSL_free(p->sec);
}

int sync_conf_parse(const char *name, const char *text, sync_conf *c)
{
    parser p = {name, {0}, NULL, 0};
    char *copy = OPENSSL_strdup(text), *line, *next;
    int ok = copy != NULL, no = 0;

    memset(c, 0, sizeof(*c));
    for (line = copy; ok && line != NULL; line = next) {
        next = strchr(line, '\n');
        if (next != NULL) {
            *next++ = '\0';
        }
        ok = parse_line(&p, line, ++no);
    }
    ok = ok && (c->path = OPENSSL_strdup(name)) != NULL && resolve(&p, c);
    if (ok && c->n == 0) {
        ok = conf_error(&p, no,
                        "no entries: add a [name] section per "
                        "certificate");
    }
    parser_free(&p);
    OPENSSL_free(copy);
    if (!ok) {
        sync_conf_free(c);
    }
    return ok;
}

/* Hooks run as the caller (root under systemd): nobody else may edit them. */
static int check_owner(const char *path, int fd)
{
    struct stat sb;

    if (fstat(fd, &sb) != 0) {
        return 0;
    }
    if (sb.st_mode & (S_IWGRP | S_IWOTH)) {
        hwc_raise(HWC_R_CONFIG,
                  "%s is writable by group or others (mode %04o); its deploy "
                  "hooks run as %s: chmod go-w it",
                  path, (unsigned)(sb.st_mode & 07777),
                  geteuid() == 0 ? "root" : "this user");
        return 0;
    }
    return 1;
}

static char *read_conf(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf = NULL;
    size_t n = 0;

    if (f == NULL) {
        hwc_raise(HWC_R_CONFIG, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (check_owner(path, fileno(f)) &&
        (buf = OPENSSL_malloc(MAX_CONF_SIZE + 1)) != NULL) {
        n = fread(buf, 1, MAX_CONF_SIZE + 1, f);
        if (ferror(f) || n > MAX_CONF_SIZE || memchr(buf, '\0', n) != NULL) {
            hwc_raise(HWC_R_CONFIG, "%s: unreadable, too large or binary",
                      path);
            OPENSSL_free(buf);
            buf = NULL;
        } else {
            buf[n] = '\0';
        }
    }
    fclose(f);
    return buf;
}

int sync_conf_load(const char *path, sync_conf *c)
{
    char *text = read_conf(path);
    int ok = text != NULL && sync_conf_parse(path, text, c);

    OPENSSL_free(text);
    return ok;
}

void sync_conf_free(sync_conf *c)
{
    for (size_t i = 0; c->entry != NULL && i < c->n; i++) {
        sync_entry *e = &c->entry[i];

        OPENSSL_free(e->name);
        OPENSSL_free(e->uri);
        OPENSSL_free(e->hook);
        for (int k = 0; k < SF_COUNT; k++) {
            OPENSSL_free(e->file[k].path);
        }
    }
    OPENSSL_free(c->entry);
    OPENSSL_free(c->path);
    OPENSSL_free(c->openssl_conf);
    memset(c, 0, sizeof(*c));
}
