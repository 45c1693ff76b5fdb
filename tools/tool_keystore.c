/*
 * tool_keystore.c: `keystore create|list|show|delete`, KMS dedicated
 * keystores (keys backed by a Dedicated HSM cluster). Arguments are
 * checked before any request: the alias against the documented pattern,
 * the CA file parsed as an X.509 certificate.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "auth/auth.h"
#include "services/client.h"
#include "services/kms_keystores.h"
#include "tool.h"

typedef struct ks_session {
    hwc_settings *st;
    tool_conf conf;
    hwc_auth *auth;
    hwc_client *cl;
} ks_session;

static void keystore_help(void)
{
    printf("usage: " TOOL_NAME " keystore create --alias ALIAS "
           "--hsm-cluster-id ID --hsm-ca-cert FILE [--json]\n"
           "       " TOOL_NAME " keystore list [--json]\n"
           "       " TOOL_NAME " keystore show KEYSTORE_ID [--json]\n"
           "       " TOOL_NAME " keystore delete KEYSTORE_ID [--json]\n"
           "\n"
           "Manages KMS dedicated keystores. create prints the new\n"
           "keystore_id; the alias must match ^[a-zA-Z0-9:/_-]{1,255}$ and\n"
           "the CA file must hold the cluster's X.509 CA certificate (PEM);\n"
           "both are checked before any request. create and delete are not\n"
           "retried once they may have reached KMS. The keys of a keystore\n"
           "are listed by `openssl storeutl kms:keystore/<id>`.\n");
}

static int session_open(const tool_opts *o, ks_session *s)
{
    memset(s, 0, sizeof(*s));
    return (s->st = hwc_settings_new()) != NULL &&
           tool_load_settings(o, s->st, &s->conf) &&
           (s->auth = hwc_auth_new(s->st)) != NULL &&
           (s->cl = hwc_client_new(s->st, s->auth, "keystore")) != NULL;
}

static void session_close(ks_session *s)
{
    hwc_client_free(s->cl);
    hwc_auth_free(s->auth);
    tool_conf_free(&s->conf);
    hwc_settings_free(s->st);
}

/* Prints the outcome; --json gets {"ok":..., "error":...} on failure. */
static int finish(const tool_opts *o, int ok, json_t *result)
{
    if (!ok) {
        char *why = tool_take_errors();
        tool_err("%s", why ? why : "failed");
        if (o->json) {
            json_t *j = json_pack("{s:b, s:s?}", "ok", 0, "error", why);
            json_dumpf(j, stdout, JSON_INDENT(2));
            printf("\n");
            json_decref(j);
        }
        OPENSSL_free(why);
    } else if (o->json && result != NULL) {
        json_object_set_new(result, "ok", json_true());
        json_dumpf(result, stdout, JSON_INDENT(2));
        printf("\n");
    }
    json_decref(result);
    return ok ? EXIT_OK : EXIT_FAILED;
}

static json_t *info_json(const hwc_keystore_info *k)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "keystore_id", k->id,
                     "keystore_alias", k->alias, "keystore_type", k->type,
                     "hsm_cluster_id", k->hsm_cluster_id, "create_time",
                     k->create_time);
}

static void info_print(const hwc_keystore_info *k)
{
    printf("%s  alias=%s type=%s hsm_cluster=%s created=%s\n", k->id, k->alias,
           k->type[0] ? k->type : "-",
           k->hsm_cluster_id[0] ? k->hsm_cluster_id : "-", k->create_time);
}

struct list_out {
    const tool_opts *o;
    json_t *arr;
};

static int list_cb(const hwc_keystore_info *k, void *arg)
{
    struct list_out *lo = arg;

    if (lo->o->json) {
        json_array_append_new(lo->arr, info_json(k));
    } else {
        info_print(k);
    }
    return 1;
}

static int do_list(const tool_opts *o, ks_session *s)
{
    struct list_out lo = {o, json_array()};
    int offset = 0, seen = 0, total = 0, ok = 1;

    do {
        ok = hwc_keystores_list_page(s->cl, offset, 50, &seen, &total, list_cb,
                                     &lo);
        offset += seen;
    } while (ok && seen > 0 && offset < total);
    return finish(o, ok, json_pack("{s:o}", "keystores", lo.arr));
}

static int do_show(const tool_opts *o, ks_session *s, const char *id)
{
    hwc_keystore_info k;
    int ok = hwc_keystores_show(s->cl, id, &k);

    if (ok && !o->json) {
        info_print(&k);
    }
    return finish(o, ok,
                  ok ? json_pack("{s:o}", "keystore", info_json(&k)) : NULL);
}

static int do_delete(const tool_opts *o, ks_session *s, const char *id)
{
    int ok = hwc_keystores_delete(s->cl, id);

    if (ok && !o->json) {
        printf("deleted %s\n", id);
    }
    return finish(o, ok, json_pack("{s:s}", "deleted", id));
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "r");
    hwc_buf b = {0};
    char chunk[4096];
    size_t n;

    if (f == NULL) {
        return NULL;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && b.len < 65536) {
        hwc_buf_append(&b, chunk, n);
    }
    fclose(f);
    return hwc_buf_cstr(&b) ? (char *)hwc_buf_steal(&b, NULL) : NULL;
}

struct create_args {
    const char *alias, *cluster, *ca_file;
};

static int parse_create(int argc, char **argv, struct create_args *a)
{
    memset(a, 0, sizeof(*a));
    for (int i = 2; i < argc; i++) {
        const char **slot =
            strcmp(argv[i], "--alias") == 0            ? &a->alias
            : strcmp(argv[i], "--hsm-cluster-id") == 0 ? &a->cluster
            : strcmp(argv[i], "--hsm-ca-cert") == 0    ? &a->ca_file
                                                       : NULL;
        if (slot == NULL || i + 1 >= argc) {
            return tool_usage_error("keystore", "unexpected '%s'", argv[i]);
        }
        *slot = argv[++i];
    }
    if (a->alias == NULL || a->cluster == NULL || a->ca_file == NULL) {
        return tool_usage_error("keystore",
                                "create needs --alias, "
                                "--hsm-cluster-id and --hsm-ca-cert");
    }
    return EXIT_OK;
}

static int do_create(const tool_opts *o, int argc, char **argv)
{
    struct create_args a;
    ks_session s;
    char *ca = NULL, id[64] = "";
    int rc = parse_create(argc, argv, &a), ok = 0;

    if (rc != EXIT_OK) {
        return rc;
    }
    /* Checked before credentials are even read: nothing is sent. */
    if (!hwc_keystore_alias_valid(a.alias)) {
        tool_err("alias '%s' does not match ^[a-zA-Z0-9:/_-]{1,255}$", a.alias);
        return EXIT_FAILED;
    }
    if ((ca = read_text(a.ca_file)) == NULL) {
        tool_err("cannot read the HSM CA certificate %s", a.ca_file);
        return EXIT_FAILED;
    }
    if (session_open(o, &s)) {
        ok = hwc_keystores_create(s.cl, a.alias, a.cluster, ca, id, sizeof(id));
    }
    if (ok && !o->json) {
        printf("%s\n", id);
    }
    rc = finish(
        o, ok,
        json_pack("{s:s, s:s}", "keystore_id", id, "keystore_alias", a.alias));
    session_close(&s);
    OPENSSL_free(ca);
    return rc;
}

int cmd_keystore(const tool_opts *o, int argc, char **argv)
{
    ks_session s;
    int rc;

    if (argc < 2 || tool_is_help(argv[1])) {
        keystore_help();
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    if (strcmp(argv[1], "create") == 0) {
        return do_create(o, argc, argv);
    }
    if (strcmp(argv[1], "list") == 0 ? argc != 2
        : (strcmp(argv[1], "show") == 0 || strcmp(argv[1], "delete") == 0)
            ? argc != 3
            : 1) {
        return tool_usage_error("keystore", "unknown or incomplete command");
    }
    if (!session_open(o, &s)) {
        rc = finish(o, 0, NULL);
    } else if (strcmp(argv[1], "list") == 0) {
        rc = do_list(o, &s);
    } else if (strcmp(argv[1], "show") == 0) {
        rc = do_show(o, &s, argv[2]);
    } else {
        rc = do_delete(o, &s, argv[2]);
    }
    session_close(&s);
    return rc;
}
