/*
 * javaser.c: steps over one object of Java's serialization, see
 * javaser.h.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "formats/javaser.h"

/*
 * A JCEKS secret-key entry is a serialized SealedObject with no length in
 * front, so stepping over it means walking the serialization grammar
 * (Java Object Serialization Specification, chapter 6). Only class
 * descriptors are remembered: they say how to read later instance data.
 */
#define JS_BASE_HANDLE 0x7E0000u
#define JS_MAX_HANDLES 256
#define JS_MAX_FIELDS 512
#define JS_MAX_DEPTH 24
#define SC_WRITE_METHOD 0x01
#define SC_SERIALIZABLE 0x02
#define SC_EXTERNALIZABLE 0x04
#define SC_BLOCK_DATA 0x08

enum {
    TC_NULL = 0x70,
    TC_REFERENCE,
    TC_CLASSDESC,
    TC_OBJECT,
    TC_STRING,
    TC_ARRAY,
    TC_CLASS,
    TC_BLOCKDATA,
    TC_ENDBLOCKDATA,
    TC_RESET,
    TC_BLOCKDATALONG,
    TC_EXCEPTION,
    TC_LONGSTRING,
    TC_PROXYCLASSDESC,
    TC_ENUM,
};

typedef struct js_desc {
    int is_desc;
    uint8_t flags;
    char elem;    /* array classes: the component type code */
    int super;    /* handle index of the superclass descriptor or -1 */
    size_t first; /* field type codes in js.codes */
    size_t nfields;
} js_desc;

typedef struct js {
    hwc_jrd *r;
    size_t nh;
    js_desc h[JS_MAX_HANDLES];
    char codes[JS_MAX_FIELDS];
    size_t ncodes;
} js;

static int js_object(js *s, int depth, int *end);
static int js_classdesc(js *s, int depth, int *h);

static int js_new_handle(js *s, int *h)
{
    if (s->nh >= JS_MAX_HANDLES) {
        return 0;
    }
    memset(&s->h[s->nh], 0, sizeof(s->h[0]));
    s->h[s->nh].super = -1;
    if (h != NULL) {
        *h = (int)s->nh;
    }
    s->nh++;
    return 1;
}

static int js_prim_size(char code)
{
    switch (code) {
    case 'B':
    case 'Z':
        return 1;
    case 'C':
    case 'S':
        return 2;
    case 'I':
    case 'F':
        return 4;
    case 'J':
    case 'D':
        return 8;
    default:
        return 0;
    }
}

/* Block data and objects up to TC_ENDBLOCKDATA. */
static int js_annotation(js *s, int depth)
{
    for (;;) {
        int end = 0;

        if (!js_object(s, depth + 1, &end)) {
            return 0;
        }
        if (end) {
            return 1;
        }
    }
}

static int js_fields(js *s, int depth, js_desc *d)
{
    uint16_t n;

    if (!hwc_jrd_u16(s->r, &n) || n > JS_MAX_FIELDS - s->ncodes) {
        return 0;
    }
    d->first = s->ncodes;
    d->nfields = n;
    for (uint16_t i = 0; i < n; i++) {
        uint8_t code;
        const unsigned char *name;
        uint16_t nlen;
        int end = 0;

        if (!hwc_jrd_u8(s->r, &code) || !hwc_jrd_utf(s->r, &name, &nlen)) {
            return 0;
        }
        if (code == '[' || code == 'L') {
            /* The field's class name: a string or a reference. */
            if (!js_object(s, depth + 1, &end) || end) {
                return 0;
            }
        } else if (js_prim_size((char)code) == 0) {
            return 0;
        }
        s->codes[s->ncodes++] = (char)code;
    }
    return 1;
}

static int js_new_classdesc(js *s, int depth, int *h)
{
    const unsigned char *name;
    uint16_t nlen;
    uint8_t flags;
    int super;

    if (!hwc_jrd_utf(s->r, &name, &nlen) || !hwc_jrd_take(s->r, 8, NULL) ||
        !js_new_handle(s, h) || !hwc_jrd_u8(s->r, &flags)) {
        return 0;
    }
    s->h[*h].is_desc = 1;
    s->h[*h].flags = flags;
    if (nlen >= 2 && name[0] == '[') {
        s->h[*h].elem = (char)name[1];
    }
    if (!js_fields(s, depth, &s->h[*h]) || !js_annotation(s, depth) ||
        !js_classdesc(s, depth + 1, &super)) {
        return 0;
    }
    s->h[*h].super = super;
    return 1;
}

static int js_new_proxydesc(js *s, int depth, int *h)
{
    uint32_t n;
    int super;

    if (!js_new_handle(s, h) || !hwc_jrd_u32(s->r, &n)) {
        return 0;
    }
    s->h[*h].is_desc = 1;
    s->h[*h].flags = SC_SERIALIZABLE;
    for (uint32_t i = 0; i < n; i++) {
        const unsigned char *name;
        uint16_t nlen;

        if (!hwc_jrd_utf(s->r, &name, &nlen)) {
            return 0;
        }
    }
    if (!js_annotation(s, depth) || !js_classdesc(s, depth + 1, &super)) {
        return 0;
    }
    s->h[*h].super = super;
    return 1;
}

static int js_reference(js *s, int *h)
{
    uint32_t ref;

    if (!hwc_jrd_u32(s->r, &ref) || ref < JS_BASE_HANDLE ||
        ref - JS_BASE_HANDLE >= s->nh) {
        return 0;
    }
    *h = (int)(ref - JS_BASE_HANDLE);
    return 1;
}

/* A classDesc: new, proxy, reference to one, or null (h = -1). */
static int js_classdesc(js *s, int depth, int *h)
{
    uint8_t tc;

    if (depth > JS_MAX_DEPTH || !hwc_jrd_u8(s->r, &tc)) {
        return 0;
    }
    switch (tc) {
    case TC_NULL:
        *h = -1;
        return 1;
    case TC_REFERENCE:
        return js_reference(s, h) && s->h[*h].is_desc;
    case TC_CLASSDESC:
        return js_new_classdesc(s, depth, h);
    case TC_PROXYCLASSDESC:
        return js_new_proxydesc(s, depth, h);
    default:
        return 0;
    }
}

static int js_value(js *s, int depth, char code)
{
    int size = js_prim_size(code), end = 0;

    if (code == '[' || code == 'L') {
        return js_object(s, depth + 1, &end) && !end;
    }
    return size > 0 && hwc_jrd_take(s->r, (size_t)size, NULL);
}

/* Instance data of every class from the top superclass down to h. */
static int js_classdata(js *s, int depth, int h)
{
    int chain[JS_MAX_DEPTH];
    int n = 0;

    for (; h >= 0; h = s->h[h].super) {
        if (n == JS_MAX_DEPTH) {
            return 0;
        }
        chain[n++] = h;
    }
    while (n-- > 0) {
        const js_desc *d = &s->h[chain[n]];

        if (d->flags & SC_EXTERNALIZABLE) {
            if (!(d->flags & SC_BLOCK_DATA) || !js_annotation(s, depth)) {
                return 0;
            }
            continue;
        }
        for (size_t i = 0; i < d->nfields; i++) {
            if (!js_value(s, depth, s->codes[d->first + i])) {
                return 0;
            }
        }
        if ((d->flags & SC_WRITE_METHOD) && !js_annotation(s, depth)) {
            return 0;
        }
    }
    return 1;
}

static int js_array(js *s, int depth)
{
    int h, width;
    uint32_t n;

    if (!js_classdesc(s, depth + 1, &h) || h < 0 || !js_new_handle(s, NULL) ||
        !hwc_jrd_u32(s->r, &n) || n > INT32_MAX) {
        return 0;
    }
    width = js_prim_size(s->h[h].elem);
    if (width > 0) {
        return n <= s->r->left / (size_t)width &&
               hwc_jrd_take(s->r, (size_t)n * (size_t)width, NULL);
    }
    if (s->h[h].elem != '[' && s->h[h].elem != 'L') {
        return 0;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (!js_value(s, depth, 'L')) {
            return 0;
        }
    }
    return 1;
}

static int js_string(js *s, int is_long)
{
    const unsigned char *p;
    uint32_t hi, lo;
    uint16_t n;

    if (!js_new_handle(s, NULL)) {
        return 0;
    }
    if (!is_long) {
        return hwc_jrd_utf(s->r, &p, &n);
    }
    return hwc_jrd_u32(s->r, &hi) && hi == 0 && hwc_jrd_u32(s->r, &lo) &&
           hwc_jrd_take(s->r, lo, NULL);
}

static int js_block(js *s, int is_long)
{
    uint8_t n8;
    uint32_t n32;

    if (is_long) {
        return hwc_jrd_u32(s->r, &n32) && hwc_jrd_take(s->r, n32, NULL);
    }
    return hwc_jrd_u8(s->r, &n8) && hwc_jrd_take(s->r, n8, NULL);
}

/* One content item; *end is set at TC_ENDBLOCKDATA. */
static int js_object(js *s, int depth, int *end)
{
    uint8_t tc;
    int h, enum_end = 0;

    if (depth > JS_MAX_DEPTH || !hwc_jrd_u8(s->r, &tc)) {
        return 0;
    }
    switch (tc) {
    case TC_NULL:
        return 1;
    case TC_ENDBLOCKDATA:
        *end = 1;
        return 1;
    case TC_REFERENCE:
        return js_reference(s, &h);
    case TC_STRING:
    case TC_LONGSTRING:
        return js_string(s, tc == TC_LONGSTRING);
    case TC_BLOCKDATA:
    case TC_BLOCKDATALONG:
        return js_block(s, tc == TC_BLOCKDATALONG);
    case TC_CLASSDESC:
        return js_new_classdesc(s, depth, &h);
    case TC_PROXYCLASSDESC:
        return js_new_proxydesc(s, depth, &h);
    case TC_CLASS:
        return js_classdesc(s, depth + 1, &h) && js_new_handle(s, NULL);
    case TC_ARRAY:
        return js_array(s, depth);
    case TC_ENUM:
        return js_classdesc(s, depth + 1, &h) && js_new_handle(s, NULL) &&
               js_object(s, depth + 1, &enum_end) && !enum_end;
    case TC_OBJECT:
        return js_classdesc(s, depth + 1, &h) && h >= 0 &&
               js_new_handle(s, NULL) && js_classdata(s, depth, h);
    default: /* TC_RESET, TC_EXCEPTION: never in a key entry */
        return 0;
    }
}

int hwc_java_skip_object(hwc_jrd *r)
{
    static const unsigned char magic[4] = {0xAC, 0xED, 0x00, 0x05};
    const unsigned char *p;
    int end = 0, ok;
    js *s = OPENSSL_zalloc(sizeof(*s));

    if (s == NULL) {
        return 0;
    }
    s->r = r;
    ok = hwc_jrd_take(r, 4, &p) && memcmp(p, magic, 4) == 0 &&
         js_object(s, 0, &end) && !end;
    OPENSSL_free(s);
    return ok;
}
