/*
 * tool_syncrun.h: one run of `sync`, as the command (tool_sync.c) carries
 * it out and its report (tool_syncout.c) prints it. Private to those two
 * files.
 */
#ifndef HWC_TOOL_SYNCRUN_H
#define HWC_TOOL_SYNCRUN_H

#include <openssl/x509.h>

#include "auth/auth.h"
#include "services/client.h"
#include "core/hwc.h"
#include "core/settings.h"
#include "tool.h"
#include "tool_sync.h"

enum file_state { FS_NONE, FS_UNCHANGED, FS_NEW, FS_UPDATED, FS_ATTRS };

enum entry_state { ES_UNCHANGED, ES_UPDATED, ES_FAILED };

typedef struct entry_run {
    const sync_entry *e;
    char *cert_uri; /* scm:cert/<id>[?query]: what the key file names */
    STACK_OF(X509) * certs;
    char *content[SF_COUNT];
    char *target[SF_COUNT]; /* the path, symbolic links followed */
    enum file_state fs[SF_COUNT];
    enum entry_state state;
    char *serial;
    char not_after[40];
    long long when;
    long days;
    char *error;
} entry_run;

typedef struct hook_run {
    const char *cmd;
    hwc_buf entries; /* names of the changed entries, space separated */
    int ran, ok;
    char result[64];
} hook_run;

typedef struct sync_run {
    tool_opts o; /* --config, else the sync file's openssl_conf */
    const char *conf_path;
    int dry_run;
    sync_conf conf;
    OSSL_LIB_CTX *libctx;
    hwc_settings *st; /* for scm:name/ lookups */
    hwc_auth *auth;
    hwc_client *cl;
    entry_run *er;
    hook_run *hook;
    size_t nhooks;
} sync_run;

/* The report of a run: lines of text, or one JSON document (rc: the exit
 * status it ends with). */
void sync_print_text(const sync_run *r);
void sync_print_json(const sync_run *r, int rc);

#endif /* HWC_TOOL_SYNCRUN_H */
