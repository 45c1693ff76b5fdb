/*
 * hwc.h: what every layer of the hwcloud provider shares: the error path
 * into OpenSSL's error queue, run-time debug logging (its callers never
 * pass it a secret; hwc_mask is what one prints as), growable byte
 * buffers that wipe themselves, and small string helpers.
 * Nothing here knows about HTTP, cloud services or OpenSSL dispatch tables.
 */
#ifndef HWC_H
#define HWC_H

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/core.h>

#ifndef HWC_VERSION
#define HWC_VERSION "0.0.0"
#endif
#define HWC_PROV_NAME "hwcloud"
/* The number of elements of an array. */
#define HWC_NELEM(a) (sizeof(a) / sizeof((a)[0]))
/* A number macro as a string literal, for messages that name a cap. */
#define HWC_STR_(x) #x
#define HWC_STR(x) HWC_STR_(x)

/*---------------------------------------------------------------- errors */

/* Provider reason codes; text in err.c. Never renumber (users grep them). */
enum hwc_reason {
    HWC_R_INTERNAL = 1,
    HWC_R_MALLOC,
    HWC_R_URI_INVALID,      /* URI does not match the documented grammar */
    HWC_R_CONFIG,           /* a setting is missing or invalid */
    HWC_R_AUTH,             /* no credentials, login failed */
    HWC_R_TOKEN_EXPIRED,    /* a static token was refused as expired */
    HWC_R_TRANSPORT,        /* connect/TLS/timeout: no HTTP answer */
    HWC_R_SERVICE,          /* the service answered with an error */
    HWC_R_BAD_RESPONSE,     /* the answer is not what the API documents */
    HWC_R_TOO_LARGE,        /* a response or file exceeds its cap */
    HWC_R_DECODE,           /* bytes are not a certificate/key/keystore */
    HWC_R_KEY_MISMATCH,     /* no certificate matches the private key */
    HWC_R_BAD_PASSWORD,     /* keystore password wrong or integrity fail */
    HWC_R_UNSUPPORTED,      /* operation/algorithm/format not supported */
    HWC_R_KEY_STATE,        /* KMS key disabled, pending deletion, ... */
    HWC_R_REMOTE_OP,        /* a KMS sign/decrypt result failed checks */
    HWC_R_URI_PEM_DISABLED, /* PEM-wrapped URI seen with uri_pem off */
    HWC_R_NOT_FOUND,        /* alias/name/search found nothing */
    HWC_R_AMBIGUOUS,        /* alias/name matched more than one object */
    HWC_R_LEGACY_NEEDED,    /* legacy algorithms need the legacy provider */
    HWC_R_NOT_PERMITTED,    /* refused by a security rule or setting */
    HWC_R_TOKEN_REFUSED,    /* a static token was refused, not as expired */
    HWC_R_REASON_MAX
};

/* The reason strings table for the core's get_reason_strings. */
const OSSL_ITEM *hwc_reason_strings(void);
const char *hwc_reason_text(int reason);

/*
 * The error library: one per process, registered with libcrypto on first
 * use. Each provider instance holds a reference from init to teardown;
 * the last one out unloads the strings, before the module may be
 * unmapped. The tool and the unit tests link the code directly and never
 * release it.
 */
void hwc_err_acquire(void);
void hwc_err_release(void);

/*
 * hwc_raise: the one path into the error queue: libcrypto's, under our
 * error library (one per process), so that no provider instance's core
 * handle is needed and none can dangle once its instance is gone. Which
 * instance raised an error therefore needs no argument.
 */
#define hwc_raise(reason, ...)                                                 \
    hwc_raise_at((reason), __FILE__, __LINE__, __func__, __VA_ARGS__)
void hwc_raise_at(int reason, const char *file, int line, const char *func,
                  const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/*
 * Text echoed in messages and logs, made printable (escape.c): control
 * characters as \n \r \t \xNN, invalid UTF-8 bytes as \xNN, C1 controls
 * and bidi/line-separator characters as \uNNNN; printable ASCII and other
 * UTF-8 unchanged (so escaping twice changes nothing). dst always ends in
 * NUL; text that does not fit is cut between characters. Returns the length.
 * hwc_raise and hwc_debug escape every message this way.
 */
#define HWC_MSG_MAX 1024 /* what OpenSSL keeps of an error's text */
size_t hwc_escape(char *dst, size_t cap, const char *src, size_t len);
size_t hwc_vescapef(char *dst, size_t cap, const char *fmt, va_list ap)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 0)))
#endif
    ;

/*---------------------------------------------------------------- debug */

/* True when HWCLOUD_DEBUG (env) or the `debug` setting of a loaded
 * provider instance asks for a log. The log is the process's stderr, so
 * it is on while any instance wants it. */
int hwc_debug_enabled(void);
/* An instance that wants the log holds it from init to teardown. */
void hwc_debug_hold(void);
void hwc_debug_release(void);
/* Outside a provider (the tool): its `debug` setting; HWCLOUD_DEBUG is
 * read again. */
void hwc_debug_enable(int on);
#define hwc_debug(...)                                                         \
    do {                                                                       \
        if (hwc_debug_enabled())                                               \
            hwc_debug_at(__FILE__, __LINE__, __func__, __VA_ARGS__);           \
    } while (0)
void hwc_debug_at(const char *file, int line, const char *func, const char *fmt,
                  ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
/* What a secret looks like in a log: "[****]" or "[unset]". */
const char *hwc_mask(const char *secret);

/*---------------------------------------------------------------- fork */

/*
 * A mutex that fork() cannot leave held or half-way (fork.c): before a
 * fork every forklock is taken, after it every one is released in parent
 * and child, and then child(arg) runs in the child for state that only
 * other threads would have finished. Holding one forklock, never take,
 * make or drop another.
 */
typedef struct hwc_forklock {
    pthread_mutex_t mu;
    void (*child)(void *arg);
    void *arg;
    struct hwc_forklock *prev, *next;
} hwc_forklock;

void hwc_forklock_init(hwc_forklock *l, void (*child)(void *), void *arg);
void hwc_forklock_destroy(hwc_forklock *l);
void hwc_forklock_lock(hwc_forklock *l);
void hwc_forklock_unlock(hwc_forklock *l);

/*---------------------------------------------------------------- buffers */

/* A growable byte buffer; hwc_buf_free wipes before freeing. */
typedef struct hwc_buf {
    unsigned char *data;
    size_t len;
    size_t cap;
} hwc_buf;

int hwc_buf_append(hwc_buf *b, const void *p, size_t n);
int hwc_buf_append_str(hwc_buf *b, const char *s);
int hwc_buf_printf(hwc_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* NUL-terminates (not counted in len); returns data or NULL on failure. */
char *hwc_buf_cstr(hwc_buf *b);
/* Hands the bytes to the caller (who frees them); b becomes empty. */
unsigned char *hwc_buf_steal(hwc_buf *b, size_t *len);
void hwc_buf_free(hwc_buf *b);

/*---------------------------------------------------------------- strings */

/* White space as isspace() has it in the C locale, whatever the locale. */
static inline int hwc_is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
           c == '\r';
}
/* Wipe and free a NUL-terminated secret; NULL is fine. */
void hwc_secret_free(char *s);
/* Replace *dst by a copy of src (NULL clears); wipes the old value. */
int hwc_str_set(char **dst, const char *src);
/* Base64 (standard alphabet, padding); decode accepts line breaks. */
char *hwc_base64_encode(const unsigned char *in, size_t len);
unsigned char *hwc_base64_decode(const char *in, size_t len, size_t *outlen);
/* Lower-case hex of in. */
char *hwc_hex_encode(const unsigned char *in, size_t len);

#endif /* HWC_H */
