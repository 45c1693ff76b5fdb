/* util.c: small helpers of the emulator: strings, random ids, base64,
 * hashing, time formatting and atomic file writes. */
#include "emu.h"

#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/rand.h>
#include <openssl/sha.h>

char *emu_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p == NULL)
        abort();
    memcpy(p, s, n);
    return p;
}

char *emu_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = malloc((size_t)n + 1);
    if (p == NULL)
        abort();
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

static void rand_from(char *out, size_t n, const char *alphabet, size_t alen)
{
    unsigned char buf[256];
    for (size_t i = 0; i < n; i++) {
        if (i % sizeof(buf) == 0)
            emu_random(buf, sizeof(buf));
        out[i] = alphabet[buf[i % sizeof(buf)] % alen];
    }
    out[n] = '\0';
}

void emu_rand_hex(char *out, size_t nchars)
{
    rand_from(out, nchars, "0123456789abcdef", 16);
}

void emu_rand_digits(char *out, size_t nchars)
{
    rand_from(out, nchars, "0123456789", 10);
}

void emu_uuid(char out[37])
{
    char h[33];
    emu_rand_hex(h, 32);
    snprintf(out, 37, "%.8s-%.4s-4%.3s-a%.3s-%.12s", h, h + 8, h + 12, h + 15,
             h + 18);
}

char *emu_b64_encode(const unsigned char *in, size_t len)
{
    char *out = malloc(4 * ((len + 2) / 3) + 1);
    if (out == NULL)
        abort();
    EVP_EncodeBlock((unsigned char *)out, in, (int)len);
    return out;
}

static int b64_valid(const char *in, size_t n)
{
    if (n % 4 != 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                 (c >= '0' && c <= '9') || c == '+' || c == '/';
        if (c == '=' && i + 2 >= n)
            ok = !(i + 1 < n && in[i + 1] != '=');
        if (!ok)
            return 0;
    }
    return 1;
}

unsigned char *emu_b64_decode(const char *in, size_t *outlen)
{
    size_t n = strlen(in);
    if (!b64_valid(in, n))
        return NULL;
    unsigned char *out = malloc(n / 4 * 3 + 1);
    if (out == NULL)
        abort();
    int r = EVP_DecodeBlock(out, (const unsigned char *)in, (int)n);
    if (r < 0) {
        free(out);
        return NULL;
    }
    size_t len = (size_t)r;
    if (n >= 1 && in[n - 1] == '=')
        len--;
    if (n >= 2 && in[n - 2] == '=')
        len--;
    *outlen = len;
    return out;
}

void emu_hex(const unsigned char *in, size_t len, char *out)
{
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = d[in[i] >> 4];
        out[2 * i + 1] = d[in[i] & 15];
    }
    out[2 * len] = '\0';
}

void emu_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char md[32];
    SHA256(data, len, md);
    emu_hex(md, 32, out);
}

int emu_write_file(const char *path, const void *data, size_t len)
{
    /* Not emu_rand_hex: a write happens or not depending on what is
     * cached, and must not shift the seeded start-up draws. */
    static unsigned long seq;
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp.%ld.%lu", path, (long)getpid(),
             __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED));
    FILE *f = fopen(tmp, "wb");
    if (f == NULL)
        return -1;
    int ok = fwrite(data, 1, len, f) == len;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

unsigned char *emu_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) ||
        st.st_size > 64 * 1024 * 1024) {
        fclose(f);
        return NULL;
    }
    unsigned char *buf = malloc((size_t)st.st_size + 1);
    if (buf == NULL)
        abort();
    size_t n = fread(buf, 1, (size_t)st.st_size, f);
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

char *emu_iso_time(time_t t)
{
    struct tm tm;
    char buf[64];
    gmtime_r(&t, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S.000000Z", &tm);
    return emu_strdup(buf);
}

long long emu_now_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* Patterns are string literals: each is compiled once, on first use
 * (compiling on every request cost more than the request itself). */
#define RE_CACHE 32
static struct {
    const char *re;
    regex_t rx;
} re_cache[RE_CACHE];
static size_t re_cached;
static pthread_mutex_t re_lock = PTHREAD_MUTEX_INITIALIZER;

static const regex_t *compiled(const char *re)
{
    const regex_t *found = NULL;
    pthread_mutex_lock(&re_lock);
    for (size_t i = 0; i < re_cached && found == NULL; i++)
        if (re_cache[i].re == re)
            found = &re_cache[i].rx;
    if (found == NULL && re_cached < RE_CACHE &&
        regcomp(&re_cache[re_cached].rx, re, REG_EXTENDED | REG_NOSUB) == 0) {
        re_cache[re_cached].re = re;
        found = &re_cache[re_cached++].rx;
    }
    pthread_mutex_unlock(&re_lock);
    return found;
}

int emu_match_re(const char *s, const char *re)
{
    const regex_t *rx = compiled(re);
    return rx != NULL && regexec(rx, s, 0, NULL, 0) == 0;
}

int emu_alnum_len(const char *s, size_t len)
{
    size_t i;
    for (i = 0; s[i] != '\0'; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9')))
            return 0;
    }
    return i == len;
}

char *emu_url_encode(const char *s)
{
    char *out = malloc(strlen(s) * 3 + 1), *o = out;
    if (out == NULL)
        abort();
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.') {
            *o++ = (char)c;
        } else {
            *o++ = '%';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    *o = '\0';
    return out;
}
