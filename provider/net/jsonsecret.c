/*
 * jsonsecret.c: JSON answers that carry secrets (temporary SK and security
 * token, exported private keys, decrypted data), parsed without jansson's
 * parser ever reading those values. The parser copies every string it
 * reads through buffers it frees without wiping, and jansson's allocator
 * may not be replaced (it is process-wide, and other libraries in the same
 * process, Apache's mod_md for one, use jansson). So the values of the
 * members named below are taken out of a private copy of the text first,
 * replaced by placeholders, and put back into the parsed tree, where
 * hwc_json_free wipes them before freeing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "net/call.h"
#include "core/hwc.h"

#define MAX_SECRETS 16

/* The members whose string values are secrets, wherever they appear. */
static const char *const secret_names[] = {
    "secret",          "securitytoken", "private_key",
    "enc_private_key", "plain_text",    "plain_text_base64",
};

struct secrets {
    char mark[24]; /* "#hwc-secret-XXXXXXXX-" */
    size_t n;
    char *val[MAX_SECRETS];
    size_t len[MAX_SECRETS], cap[MAX_SECRETS];
};

/* End of the string token that starts at s[i] == '"' (index of its closing
 * quote), or 0 when it does not end. */
static size_t string_end(const char *s, size_t len, size_t i)
{
    for (i++; i < len; i++) {
        if (s[i] == '\\') {
            i++;
        } else if (s[i] == '"') {
            return i;
        }
    }
    return 0;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

static int hex4(const char *p, unsigned long *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(p[i]);

        if (h < 0) {
            return 0;
        }
        *v = *v * 16 + (unsigned long)h;
    }
    return 1;
}

static size_t put_utf8(char *o, unsigned long c)
{
    if (c < 0x80) {
        o[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (char)(0xC0 | (c >> 6));
        o[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (char)(0xE0 | (c >> 12));
        o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        o[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (c >> 18));
    o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    o[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* A \uXXXX escape (a surrogate pair: two) at s[*i], where s[*i] is the
 * 'u'; *i is left on its last digit. The code point, or 0 for what
 * jansson would refuse (NUL, a lone or reversed surrogate). */
static unsigned long unicode_escape(const char *s, size_t n, size_t *i)
{
    unsigned long c, lo;

    if (*i + 4 >= n || !hex4(s + *i + 1, &c) || c == 0) {
        return 0;
    }
    *i += 4;
    if (c >= 0xD800 && c <= 0xDBFF) {
        if (*i + 6 >= n || s[*i + 1] != '\\' || s[*i + 2] != 'u' ||
            !hex4(s + *i + 3, &lo) || lo < 0xDC00 || lo > 0xDFFF) {
            return 0;
        }
        *i += 6;
        return 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
    }
    return c >= 0xDC00 && c <= 0xDFFF ? 0 : c;
}

/* The character a one-letter escape stands for, or -1. */
static int simple_escape(char e)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const char *p = e != '\0' ? strchr(from, e) : NULL;

    return p != NULL ? to[p - from] : -1;
}

/* The JSON escapes of s[0..n) decoded into out (room for n bytes: decoding
 * never grows); 0 for anything jansson would refuse, NUL included. */
static int unescape(const char *s, size_t n, char *out, size_t *outlen)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned long c;
        int e;

        if ((unsigned char)s[i] < 0x20) {
            return 0;
        }
        if (s[i] != '\\') {
            out[o++] = s[i];
            continue;
        }
        if (++i >= n) {
            return 0;
        }
        if ((e = simple_escape(s[i])) >= 0) {
            out[o++] = (char)e;
        } else if (s[i] == 'u' && (c = unicode_escape(s, n, &i)) != 0) {
            o += put_utf8(out + o, c);
        } else {
            return 0;
        }
    }
    *outlen = o;
    return 1;
}

static int is_secret_name(const char *s, size_t n)
{
    char key[32];
    size_t klen;

    if (n >= sizeof(key) || !unescape(s, n, key, &klen)) {
        return 0;
    }
    for (size_t i = 0; i < sizeof(secret_names) / sizeof(secret_names[0]);
         i++) {
        if (klen == strlen(secret_names[i]) &&
            memcmp(key, secret_names[i], klen) == 0) {
            return 1;
        }
    }
    return 0;
}

static size_t skip_ws(const char *s, size_t len, size_t i)
{
    while (i < len &&
           (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) {
        i++;
    }
    return i;
}

/* Takes value [a, b) (inside its quotes) into sec; 0 to leave it be. */
static int take(struct secrets *sec, const char *s, size_t a, size_t b)
{
    char *v;
    size_t vlen;

    if (sec->n == MAX_SECRETS || (v = OPENSSL_malloc(b - a + 1)) == NULL) {
        return 0;
    }
    if (!unescape(s + a, b - a, v, &vlen)) {
        OPENSSL_clear_free(v, b - a + 1);
        return 0;
    }
    sec->val[sec->n] = v;
    sec->len[sec->n] = vlen;
    sec->cap[sec->n] = b - a + 1;
    sec->n++;
    return 1;
}

/* The placeholder prefix, made when the first secret is found: most
 * answers carry none, and they are parsed as they are. */
static void make_mark(struct secrets *sec)
{
    unsigned char nonce[4];

    if (sec->mark[0] != '\0') {
        return;
    }
    if (RAND_bytes(nonce, sizeof(nonce)) <= 0) {
        memset(nonce, 0x5A, sizeof(nonce));
    }
    snprintf(sec->mark, sizeof(sec->mark), "#hwc-secret-%02x%02x%02x%02x-",
             nonce[0], nonce[1], nonce[2], nonce[3]);
}

/* The text with each secret value replaced by "<mark><n>#"; out stays
 * empty when there is none. */
static int blank_secrets(const char *s, size_t len, struct secrets *sec,
                         hwc_buf *out)
{
    size_t i = 0, copied = 0;

    while (i < len) {
        size_t end, v, vend;

        if (s[i] != '"') {
            i++;
            continue;
        }
        if ((end = string_end(s, len, i)) == 0) {
            break;
        }
        v = skip_ws(s, len, end + 1);
        if (v < len && s[v] == ':' && is_secret_name(s + i + 1, end - i - 1) &&
            (v = skip_ws(s, len, v + 1)) < len && s[v] == '"' &&
            (vend = string_end(s, len, v)) != 0 && take(sec, s, v + 1, vend)) {
            make_mark(sec);
            if (!hwc_buf_append(out, s + copied, v + 1 - copied) ||
                !hwc_buf_printf(out, "%s%zu#", sec->mark, sec->n - 1)) {
                return 0;
            }
            copied = vend;
            end = vend;
        }
        i = end + 1;
    }
    return sec->n == 0 || hwc_buf_append(out, s + copied, len - copied);
}

/* Puts the secrets back where their placeholders are. */
static int restore(json_t *j, const struct secrets *sec, int depth)
{
    const char *k, *v;
    size_t idx, mlen = strlen(sec->mark);
    json_t *e;
    char *end;

    if (depth > 2100) {
        return 0;
    }
    if (json_is_object(j)) {
        json_object_foreach(j, k, e)
        {
            if (!restore(e, sec, depth + 1)) {
                return 0;
            }
        }
    } else if (json_is_array(j)) {
        json_array_foreach(j, idx, e)
        {
            if (!restore(e, sec, depth + 1)) {
                return 0;
            }
        }
    } else if (json_is_string(j) && (v = json_string_value(j)) != NULL &&
               strncmp(v, sec->mark, mlen) == 0) {
        idx = (size_t)strtoul(v + mlen, &end, 10);
        if (idx >= sec->n || strcmp(end, "#") != 0 ||
            json_string_setn(j, sec->val[idx], sec->len[idx]) != 0) {
            return 0;
        }
    }
    return 1;
}

json_t *hwc_json_loadb_secret(const char *text, size_t len, size_t flags,
                              json_error_t *err)
{
    struct secrets sec;
    hwc_buf copy = {0};
    json_t *root = NULL;
    int ok;

    memset(&sec, 0, sizeof(sec));
    ok = blank_secrets(text, len, &sec, &copy);
    if (ok && sec.n == 0) {
        root = json_loadb(text, len, flags, err);
    } else if (ok) {
        root = json_loadb((const char *)copy.data, copy.len, flags, err);
    }
    if (root != NULL && sec.n > 0 && !restore(root, &sec, 0)) {
        hwc_json_free(root);
        root = NULL;
        if (err != NULL) {
            snprintf(err->text, sizeof(err->text), "invalid secret value");
            err->line = err->column = -1;
        }
    }
    if (!ok && err != NULL) {
        snprintf(err->text, sizeof(err->text), "out of memory");
        err->line = err->column = -1;
    }
    for (size_t i = 0; i < sec.n; i++) {
        OPENSSL_clear_free(sec.val[i], sec.cap[i]);
    }
    hwc_buf_free(&copy);
    return root;
}

static void wipe_strings(json_t *j, int depth)
{
    const char *k;
    json_t *e;
    size_t i;

    if (depth > 2100) {
        return;
    }
    if (json_is_object(j)) {
        json_object_foreach(j, k, e)
        {
            wipe_strings(e, depth + 1);
        }
    } else if (json_is_array(j)) {
        json_array_foreach(j, i, e)
        {
            wipe_strings(e, depth + 1);
        }
    } else if (json_is_string(j)) {
        /* json_string_value hands out jansson's own buffer. */
        OPENSSL_cleanse((char *)json_string_value(j), json_string_length(j));
    }
}

void hwc_json_free(json_t *root)
{
    if (root != NULL) {
        wipe_strings(root, 0);
        json_decref(root);
    }
}
