/*
 * tool_sync.c: `sync` keeps the files of SCM certificates current for
 * servers that read certificates only from files (nginx, HAProxy, Apache),
 * as certbot's renew does for ACME: for each entry of the sync
 * configuration it fetches the chain through the provider's store, writes
 * what differs (compared as DER) all at once, and runs each deploy hook
 * once if anything changed. The key file names the exact certificate the
 * chain came from (scm:cert/<id>), so after a reload the server fetches
 * the key of that certificate: chain and key stay a pair.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "auth/auth.h"
#include "services/client.h"
#include "formats/uriwrap.h"
#include "core/hwc.h"
#include "services/scm.h"
#include "core/settings.h"
#include "tool.h"
#include "tool_sync.h"
#include "tool_syncrun.h"
#include "resolve/uri.h"

#define MAX_KEY_FILE 65536

static void sync_help(void)
{
    printf(
        "usage: " TOOL_NAME " sync [--sync-config FILE] [--dry-run] [--json]\n"
        "\n"
        "For each entry of the sync configuration (default " SYNC_DEFAULT_CONFIG
        "),\n"
        "fetches the SCM certificate it names and brings its files up to\n"
        "date: the leaf (cert), the chain, the leaf and chain (fullchain)\n"
        "and a key file naming the certificate's key (key). Files are\n"
        "compared as certificates, not by date, and replaced only when they\n"
        "differ: all of an entry's files at once, through temporary files\n"
        "and renames, so that a failure leaves the old set. Then each\n"
        "deploy hook of a changed entry runs once. One line per entry.\n"
        "\n"
        "  --sync-config FILE  the sync configuration to read\n"
        "  --dry-run           fetch and compare, say what would change,\n"
        "                      write nothing and run no hook\n"
        "  --json              the result as a JSON object on stdout\n"
        "\n"
        "Exit status: 0 nothing to do, 3 files updated (hooks ran and\n"
        "succeeded), 1 an entry or a hook failed, 2 usage or configuration\n"
        "error (nothing attempted).\n");
}

/*------------------------------------------------------------ fetching */

static int need_client(sync_run *r)
{
    tool_conf tc;
    int ok;

    if (r->cl != NULL) {
        return 1;
    }
    ok = (r->st = hwc_settings_new()) != NULL &&
         tool_load_settings(&r->o, r->st, &tc);
    tool_conf_free(&tc);
    return ok && (r->auth = hwc_auth_new(r->st)) != NULL &&
           (r->cl = hwc_client_new(r->st, r->auth, "sync")) != NULL;
}

/* scm:name/<name> becomes scm:cert/<id> of the one certificate so named. */
static char *resolve_uri(sync_run *r, const char *uri)
{
    const char *q = strchr(uri, '?');
    char id[64];
    hwc_buf b = {0};
    hwc_uri u;

    if (!hwc_uri_parse(uri, &u)) {
        return NULL;
    }
    if (u.kind == HWC_URI_SCM_CERT) {
        return OPENSSL_strdup(uri);
    }
    if (!need_client(r) || !hwc_scm_resolve_name(r->cl, u.id, id, sizeof(id))) {
        return NULL;
    }
    if (!hwc_buf_printf(&b, "scm:cert/%s%s", id, q != NULL ? q : "") ||
        hwc_buf_cstr(&b) == NULL) {
        hwc_buf_free(&b);
        return NULL;
    }
    return (char *)hwc_buf_steal(&b, NULL);
}

static char *certs_pem(STACK_OF(X509) * certs, int from, int to)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *p = NULL, *out = NULL;
    long len = 0;
    int ok = b != NULL;

    for (int i = from; ok && i < to; i++) {
        ok = PEM_write_bio_X509(b, sk_X509_value(certs, i));
    }
    if (ok && (len = BIO_get_mem_data(b, &p)) >= 0 &&
        (out = OPENSSL_malloc((size_t)len + 1)) != NULL) {
        memcpy(out, p, (size_t)len);
        out[len] = '\0';
    }
    BIO_free(b);
    return out;
}

/* What each configured file is to hold. */
static int build_contents(entry_run *er)
{
    int n = sk_X509_num(er->certs);
    int range[SF_KEY][2] = {{0, 1}, {1, n}, {0, n}};

    for (int k = 0; k < SF_COUNT; k++) {
        if (er->e->file[k].path == NULL) {
            continue;
        }
        er->content[k] = k == SF_KEY
                             ? hwc_uri_wrap_pem(er->cert_uri)
                             : certs_pem(er->certs, range[k][0], range[k][1]);
        if (er->content[k] == NULL) {
            return 0;
        }
    }
    return 1;
}

static int fetch(sync_run *r, entry_run *er)
{
    X509 *leaf;

    if (r->libctx == NULL ||
        (er->cert_uri = resolve_uri(r, er->e->uri)) == NULL ||
        (er->certs = tool_load_certs(r->libctx, er->cert_uri)) == NULL) {
        return 0;
    }
    leaf = sk_X509_value(er->certs, 0);
    return (er->serial = tool_cert_serial(leaf)) != NULL &&
           tool_cert_expiry(leaf, er->not_after, sizeof(er->not_after),
                            &er->when, &er->days) &&
           build_contents(er);
}

/*------------------------------------------------------------ comparing */

/* The file a path names, through symbolic links (kept as they are). */
static char *target_of(const char *path)
{
    struct stat sb;
    char *t;

    if (lstat(path, &sb) != 0 || !S_ISLNK(sb.st_mode)) {
        return OPENSSL_strdup(path);
    }
    if ((t = realpath(path, NULL)) == NULL) {
        hwc_raise(HWC_R_CONFIG, "%s: a symbolic link to nothing: %s", path,
                  strerror(errno));
        return NULL;
    }
    path = OPENSSL_strdup(t);
    free(t);
    return (char *)path;
}

static int same_bytes(const char *path, const char *want)
{
    size_t n = strlen(want);
    char *buf = OPENSSL_malloc(n + 2);
    FILE *f = fopen(path, "rb");
    int same = 0;

    if (buf != NULL && f != NULL) {
        same = fread(buf, 1, n + 1, f) == n && memcmp(buf, want, n) == 0;
    }
    if (f != NULL) {
        fclose(f);
    }
    OPENSSL_free(buf);
    return same;
}

/* Whether the file holds certificates [from, to) of certs. */
static int same_certs(const char *path, STACK_OF(X509) * certs, int from,
                      int to)
{
    int missing, same;
    STACK_OF(X509) *now = tool_read_cert_file(path, &missing);
    STACK_OF(X509) *want = sk_X509_new_null();

    for (int i = from; want != NULL && i < to; i++) {
        sk_X509_push(want, sk_X509_value(certs, i));
    }
    same = now != NULL && want != NULL && sk_X509_num(want) == to - from &&
           tool_same_certs(now, want);
    sk_X509_pop_free(now, X509_free);
    sk_X509_free(want); /* borrowed */
    return same;
}

static int same_content(const entry_run *er, int k)
{
    int n = sk_X509_num(er->certs);

    switch (k) {
    case SF_CERT:
        return same_certs(er->target[k], er->certs, 0, 1);
    case SF_CHAIN:
        /* an empty chain is an empty file, which holds no certificate */
        return n > 1 ? same_certs(er->target[k], er->certs, 1, n)
                     : same_bytes(er->target[k], "");
    case SF_FULLCHAIN:
        return same_certs(er->target[k], er->certs, 0, n);
    default:
        return same_bytes(er->target[k], er->content[k]);
    }
}

static enum file_state compare_file(const entry_run *er, int k)
{
    const sync_file *f = &er->e->file[k];
    struct stat sb;
    enum file_state s;

    if (stat(er->target[k], &sb) != 0) {
        return FS_NEW;
    }
    ERR_set_mark();
    s = same_content(er, k) ? FS_UNCHANGED : FS_UPDATED;
    ERR_pop_to_mark();
    if (s == FS_UNCHANGED && ((sb.st_mode & 07777) != f->mode ||
                              (f->uid != (uid_t)-1 && sb.st_uid != f->uid) ||
                              (f->gid != (gid_t)-1 && sb.st_gid != f->gid))) {
        s = FS_ATTRS;
    }
    return s;
}

static int plan(entry_run *er)
{
    struct stat sb;

    for (int k = 0; k < SF_COUNT; k++) {
        if (er->e->file[k].path == NULL) {
            continue;
        }
        if ((er->target[k] = target_of(er->e->file[k].path)) == NULL) {
            return 0;
        }
        if (stat(er->target[k], &sb) == 0 && !S_ISREG(sb.st_mode)) {
            hwc_raise(HWC_R_CONFIG, "%s: not a regular file",
                      er->e->file[k].path);
            return 0;
        }
        er->fs[k] = compare_file(er, k);
        if (er->fs[k] != FS_UNCHANGED) {
            er->state = ES_UPDATED;
        }
    }
    return 1;
}

/*------------------------------------------------------------ writing */

static int commit(entry_run *er)
{
    tool_file set[SF_COUNT];
    size_t n = 0;

    for (int k = 0; k < SF_COUNT; k++) {
        const sync_file *f = &er->e->file[k];

        if (er->fs[k] == FS_NONE || er->fs[k] == FS_UNCHANGED) {
            continue;
        }
        memset(&set[n], 0, sizeof(set[n]));
        set[n].path = er->target[k];
        set[n].data = er->content[k];
        set[n].len = strlen(er->content[k]);
        set[n].mode = f->mode;
        set[n].uid = f->uid;
        set[n].gid = f->gid;
        n++;
    }
    return tool_fileset_replace(set, n);
}

static void sync_entry_run(sync_run *r, entry_run *er)
{
    if (!fetch(r, er) || !plan(er) ||
        (er->state == ES_UPDATED && !r->dry_run && !commit(er))) {
        er->state = ES_FAILED;
        er->error = tool_take_errors();
    }
}

/*------------------------------------------------------------ hooks */

static hook_run *hook_for(sync_run *r, const char *cmd)
{
    hook_run *h;

    for (size_t i = 0; i < r->nhooks; i++) {
        if (strcmp(r->hook[i].cmd, cmd) == 0) {
            return &r->hook[i];
        }
    }
    h = OPENSSL_realloc(r->hook, (r->nhooks + 1) * sizeof(*h));
    if (h == NULL) {
        return NULL;
    }
    r->hook = h;
    h = &r->hook[r->nhooks++];
    memset(h, 0, sizeof(*h));
    h->cmd = cmd;
    return h;
}

/* Each distinct hook of the changed entries, once, in file order. */
static int collect_hooks(sync_run *r)
{
    for (size_t i = 0; i < r->conf.n; i++) {
        const entry_run *er = &r->er[i];
        hook_run *h;

        if (er->state != ES_UPDATED || er->e->hook == NULL) {
            continue;
        }
        if ((h = hook_for(r, er->e->hook)) == NULL ||
            (h->entries.len > 0 && !hwc_buf_append_str(&h->entries, " ")) ||
            !hwc_buf_append_str(&h->entries, er->e->name) ||
            hwc_buf_cstr(&h->entries) == NULL) {
            return 0;
        }
    }
    return 1;
}

static void describe_status(hook_run *h, int st)
{
    if (WIFEXITED(st)) {
        h->ok = WEXITSTATUS(st) == 0;
        snprintf(h->result, sizeof(h->result), "exit status %d",
                 WEXITSTATUS(st));
    } else {
        snprintf(h->result, sizeof(h->result), "killed by signal %d",
                 WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    }
}

/* sh -c CMD, its stdout on our stderr (our stdout is the summary). */
static void run_hook(hook_run *h)
{
    pid_t pid;
    int st = 0;

    fflush(stdout);
    fflush(stderr);
    h->ran = 1;
    if ((pid = fork()) == 0) {
        dup2(STDERR_FILENO, STDOUT_FILENO);
        setenv("HWCLOUD_SYNC_ENTRIES", hwc_buf_cstr(&h->entries), 1);
        execl("/bin/sh", "sh", "-c", h->cmd, (char *)NULL);
        _exit(127);
    }
    if (pid < 0) {
        snprintf(h->result, sizeof(h->result), "cannot fork: %s",
                 strerror(errno));
        return;
    }
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    describe_status(h, st);
}

/*------------------------------------------------------------ the run */

static int exit_status(const sync_run *r)
{
    int changed = 0;

    for (size_t i = 0; i < r->conf.n; i++) {
        if (r->er[i].state == ES_FAILED) {
            return EXIT_FAILED;
        }
        changed |= r->er[i].state == ES_UPDATED;
    }
    for (size_t i = 0; i < r->nhooks; i++) {
        if (r->hook[i].ran && !r->hook[i].ok) {
            return EXIT_FAILED;
        }
    }
    return changed ? EXIT_UPDATED : EXIT_OK;
}

static void report_errors(const sync_run *r)
{
    for (size_t i = 0; i < r->conf.n; i++) {
        if (r->er[i].state == ES_FAILED) {
            tool_err("[%s] %s", r->er[i].e->name, r->er[i].error);
        }
    }
    for (size_t i = 0; i < r->nhooks; i++) {
        if (r->hook[i].ran && !r->hook[i].ok) {
            tool_err("deploy hook '%s': %s", r->hook[i].cmd, r->hook[i].result);
        }
    }
}

static int run_all(sync_run *r)
{
    if ((r->er = OPENSSL_zalloc(r->conf.n * sizeof(*r->er))) == NULL) {
        return 0;
    }
    if (r->conf.openssl_conf != NULL && r->o.config == NULL) {
        r->o.config = r->conf.openssl_conf;
    }
    r->libctx = tool_provider_libctx(&r->o);
    for (size_t i = 0; i < r->conf.n; i++) {
        r->er[i].e = &r->conf.entry[i];
        sync_entry_run(r, &r->er[i]);
        if (r->libctx == NULL && i > 0) {
            /* the provider did not start: one reason for every entry */
            OPENSSL_free(r->er[i].error);
            r->er[i].error = OPENSSL_strdup(r->er[0].error);
        }
    }
    if (!collect_hooks(r)) {
        return 0;
    }
    for (size_t i = 0; !r->dry_run && i < r->nhooks; i++) {
        run_hook(&r->hook[i]);
    }
    return 1;
}

static void entry_run_free(entry_run *er)
{
    for (int k = 0; k < SF_COUNT; k++) {
        OPENSSL_free(er->content[k]);
        OPENSSL_free(er->target[k]);
    }
    sk_X509_pop_free(er->certs, X509_free);
    OPENSSL_free(er->cert_uri);
    OPENSSL_free(er->serial);
    OPENSSL_free(er->error);
}

static void sync_run_free(sync_run *r)
{
    for (size_t i = 0; r->er != NULL && i < r->conf.n; i++) {
        entry_run_free(&r->er[i]);
    }
    for (size_t i = 0; i < r->nhooks; i++) {
        hwc_buf_free(&r->hook[i].entries);
    }
    OPENSSL_free(r->hook);
    OPENSSL_free(r->er);
    hwc_client_free(r->cl);
    hwc_auth_free(r->auth);
    hwc_settings_free(r->st);
    OSSL_LIB_CTX_free(r->libctx);
    sync_conf_free(&r->conf);
}

/* Two runs at once (the timer and an operator) take turns. */
static int lock_conf(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd >= 0 && flock(fd, LOCK_EX) != 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

static int conf_failed(const tool_opts *o, const char *path)
{
    char *why;
    json_t *root;

    if (!o->json) {
        tool_print_errors();
        return EXIT_USAGE;
    }
    why = tool_take_errors();
    root = json_pack("{s:s,s:b,s:i,s:s?}", "config", path, "ok", 0,
                     "exit_status", EXIT_USAGE, "error", why);
    json_dumpf(root, stdout, JSON_INDENT(2));
    fputc('\n', stdout);
    tool_err("%s", why);
    json_decref(root);
    OPENSSL_free(why);
    return EXIT_USAGE;
}

static int do_sync(sync_run *r)
{
    int rc, lock;

    if (!sync_conf_load(r->conf_path, &r->conf)) {
        return conf_failed(&r->o, r->conf_path);
    }
    lock = lock_conf(r->conf_path);
    if (!run_all(r)) {
        tool_print_errors();
        rc = EXIT_FAILED;
    } else {
        rc = exit_status(r);
        if (r->o.json) {
            sync_print_json(r, rc);
        } else {
            sync_print_text(r);
        }
        report_errors(r);
    }
    if (lock >= 0) {
        close(lock);
    }
    return rc;
}

int cmd_sync(const tool_opts *o, int argc, char **argv)
{
    sync_run r = {0};
    int rc;

    r.o = *o;
    r.conf_path = SYNC_DEFAULT_CONFIG;
    for (int i = 1; i < argc; i++) {
        if (tool_is_help(argv[i])) {
            sync_help();
            return EXIT_OK;
        } else if (strcmp(argv[i], "--sync-config") == 0 && i + 1 < argc) {
            r.conf_path = argv[++i];
        } else if (strcmp(argv[i], "--dry-run") == 0) {
            r.dry_run = 1;
        } else {
            return tool_usage_error("sync", "unexpected argument '%s'",
                                    argv[i]);
        }
    }
    rc = do_sync(&r);
    sync_run_free(&r);
    return rc;
}
