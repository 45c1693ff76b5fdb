/*
 * scmcerts.h: the certificates of an SCM export's fields, read and
 * de-duplicated (scmcerts.c) for scmchain.c to order. Private to those
 * two files.
 */
#ifndef HWC_SCMCERTS_H
#define HWC_SCMCERTS_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "formats/der.h"

/* The fields a certificate can come from. */
enum scm_src { SRC_CERT, SRC_CHAIN, SRC_ENTIRE, SRC_N };
#define NOT_IN SIZE_MAX

/* The JSON name of each field, for messages. */
extern const char *const hwc_scm_src_field[SRC_N];

struct scm_cert {
    unsigned char *der;
    size_t der_len;
    size_t pos[SRC_N]; /* first position in each field, or NOT_IN */
    int used;
    hwc_cert_view view; /* points into der */
    int viewable;       /* view is valid */
    int key_state;      /* KEY_*: whether libcrypto gets its public key */
    int bad_ext;        /* libcrypto finds its extensions invalid */
    X509 *x;            /* parsed when the quick way declines, or BER */
    enum scm_src src;   /* where it was first seen, for messages */
    int block;
    char label[64]; /* as hwc_pem_block.label */
};

struct scm_list {
    struct scm_cert *v;
    size_t n, cap;
    OSSL_LIB_CTX *plain; /* see hwc_assemble_scm */
};

void hwc_scm_list_free(struct scm_list *l);
/* Re-raises the last error (raised by a callee since the mark) with the
 * field name in front, dropping whatever else the callee left. */
void hwc_scm_reraise_in(const char *field);
/* NULL, empty or only white space. */
int hwc_scm_blank(const char *s);
/* The parsed certificate, parsing it now if need be; NULL with an error
 * raised when libcrypto does not take it. */
X509 *hwc_scm_cert_x509(struct scm_cert *c);
/* Every certificate of one PEM field, in order, added to l (once each). */
int hwc_scm_parse_field(const char *text, enum scm_src src, struct scm_list *l);

#endif /* HWC_SCMCERTS_H */
