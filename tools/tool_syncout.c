/*
 * tool_syncout.c: the report of a `sync` run (tool_sync.c): a line per
 * entry and hook, or one JSON document.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "core/hwc.h"
#include "tool.h"
#include "tool_syncrun.h"

static const char *const fs_text[] = {NULL, "unchanged", "new", "updated",
                                      "attributes"};

static void changed_files(const entry_run *er, char *out, size_t cap)
{
    size_t n = 0;

    out[0] = '\0';
    for (int k = 0; k < SF_COUNT; k++) {
        if (er->fs[k] != FS_NONE && er->fs[k] != FS_UNCHANGED && n < cap) {
            n += (size_t)snprintf(out + n, cap - n, "%s%s%s", n ? ", " : "",
                                  sync_kind_key(k),
                                  er->fs[k] == FS_ATTRS ? " (owner/mode)" : "");
        }
    }
}

static void print_entry(const sync_run *r, const entry_run *er)
{
    char files[128];

    if (er->state == ES_FAILED) {
        printf("%s: FAILED: %s (its files were left as they were)\n",
               er->e->name, er->error != NULL ? er->error : "?");
        return;
    }
    changed_files(er, files, sizeof(files));
    printf("%s: %s%s%s (%s, serial %s, expires %s, in %ld days)\n", er->e->name,
           er->state == ES_UNCHANGED ? "unchanged"
           : r->dry_run              ? "would update"
                                     : "updated",
           *files ? " " : "", files, er->cert_uri, er->serial, er->not_after,
           er->days);
}

void sync_print_text(const sync_run *r)
{
    for (size_t i = 0; i < r->conf.n; i++) {
        print_entry(r, &r->er[i]);
    }
    for (size_t i = 0; i < r->nhooks; i++) {
        const hook_run *h = &r->hook[i];

        printf("hook '%s' (%s): %s%s\n", h->cmd, (const char *)h->entries.data,
               !h->ran ? "would run (dry run)"
               : h->ok ? "ok"
                       : "FAILED: ",
               h->ran && !h->ok ? h->result : "");
    }
}

static json_t *files_json(const entry_run *er)
{
    json_t *o = json_object();

    for (int k = 0; k < SF_COUNT; k++) {
        if (er->e->file[k].path != NULL) {
            json_object_set_new(o, sync_kind_key(k),
                                json_pack("{s:s,s:s?}", "path",
                                          er->e->file[k].path, "state",
                                          fs_text[er->fs[k]]));
        }
    }
    return o;
}

static json_t *entry_json(const sync_run *r, const entry_run *er)
{
    static const char *const st[] = {"unchanged", "updated", "failed"};
    int ok = er->state != ES_FAILED;

    return json_pack(
        "{s:s,s:s,s:s?,s:s,s:b,s:o,s:s?,s:s?,s:o?,s:o?,s:s?}", "name",
        er->e->name, "certificate", er->e->uri, "uri", er->cert_uri, "state",
        er->state == ES_UPDATED && r->dry_run ? "would_update" : st[er->state],
        "ok", ok, "files", files_json(er), "serial", ok ? er->serial : NULL,
        "not_after", ok ? er->not_after : NULL, "not_after_unix",
        ok ? json_integer((json_int_t)er->when) : NULL, "days_left",
        ok ? json_integer(er->days) : NULL, "error", er->error);
}

static json_t *hooks_json(const sync_run *r)
{
    json_t *a = json_array();

    for (size_t i = 0; i < r->nhooks; i++) {
        const hook_run *h = &r->hook[i];

        json_array_append_new(
            a, json_pack("{s:s,s:s,s:s,s:s?}", "command", h->cmd, "entries",
                         (const char *)h->entries.data, "state",
                         !h->ran ? "would_run"
                         : h->ok ? "ok"
                                 : "failed",
                         "result", h->ran ? h->result : NULL));
    }
    return a;
}

void sync_print_json(const sync_run *r, int rc)
{
    json_t *entries = json_array(), *root;

    for (size_t i = 0; i < r->conf.n; i++) {
        json_array_append_new(entries, entry_json(r, &r->er[i]));
    }
    root = json_pack("{s:s,s:b,s:b,s:b,s:i,s:o,s:o}", "config", r->conf.path,
                     "dry_run", r->dry_run, "ok", rc != EXIT_FAILED, "changed",
                     rc == EXIT_UPDATED, "exit_status", rc, "entries", entries,
                     "hooks", hooks_json(r));
    json_dumpf(root, stdout, JSON_INDENT(2));
    fputc('\n', stdout);
    json_decref(root);
}
