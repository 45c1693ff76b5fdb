/*
 * tool_expiry.c: the expiry report of `check`: for each entry of the sync
 * configuration, how many days the certificate deployed on disk has left
 * (what the server actually serves, so a sync that keeps failing shows up
 * here before the certificate runs out), a failure below a threshold, and
 * the same as a Prometheus node-exporter textfile.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "core/hwc.h"
#include "tool.h"
#include "tool_sync.h"

typedef struct expiry_item {
    const sync_entry *e;
    const char *file; /* the leaf's file: cert, else fullchain; or NULL */
    int read_ok;
    char not_after[40];
    long long when;
    long days;
    char *error;
} expiry_item;

struct expiry_report {
    const expiry_opts *x;
    sync_conf conf;
    int conf_ok;
    char *conf_error;
    expiry_item *item;
    size_t n;
};

void expiry_help(void)
{
    printf("  --sync-config FILE  report the certificates of this sync\n"
           "                      configuration (default " SYNC_DEFAULT_CONFIG
           ")\n"
           "  --days N            fail when one has fewer than N whole days\n"
           "                      left (default %d)\n"
           "  --textfile FILE     also write them as Prometheus metrics for\n"
           "                      node-exporter's textfile collector\n"
           "Without --config, the provider section is then that of the sync\n"
           "configuration's openssl_conf, if it names one.\n",
           EXPIRY_DEFAULT_DAYS);
}

static int parse_days(const char *v, long *out)
{
    char *end;
    long n = strtol(v, &end, 10);

    if (*v == '\0' || *end != '\0' || n < 0 || n > 36500) {
        return 0;
    }
    *out = n;
    return 1;
}

int expiry_option(expiry_opts *x, int argc, char **argv, int *i)
{
    const char *a = argv[*i];

    if (strcmp(a, "--sync-config") != 0 && strcmp(a, "--days") != 0 &&
        strcmp(a, "--textfile") != 0) {
        return 0;
    }
    if (*i + 1 >= argc) {
        tool_usage_error("check", "%s needs a value", a);
        return -1;
    }
    if (!x->on) {
        x->conf = SYNC_DEFAULT_CONFIG;
        x->days = EXPIRY_DEFAULT_DAYS;
    }
    x->on = 1;
    *i += 1;
    if (strcmp(a, "--sync-config") == 0) {
        x->conf = argv[*i];
    } else if (strcmp(a, "--textfile") == 0) {
        x->textfile = argv[*i];
    } else if (!parse_days(argv[*i], &x->days)) {
        tool_usage_error("check", "--days takes a number of days, not '%s'",
                         argv[*i]);
        return -1;
    }
    return 1;
}

/*------------------------------------------------------------ reading */

static void read_item(expiry_item *it)
{
    int missing;
    STACK_OF(X509) * certs;

    it->file = it->e->file[SF_CERT].path != NULL
                   ? it->e->file[SF_CERT].path
                   : it->e->file[SF_FULLCHAIN].path;
    if (it->file == NULL) {
        return; /* a chain only: no leaf to watch */
    }
    certs = tool_read_cert_file(it->file, &missing);
    it->read_ok = certs != NULL &&
                  tool_cert_expiry(sk_X509_value(certs, 0), it->not_after,
                                   sizeof(it->not_after), &it->when, &it->days);
    sk_X509_pop_free(certs, X509_free);
    if (!it->read_ok) {
        it->error = tool_take_errors();
    }
}

expiry_report *expiry_run(const expiry_opts *x)
{
    expiry_report *r = OPENSSL_zalloc(sizeof(*r));

    if (r == NULL) {
        return NULL;
    }
    r->x = x;
    if (!(r->conf_ok = sync_conf_load(x->conf, &r->conf))) {
        r->conf_error = tool_take_errors();
        return r;
    }
    if ((r->item = OPENSSL_zalloc(r->conf.n * sizeof(*r->item))) == NULL) {
        expiry_free(r);
        return NULL;
    }
    r->n = r->conf.n;
    for (size_t i = 0; i < r->n; i++) {
        r->item[i].e = &r->conf.entry[i];
        read_item(&r->item[i]);
    }
    return r;
}

const tool_opts *expiry_tool_opts(const expiry_report *r, const tool_opts *o,
                                  tool_opts *buf)
{
    if (r == NULL || o->config != NULL || r->conf.openssl_conf == NULL) {
        return o;
    }
    *buf = *o;
    buf->config = r->conf.openssl_conf;
    return buf;
}

static int item_ok(const expiry_report *r, const expiry_item *it)
{
    return it->file == NULL || (it->read_ok && it->days >= r->x->days);
}

int expiry_ok(const expiry_report *r)
{
    if (!r->conf_ok) {
        return 0;
    }
    for (size_t i = 0; i < r->n; i++) {
        if (!item_ok(r, &r->item[i])) {
            return 0;
        }
    }
    return 1;
}

/*------------------------------------------------------------ output */

static const char *verdict(const expiry_report *r, const expiry_item *it)
{
    if (it->file == NULL) {
        return "no leaf file (chain only)";
    }
    if (!it->read_ok) {
        return "FAILED";
    }
    if (it->days < 0) {
        return "EXPIRED";
    }
    return it->days < r->x->days ? "EXPIRES SOON" : "ok";
}

void expiry_print_text(const expiry_report *r)
{
    printf("\ncertificates (%s, at least %ld days left):\n", r->x->conf,
           r->x->days);
    if (!r->conf_ok) {
        printf("  FAILED: %s\n", r->conf_error ? r->conf_error : "?");
        return;
    }
    for (size_t i = 0; i < r->n; i++) {
        const expiry_item *it = &r->item[i];

        if (it->read_ok) {
            printf("  %s: %s: expires %s, in %ld days: %s\n", it->e->name,
                   it->file, it->not_after, it->days, verdict(r, it));
        } else {
            printf("  %s: %s: %s%s%s\n", it->e->name, it->file ? it->file : "-",
                   verdict(r, it), it->error ? ": " : "",
                   it->error ? it->error : "");
        }
    }
}

void expiry_report_failures(const expiry_report *r)
{
    if (!r->conf_ok) {
        tool_err("%s", r->conf_error ? r->conf_error : r->x->conf);
    }
    for (size_t i = 0; i < r->n; i++) {
        const expiry_item *it = &r->item[i];

        if (item_ok(r, it)) {
            continue;
        }
        if (!it->read_ok) {
            tool_err("[%s] %s", it->e->name, it->error ? it->error : "?");
        } else if (it->days < 0) {
            tool_err("[%s] %s: the certificate expired %ld days ago",
                     it->e->name, it->file, -it->days);
        } else {
            tool_err("[%s] %s: the certificate has %ld days left (fewer "
                     "than %ld)",
                     it->e->name, it->file, it->days, r->x->days);
        }
    }
}

static json_t *item_json(const expiry_report *r, const expiry_item *it)
{
    int ok = it->read_ok;

    return json_pack("{s:s,s:s,s:s?,s:s?,s:o?,s:o?,s:b,s:s?}", "name",
                     it->e->name, "certificate", it->e->uri, "file", it->file,
                     "not_after", ok ? it->not_after : NULL, "not_after_unix",
                     ok ? json_integer((json_int_t)it->when) : NULL,
                     "days_left", ok ? json_integer(it->days) : NULL, "ok",
                     item_ok(r, it), "error", it->error);
}

json_t *expiry_json(const expiry_report *r)
{
    json_t *a = json_array();

    for (size_t i = 0; i < r->n; i++) {
        json_array_append_new(a, item_json(r, &r->item[i]));
    }
    return json_pack("{s:s,s:I,s:b,s:s?,s:o}", "config", r->x->conf, "min_days",
                     (json_int_t)r->x->days, "ok", expiry_ok(r), "error",
                     r->conf_error, "entries", a);
}

/*------------------------------------------------------------ metrics */

/* A label value as the text exposition format wants it. */
static int put_label(hwc_buf *b, const char *name, const char *v, int first)
{
    int ok = hwc_buf_printf(b, "%s%s=\"", first ? "" : ",", name);

    for (; ok && *v != '\0'; v++) {
        ok = *v == '\\'   ? hwc_buf_append_str(b, "\\\\")
             : *v == '"'  ? hwc_buf_append_str(b, "\\\"")
             : *v == '\n' ? hwc_buf_append_str(b, "\\n")
                          : hwc_buf_append(b, v, 1);
    }
    return ok && hwc_buf_append_str(b, "\"");
}

static int put_sample(hwc_buf *b, const char *metric, const expiry_item *it,
                      long long value)
{
    return hwc_buf_printf(b, "%s{", metric) &&
           put_label(b, "entry", it->e->name, 1) &&
           put_label(b, "certificate", it->e->uri, 0) &&
           put_label(b, "file", it->file, 0) &&
           hwc_buf_printf(b, "} %lld\n", value);
}

static int put_family(hwc_buf *b, const expiry_report *r, const char *metric,
                      const char *help, int which)
{
    int ok = hwc_buf_printf(b, "# HELP %s %s\n# TYPE %s gauge\n", metric, help,
                            metric);

    for (size_t i = 0; ok && i < r->n; i++) {
        const expiry_item *it = &r->item[i];

        if (it->file == NULL || (which != 2 && !it->read_ok)) {
            continue;
        }
        ok = put_sample(b, metric, it,
                        which == 0   ? it->when
                        : which == 1 ? it->days
                                     : it->read_ok);
    }
    return ok;
}

static int metrics(hwc_buf *b, const expiry_report *r, int check_ok)
{
    return put_family(b, r, "hwcloud_certificate_not_after_timestamp_seconds",
                      "When the deployed certificate expires (Unix time).",
                      0) &&
           put_family(b, r, "hwcloud_certificate_days_left",
                      "Whole days until the deployed certificate expires.",
                      1) &&
           put_family(b, r, "hwcloud_certificate_readable",
                      "Whether the deployed certificate file could be read.",
                      2) &&
           hwc_buf_printf(b,
                          "# HELP hwcloud_check_success Whether "
                          "hwcloud-store check succeeded.\n"
                          "# TYPE hwcloud_check_success gauge\n"
                          "hwcloud_check_success %d\n"
                          "# HELP hwcloud_check_timestamp_seconds When "
                          "hwcloud-store check last ran.\n"
                          "# TYPE hwcloud_check_timestamp_seconds gauge\n"
                          "hwcloud_check_timestamp_seconds %lld\n",
                          check_ok, (long long)time(NULL));
}

int expiry_write_textfile(const expiry_report *r, int check_ok)
{
    hwc_buf b = {0};
    int ok;

    if (r->x->textfile == NULL) {
        return 1;
    }
    /* node-exporter reads *.prom only: the temporary name is skipped */
    ok = metrics(&b, r, check_ok) &&
         tool_write_atomic(r->x->textfile, b.data, b.len);
    if (!ok) {
        tool_err("%s: cannot write the metrics", r->x->textfile);
        tool_print_errors();
    }
    hwc_buf_free(&b);
    return ok;
}

void expiry_free(expiry_report *r)
{
    if (r == NULL) {
        return;
    }
    for (size_t i = 0; i < r->n; i++) {
        OPENSSL_free(r->item[i].error);
    }
    OPENSSL_free(r->item);
    OPENSSL_free(r->conf_error);
    sync_conf_free(&r->conf);
    OPENSSL_free(r);
}
