/*
 * tool.h: what the parts of the hwcloud-store command share: exit codes,
 * error reporting, the configuration it reads (the provider's openssl.cnf
 * section, then the environment, exactly as the provider does) and the
 * private library context in which it runs the provider's own store.
 */
#ifndef HWC_TOOL_H
#define HWC_TOOL_H

#include <stddef.h>

#include <openssl/types.h>
#include <openssl/x509.h>

#include "core/settings.h"

#define TOOL_NAME "hwcloud-store"

enum tool_exit {
    EXIT_OK = 0,
    EXIT_FAILED = 1, /* the command ran and did not succeed */
    EXIT_USAGE = 2,  /* bad command line: nothing was attempted */
};

/* Options every command accepts (before or after the command name). */
typedef struct tool_opts {
    const char *config; /* --config FILE, else OPENSSL_CONF, else default */
    int json;           /* --json */
} tool_opts;

/* "hwcloud-store: <message>" on stderr. */
void tool_err(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* Usage error: message, a pointer to --help, and EXIT_USAGE. */
int tool_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Prints and clears OpenSSL's error queue (our provider's messages). */
void tool_print_errors(void);
/* The queue's messages as one line ("a; b"), cleared; free with
 * OPENSSL_free. For --json. */
char *tool_take_errors(void);

/* Where the configuration came from, for `check`. */
typedef struct tool_conf {
    char *file;     /* the openssl.cnf read, or NULL if none */
    int file_found; /* the file exists and parsed */
    char *section;  /* our provider section, or NULL */
    char *entry;    /* its name in the providers section ("hwcloud") */
    char *module;   /* its `module =`, or NULL */
    int activated;  /* the section says activate = 1 (or yes/true/on) */
    char **unknown; /* keys of the section the provider ignores */
    size_t n_unknown;
} tool_conf;

/*
 * Reads the provider's section of the configuration (found as OpenSSL
 * does: openssl_conf -> providers -> hwcloud) into st with
 * HWC_SRC_CONF, then the environment; validates. 0 with errors queued.
 */
int tool_load_settings(const tool_opts *o, hwc_settings *st, tool_conf *tc);
void tool_conf_free(tool_conf *tc);
/* The file tool_load_settings reads; OPENSSL_free it. */
char *tool_config_file(const tool_opts *o);

/* What OpenSSL itself made of the configuration (tool_openssl.c). */
typedef struct tool_loaded {
    int loaded;    /* OpenSSL found, loaded and initialised the module */
    int status;    /* its OSSL_PROV_PARAM_STATUS (0: settings unusable) */
    char *name;    /* its OSSL_PROV_PARAM_NAME (with the reason if 0) */
    char *version; /* its OSSL_PROV_PARAM_VERSION */
    char how[320]; /* how it was to be loaded, for messages */
    char *error;   /* libcrypto's reason when it could not be */
} tool_loaded;

/*
 * Loads the configuration file of tc into a fresh library context, as a
 * program's start does (no built-in: the module OpenSSL finds), then the
 * provider by name when the file does not activate it or by_name is set
 * (`-provider hwcloud`, HAProxy's ssl-provider). 0 with an error raised
 * when OpenSSL cannot load it.
 */
int tool_openssl_load(const tool_opts *o, const tool_conf *tc, int by_name,
                      tool_loaded *out);
void tool_loaded_free(tool_loaded *l);

/*
 * A library context running this very build of the provider (registered
 * as a built-in under the name "hwcloud") with the configuration file
 * loaded into it, and the default provider: the provider reads its
 * section and the environment itself, as it does inside a server.
 */
OSSL_LIB_CTX *tool_provider_libctx(const tool_opts *o);

/* Loads every certificate of uri through the provider's store, in the
 * store's order (for SCM: the leaf, then its chain). The certificates
 * refer to libctx: free them first. NULL with errors queued. */
STACK_OF(X509) * tool_load_certs(OSSL_LIB_CTX *libctx, const char *uri);

/* Writes data to path through a temporary file in the same directory
 * and a rename, mode 0644; "-" writes to stdout (tool_fileset.c). */
int tool_write_atomic(const char *path, const void *data, size_t len);
/* write() until all of p is written (EINTR retried); 0 on an error. */
int tool_write_all(int fd, const unsigned char *p, size_t len);
/* fsync()s path's directory, so that a rename into it is durable; a
 * failure there is not worth failing for. */
void tool_sync_dir(const char *path);

/* The commands. argv[0] is the command name. */
int cmd_uri2pem(const tool_opts *o, int argc, char **argv);
int cmd_export(const tool_opts *o, int argc, char **argv);
int cmd_check(const tool_opts *o, int argc, char **argv);
int cmd_keystore(const tool_opts *o, int argc, char **argv);
int cmd_sync(const tool_opts *o, int argc, char **argv);

/* True when arg is -h or --help. */
int tool_is_help(const char *arg);

#endif /* HWC_TOOL_H */
