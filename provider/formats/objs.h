/*
 * objs.h: the list of decoded objects every decoder appends to. Every
 * certificate is X.509 DER, every private key PKCS#8 PrivateKeyInfo DER,
 * every public key SubjectPublicKeyInfo DER, so the store can hand them to
 * libcrypto as is. The decoders (pem.h, keys.h, scmchain.h, archive.h,
 * keystore_file.h, uriwrap.h) are pure functions: no network, no provider
 * state, no OpenSSL dispatch; on failure they raise an hwc error
 * (HWC_R_DECODE etc.) and return 0, leaving `out` as it was.
 */
#ifndef HWC_OBJS_H
#define HWC_OBJS_H

#include <stddef.h>

#include <openssl/types.h>

enum hwc_obj_kind {
    HWC_OBJ_CERT = 1, /* X.509 Certificate DER */
    HWC_OBJ_PRIVKEY,  /* PKCS#8 PrivateKeyInfo DER (secret: wiped on free) */
    HWC_OBJ_PUBKEY,   /* SubjectPublicKeyInfo DER */
};

typedef struct hwc_obj {
    enum hwc_obj_kind kind;
    char data_type[16]; /* keys: "RSA", "EC", "RSA-PSS", ...; certs: "" */
    unsigned char *der;
    size_t der_len;
    char *label; /* JKS alias, PKCS#12 friendlyName, archive member; or NULL */
} hwc_obj;

typedef struct hwc_objs {
    hwc_obj *v;
    size_t n, cap;
    /* Entries that could not be decoded while others could, e.g.
     * "alias1: wrong password; alias2: unsupported algorithm"; or NULL.
     * Bounded (HWC_FAILED_MAX_*): notes past the bounds are counted in a
     * "; and N more" tail. */
    char *failed;
    size_t failed_len;   /* bytes of notes kept, without the tail */
    size_t failed_notes; /* notes kept */
    size_t failed_more;  /* notes dropped past the bounds */
} hwc_objs;

/* Bounds of hwc_objs.failed: a hostile archive or keystore with thousands
 * of broken entries costs linear time and a short message. */
#define HWC_FAILED_MAX_NOTES 20
#define HWC_FAILED_MAX_TEXT 640 /* notes kept, "; " included, no tail */
#define HWC_FAILED_MAX_NOTE 200 /* one note, longer ones are cut */
#define HWC_FAILED_MAX_LEN (HWC_FAILED_MAX_TEXT + 47) /* with the tail */

/* Appends a copy of der (non-empty) and label; data_type may be NULL for
 * certs (kept to 15 characters). Entries are allocated with OPENSSL_malloc.
 * Returns 1, or 0 with an error raised and l unchanged. */
int hwc_objs_add(hwc_objs *l, enum hwc_obj_kind kind, const char *data_type,
                 const unsigned char *der, size_t len, const char *label);
/* Notes an entry that failed (text is copied; "label: why", joined with
 * "; ", cut to the bounds above); see hwc_objs.failed. */
int hwc_objs_note_failure(hwc_objs *l, const char *label, const char *why);
/* Whether o is a certificate whose subject is name, parsed in libctx
 * (NULL: libcrypto's default; a plain one, hwc_prov_plain_libctx, parses
 * the same certificates faster). Nothing is raised. */
int hwc_obj_subject_is(const hwc_obj *o, const X509_NAME *name,
                       OSSL_LIB_CTX *libctx);
/* Frees everything, wiping private-key bytes; l itself becomes empty. */
void hwc_objs_free(hwc_objs *l);
/*
 * Moves every entry (and the failure notes) of src to the end of dst, all
 * or nothing: on failure (out of memory) dst is as it was and src keeps
 * its entries. On success src is left empty. Lets a decoder build its
 * result in a scratch list and leave `out` untouched when it fails.
 */
int hwc_objs_move(hwc_objs *dst, hwc_objs *src);

#endif /* HWC_OBJS_H */
