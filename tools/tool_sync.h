/*
 * tool_sync.h: what `sync` and the expiry report of `check` share: the
 * sync configuration (an INI file naming SCM certificates and where their
 * files go) and the writer that replaces a set of files all at once.
 */
#ifndef HWC_TOOL_SYNC_H
#define HWC_TOOL_SYNC_H

#include <stddef.h>
#include <sys/types.h>

#include <openssl/x509.h>

#define SYNC_DEFAULT_CONFIG "/etc/hwcloud/sync.conf"

/* Exit statuses of `sync` besides EXIT_OK (nothing to do), EXIT_FAILED
 * and EXIT_USAGE (also a configuration file that cannot be used). */
#define EXIT_UPDATED 3

/* The files of an entry, in the order they are written. */
enum sync_kind { SF_CERT, SF_CHAIN, SF_FULLCHAIN, SF_KEY, SF_COUNT };

typedef struct sync_file {
    char *path; /* NULL when the entry does not write this file */
    mode_t mode;
    uid_t uid; /* (uid_t)-1: left as the writing process makes it */
    gid_t gid; /* (gid_t)-1: likewise */
} sync_file;

typedef struct sync_entry {
    char *name; /* the section name */
    char *uri;  /* certificate = scm:cert/<id> or scm:name/<name> */
    char *hook; /* deploy_hook, or NULL */
    sync_file file[SF_COUNT];
    int line; /* of the section header, for messages */
} sync_entry;

typedef struct sync_conf {
    char *path;
    char *openssl_conf; /* openssl_conf = (top of the file), or NULL */
    sync_entry *entry;
    size_t n;
} sync_conf;

/* The configuration key of a file kind: "cert", "chain", ... */
const char *sync_kind_key(enum sync_kind k);

/*
 * Reads and checks the whole file (unknown keys, duplicates, relative
 * paths, unknown users and groups, two entries writing one path are all
 * errors, raised as HWC_R_CONFIG with "file:line: "). 0 on error.
 */
int sync_conf_load(const char *path, sync_conf *c);
/* The same from text (name is used in messages). */
int sync_conf_parse(const char *name, const char *text, sync_conf *c);
void sync_conf_free(sync_conf *c);

/*---------------------------------------------------------- file sets */

typedef struct tool_file {
    const char *path;
    const void *data;
    size_t len;
    mode_t mode;
    uid_t uid; /* (uid_t)-1: no chown */
    gid_t gid;
    /* the writer's own state */
    char *tmp;
    char *old; /* a hard link to the file being replaced, for rollback */
    int done;  /* renamed into place */
} tool_file;

/*
 * Replaces every files[i].path by its data, or none of them: each new
 * content goes to a temporary file in the target's directory (owner, mode,
 * fsync), and only when all are written are they renamed into place. If a
 * rename fails, the files already replaced get their old content back.
 * Temporary files never outlive the call. 0 with an error raised (the
 * path and the system's reason).
 */
int tool_fileset_replace(tool_file *files, size_t n);

/*---------------------------------------------------------- certificates */

/* The certificates of a PEM file, in file order (at most 32). NULL with
 * an error raised; *missing is set when the file does not exist. */
STACK_OF(X509) * tool_read_cert_file(const char *path, int *missing);
/* Whether a and b hold the same certificates (DER) in the same order. */
int tool_same_certs(STACK_OF(X509) * a, STACK_OF(X509) * b);
/* notAfter as "YYYY-MM-DD HH:MM:SS UTC", its Unix time and the whole days
 * left from now (negative once expired). */
int tool_cert_expiry(const X509 *x, char *text, size_t cap, long long *when,
                     long *days);
/* The serial number in upper-case hex; OPENSSL_free it. */
char *tool_cert_serial(const X509 *x);

/*---------------------------------------------------------- expiry */

/* The options `check` takes for the expiry report of the sync entries. */
typedef struct expiry_opts {
    int on;               /* one of the options below was given */
    const char *conf;     /* --sync-config FILE */
    long days;            /* --days N: fail below N whole days left */
    const char *textfile; /* --textfile FILE: node-exporter metrics */
} expiry_opts;

#define EXPIRY_DEFAULT_DAYS 14

/* Takes argv[*i] (and its value) if it is one of the options above: 1
 * when taken (*i moved past it), 0 when not ours, -1 on a usage error
 * (reported). */
int expiry_option(expiry_opts *x, int argc, char **argv, int *i);
/* The options' lines for `check --help`. */
void expiry_help(void);

typedef struct expiry_report expiry_report;

/* Reads the sync configuration and each entry's deployed certificate (no
 * request is made). NULL only when out of memory. */
expiry_report *expiry_run(const expiry_opts *x);
/* The options check runs with: o, but without --config the sync
 * configuration's openssl_conf, as sync itself would use (r may be NULL:
 * o). Fills *buf when it differs from o. */
const struct tool_opts *expiry_tool_opts(const expiry_report *r,
                                         const struct tool_opts *o,
                                         struct tool_opts *buf);
/* Every entry's certificate was read and has at least N days left. */
int expiry_ok(const expiry_report *r);
void expiry_print_text(const expiry_report *r);
/* Each entry that fails the report, one line on stderr. */
void expiry_report_failures(const expiry_report *r);
/* The report as the JSON value of check's "certificates". */
struct json_t *expiry_json(const expiry_report *r);
/* Writes the node-exporter textfile, if asked; check_ok is the whole
 * check's result. 0 with a message on stderr when it cannot. */
int expiry_write_textfile(const expiry_report *r, int check_ok);
void expiry_free(expiry_report *r);

#endif /* HWC_TOOL_SYNC_H */
