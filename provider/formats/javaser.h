/*
 * javaser.h: reading what Java's streams write, big-endian
 * (DataOutputStream, as JKS and JCEKS files are), and stepping over one
 * object of Java's serialization (javaser.c), which JCEKS writes for its
 * secret keys with no length in front.
 */
#ifndef HWC_JAVASER_H
#define HWC_JAVASER_H

#include <stddef.h>
#include <stdint.h>

/* What is left to read; every read checks it and consumes nothing when
 * too little is left. */
typedef struct hwc_jrd {
    const unsigned char *p;
    size_t left;
} hwc_jrd;

static inline int hwc_jrd_take(hwc_jrd *r, size_t n, const unsigned char **out)
{
    if (n > r->left) {
        return 0;
    }
    if (out != NULL) {
        *out = r->p;
    }
    r->p += n;
    r->left -= n;
    return 1;
}

static inline int hwc_jrd_u8(hwc_jrd *r, uint8_t *v)
{
    const unsigned char *p;

    if (!hwc_jrd_take(r, 1, &p)) {
        return 0;
    }
    *v = p[0];
    return 1;
}

static inline int hwc_jrd_u16(hwc_jrd *r, uint16_t *v)
{
    const unsigned char *p;

    if (!hwc_jrd_take(r, 2, &p)) {
        return 0;
    }
    *v = (uint16_t)((p[0] << 8) | p[1]);
    return 1;
}

static inline int hwc_jrd_u32(hwc_jrd *r, uint32_t *v)
{
    const unsigned char *p;

    if (!hwc_jrd_take(r, 4, &p)) {
        return 0;
    }
    *v = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
         ((uint32_t)p[2] << 8) | p[3];
    return 1;
}

/* A DataOutputStream.writeUTF string: u16 length, modified UTF-8. */
static inline int hwc_jrd_utf(hwc_jrd *r, const unsigned char **s, uint16_t *n)
{
    return hwc_jrd_u16(r, n) && hwc_jrd_take(r, *n, s);
}

/* Steps over one serialization stream (magic, version) holding a single
 * object; 0 when it is malformed or deeper or larger than any key. */
int hwc_java_skip_object(hwc_jrd *r);

#endif /* HWC_JAVASER_H */
