/*
 * hwcloud-store.c: the command-line tool's entry point: global options,
 * the command table, help texts and error reporting. The commands live in
 * tool_export.c (uri2pem, export), tool_check.c (check), tool_keystore.c
 * (keystore) and tool_sync.c (sync).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "core/hwc.h"
#include "tool.h"

struct command {
    const char *name;
    int (*run)(const tool_opts *o, int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"uri2pem", cmd_uri2pem, "write a key file that names a key by its URI"},
    {"export", cmd_export, "write the certificate chain of scm:cert/<id>"},
    {"check", cmd_check, "show the configuration and test the credentials"},
    {"keystore", cmd_keystore, "create, list, show, delete KMS keystores"},
    {"sync", cmd_sync,
     "keep the certificate files of SCM certificates current"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: " TOOL_NAME " [--config FILE] <command> [options]\n"
               "\n"
               "Commands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
    }
    fprintf(
        f, "  help      [command]: this text, or a command's\n"
           "\n"
           "Global options:\n"
           "  --config FILE  the openssl.cnf whose hwcloud provider section "
           "to use\n"
           "                 (default: $OPENSSL_CONF, else OpenSSL's own)\n"
           "  --json         machine-readable output (check, export, keystore, "
           "sync)\n"
           "  -h, --help     help\n"
           "\n"
           "Exit status: 0 ok, 1 failed, 2 usage error; sync: 3 files "
           "updated.\n"
           "Run '" TOOL_NAME " <command> --help' for a command's options.\n");
}

void tool_err(const char *fmt, ...)
{
    va_list ap;

    fputs(TOOL_NAME ": ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int tool_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fputs(TOOL_NAME ": ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry '" TOOL_NAME " %s%s--help'.\n", cmd ? cmd : "",
            cmd ? " " : "");
    return EXIT_USAGE;
}

int tool_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

/* One queued error as text: our provider's message, else OpenSSL's. */
static void error_text(unsigned long e, const char *data, int flags, char *out,
                       size_t cap)
{
    const char *reason = ERR_reason_error_string(e);

    if (data != NULL && *data != '\0' && (flags & ERR_TXT_STRING)) {
        snprintf(out, cap, "%s%s%s%s", data, reason ? " (" : "",
                 reason ? reason : "", reason ? ")" : "");
    } else {
        ERR_error_string_n(e, out, cap);
    }
}

void tool_print_errors(void)
{
    const char *data;
    int flags;
    unsigned long e;
    char line[1200];

    while ((e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
        error_text(e, data, flags, line, sizeof(line));
        tool_err("%s", line);
    }
}

char *tool_take_errors(void)
{
    const char *data;
    int flags;
    unsigned long e;
    char line[1200];
    hwc_buf b = {0};

    while ((e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
        error_text(e, data, flags, line, sizeof(line));
        if ((b.len > 0 && !hwc_buf_append_str(&b, "; ")) ||
            !hwc_buf_append_str(&b, line)) {
            break;
        }
    }
    return hwc_buf_cstr(&b) != NULL ? (char *)hwc_buf_steal(&b, NULL)
                                    : OPENSSL_strdup("");
}

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(commands[i].name, name) == 0) {
            return &commands[i];
        }
    }
    return NULL;
}

/* help [command]: the command's own --help. */
static int run_help(const tool_opts *o, int argc, char **argv)
{
    const struct command *c;
    char *sub[] = {NULL, "--help", NULL};

    if (argc < 2) {
        usage(stdout);
        return EXIT_OK;
    }
    if ((c = find_command(argv[1])) == NULL) {
        return tool_usage_error(NULL, "unknown command '%s'", argv[1]);
    }
    sub[0] = argv[1];
    return c->run(o, 2, sub);
}

/*
 * Takes the global options out of argv wherever they stand, so that
 * "check --json" and "--json check" both work. Returns the new argc, or
 * -1 on a usage error.
 */
static int take_global_options(int argc, char **argv, tool_opts *o)
{
    int n = 0;

    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            o->json = 1;
        } else if (strcmp(argv[i], "--config") == 0) {
            if (i + 1 >= argc) {
                tool_usage_error(NULL, "--config needs a file name");
                return -1;
            }
            o->config = argv[++i];
        } else if (strncmp(argv[i], "--config=", 9) == 0) {
            o->config = argv[i] + 9;
        } else {
            argv[n++] = argv[i];
        }
    }
    argv[n] = NULL;
    return n;
}

int main(int argc, char **argv)
{
    tool_opts o = {0};
    const struct command *c;

    argc = take_global_options(argc - 1, argv + 1, &o);
    argv++;
    if (argc < 0) {
        return EXIT_USAGE;
    }
    if (argc == 0) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (tool_is_help(argv[0])) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[0], "help") == 0) {
        return run_help(&o, argc, argv);
    }
    if ((c = find_command(argv[0])) == NULL) {
        return tool_usage_error(NULL, "unknown command '%s'", argv[0]);
    }
    return c->run(&o, argc, argv);
}
