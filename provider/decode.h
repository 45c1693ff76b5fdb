/*
 * decode.h: layer 3, bytes to DER objects. Pure functions: no network, no
 * provider state, no OpenSSL dispatch. Every certificate leaves as X.509
 * DER, every private key as PKCS#8 PrivateKeyInfo DER, every public key as
 * SubjectPublicKeyInfo DER, so the store can hand them to libcrypto as is.
 * On failure the functions raise an hwc error (HWC_R_DECODE etc.) and
 * return 0, leaving `out` as it was before the call.
 */
#ifndef HWC_DECODE_H
#define HWC_DECODE_H

#include <stddef.h>
#include <stdint.h>

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
/* Appends one X.509 certificate given as DER, which must be exactly one
 * certificate (trusted: OpenSSL's X509_AUX form, aux dropped). Returns 1
 * when added, 0 on an allocation failure (raised), -1 when der is not a
 * certificate (nothing raised: callers decide what that means). */
int hwc_decode_cert_der(hwc_objs *l, const unsigned char *der, size_t len,
                        int trusted, const char *label);
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

/*
 * The library context where everything that came from a service, a
 * download host or a keystore is decoded (decodectx.c): only OpenSSL's
 * default provider is loaded in it, so no other provider's decoders (the
 * PEM-wrapped URI decoder of hwcloud above all) ever run on those bytes.
 * Made on first use; NULL, with an error raised, if it cannot be made.
 * Provider instances hold it (hold at init, release at teardown); the last
 * release frees it.
 */
OSSL_LIB_CTX *hwc_decode_libctx(void);
void hwc_decode_libctx_hold(void);
void hwc_decode_libctx_release(void);

/*----------------------------------------------------------------- PEM */

typedef struct hwc_pem_block {
    char label[64]; /* e.g. "CERTIFICATE", "RSA PRIVATE KEY" */
    unsigned char *der;
    size_t der_len;
} hwc_pem_block;

/*
 * Splits text into its PEM blocks. Tolerates CRLF or LF, blocks glued
 * together with no newline between END and BEGIN, leading/trailing
 * whitespace and text between blocks. Encrypted PEM (Proc-Type) blocks are
 * returned as they are with their label: when the body starts with RFC 1421
 * headers ("Proc-Type: 4,ENCRYPTED", "DEK-Info: ..."), `der` holds the body
 * text undecoded (headers included, trimmed), which a caller recognises by
 * its first bytes ("Proc-Type:"); DER never starts so. Returns the number
 * of blocks (>= 0; *blocks is NULL when 0) and an array to free with
 * hwc_pem_blocks_free, or -1 on a malformed block (bad base64, empty body,
 * END without BEGIN, missing END, mismatched or invalid labels, labels of
 * 64 characters or more), with an HWC_R_DECODE error saying which block
 * ("PEM block 2 (CERTIFICATE): invalid base64"). Block bytes are wiped
 * when freed (they may hold keys).
 */
int hwc_pem_split(const char *text, size_t len, hwc_pem_block **blocks);
void hwc_pem_blocks_free(hwc_pem_block *blocks, int n);
/* True when data starts (after whitespace) with "-----BEGIN ". */
int hwc_looks_like_pem(const unsigned char *data, size_t len);

/*----------------------------------------------------------------- keys */

/*
 * A public key as KMS get-publickey returns it: PEM (any label; the first
 * block that decodes wins), raw DER or bare base64 of the DER, holding an
 * SPKI or a PKCS#1 RSAPublicKey (the documented example puts PKCS#1 under
 * "BEGIN PUBLIC KEY"). The DER must be used up exactly. Appends one
 * HWC_OBJ_PUBKEY (SPKI DER, label NULL).
 */
int hwc_decode_public_key(const char *text, size_t len, hwc_objs *out);

/*
 * One private key from PEM text: PKCS#1 "RSA PRIVATE KEY", SEC1
 * "EC PRIVATE KEY" (with or without a preceding "EC PARAMETERS" block; the
 * block supplies the curve when the key lacks its [0] parameters),
 * "DSA PRIVATE KEY", unencrypted PKCS#8 "PRIVATE KEY". Other blocks
 * (certificates) are skipped; two key blocks are an error. Text without
 * PEM armour is taken as DER (PKCS#8, PKCS#1 or SEC1). "ENCRYPTED PRIVATE
 * KEY" and Proc-Type encrypted PEM fail with HWC_R_UNSUPPORTED. Appends one
 * HWC_OBJ_PRIVKEY (PKCS#8 DER, label NULL); intermediate copies are wiped.
 */
int hwc_decode_private_key(const char *text, size_t len, hwc_objs *out);
/* The same, also handing back the decoded key (free it) when pkey is not
 * NULL, for callers that need it beyond the DER. */
int hwc_decode_private_key_ex(const char *text, size_t len, hwc_objs *out,
                              EVP_PKEY **pkey);

/*
 * The quick way for the common case: one unencrypted PEM block holding a
 * plain RSA or EC key (see hwc_key_view_parse in der.h), taken apart
 * without libcrypto. Appends the PKCS#8 entry, points *view into it and
 * returns 1; returns 0, with nothing appended or raised, for anything else
 * (hwc_decode_private_key_ex then decides).
 */
struct hwc_key_view;
int hwc_decode_private_key_view(const char *text, size_t len, hwc_objs *out,
                                struct hwc_key_view *view);

/* Whether pt (len bytes) is a point on the named curve nid, as libcrypto
 * checks when it decodes an EC key. */
int hwc_ec_point_ok(int nid, const unsigned char *pt, size_t len);

/* Every CERTIFICATE (and "X509 CERTIFICATE", "TRUSTED CERTIFICATE", the
 * latter stripped of OpenSSL's trust settings) block of a PEM bundle, in
 * order; other blocks are ignored; a certificate block that does not
 * decode fails the whole call. Text without PEM armour is taken as one DER
 * certificate. Appends >= 1 cert (label NULL). */
int hwc_decode_cert_bundle(const char *text, size_t len, hwc_objs *out);

/*
 * SCM export assembly. Inputs are the JSON string fields (each may be NULL
 * or empty). Output order: the leaf (the certificate whose public key
 * matches private_key, looked for in `certificate` first, then in
 * `entire_certificate`), then every other certificate of certificate,
 * certificate_chain and entire_certificate, de-duplicated and ordered by
 * issuer linkage from the leaf upwards (unlinked ones last, in input
 * order), then the private key. No matching certificate: HWC_R_KEY_MISMATCH
 * and nothing is appended. private_key NULL: certificates only, leaf =
 * first certificate of `certificate`, else of entire_certificate (else of
 * certificate_chain). "Linkage" is X509_check_issued (names, AKID, key
 * type), the walk stops at a self-issued certificate. Certificates that are
 * plain DER are matched and ordered from their DER (der.h) and handed on
 * as they came, unparsed; libcrypto parses them when the store passes them
 * on. A non-empty field that
 * is not PEM, has a bad block or no certificate fails, with the field name
 * in the message ("certificate_chain: PEM block 2 (CERTIFICATE): invalid
 * base64"); every field empty, or no certificate at all, is
 * HWC_R_BAD_RESPONSE. Labels are NULL.
 *
 * What is handed on unparsed is checked with libcrypto in `plain`: a
 * library context with only the null provider (hwc_prov_plain_libctx),
 * where d2i_X509 accepts and refuses the same certificates without
 * building a decoder chain for their keys, ten times faster; NULL:
 * libcrypto's default context. Keep one for many calls (a context's
 * first parse builds its name tables).
 */
int hwc_assemble_scm(const char *certificate, const char *certificate_chain,
                     const char *entire_certificate, const char *private_key,
                     OSSL_LIB_CTX *plain, hwc_objs *out);
/* How many hwc_assemble_scm calls so far could not settle the order from
 * the DER alone (der.h) and had libcrypto parse everything: the unusual
 * cases (BER, TRUSTED CERTIFICATE, names equal only once canonicalised,
 * keys in other forms). For tests and debugging. */
unsigned long hwc_scm_careful_runs(void);
/* Tests only: with on, every assembly goes the careful way (the fuzzer
 * compares the two ways' answers). */
void hwc_scm_set_always_careful(int on);

/*----------------------------------------------------------------- files */

/*
 * The DCS SSL download: sniffs zip, tar, gzip (a tar, or one PEM/DER file),
 * plain PEM or DER by content (not trusting names) and appends every
 * certificate found, each labelled with its member name (for a bare gzip
 * the file name stored in its header, else "data"; NULL for a plain PEM/DER
 * file). Members are sniffed the same way: PEM certificate blocks or one
 * DER certificate; members holding neither (keys, READMEs) are skipped,
 * broken certificate members are noted in out->failed. Unpacked bytes are
 * counted while read (header sizes are not trusted): more than max_unpacked in
 * total, or more than 10000 entries, is HWC_R_TOO_LARGE. No certificate at all
 * is HWC_R_DECODE.
 */
int hwc_decode_archive_certs(const unsigned char *data, size_t len,
                             size_t max_unpacked, hwc_objs *out);

enum hwc_keystore_format {
    HWC_KS_UNKNOWN = 0,
    HWC_KS_PEM,
    HWC_KS_PKCS12,
    HWC_KS_JKS,
    HWC_KS_JCEKS,
};
enum hwc_keystore_format hwc_keystore_sniff(const unsigned char *data,
                                            size_t len);
/* True when the format needs a password (PKCS#12, JKS, JCEKS). */
int hwc_keystore_needs_password(enum hwc_keystore_format fmt);

/*
 * A CodeArts keystore file: every private key and certificate in it, keys
 * and their certificate chains in entry order, each labelled with its
 * alias. One password serves integrity and every entry. A wrong password
 * (integrity check fails) is HWC_R_BAD_PASSWORD with nothing appended; an
 * entry that alone cannot be decrypted is noted in out->failed by alias
 * while the others are appended. Legacy PKCS#12 algorithms (RC2, 3DES)
 * are decrypted in `libctx` with OpenSSL's legacy provider if it loads,
 * else HWC_R_LEGACY_NEEDED.
 */
int hwc_decode_keystore(const unsigned char *data, size_t len, const char *pass,
                        size_t passlen, OSSL_LIB_CTX *libctx, hwc_objs *out);

/*
 * The key-derivation work one keystore file may ask for (kdfcap.c), read
 * from its parameters before any KDF runs, since the password is checked
 * only after it: each PBKDF2, PKCS#12-KDF, PBES1 or JCEKS run at most
 * HWC_KDF_MAX_ITER iterations (openssl writes 2048, keytool 10000, the most
 * demanding tools 600000), scrypt at most N*r*p = HWC_KDF_MAX_SCRYPT
 * (openssl -scrypt: 131072), all runs of a file HWC_KDF_MAX_TOTAL. More is
 * HWC_R_TOO_LARGE, naming the cap.
 */
#define HWC_KDF_MAX_ITER 1000000
#define HWC_KDF_MAX_TOTAL 4000000
#define HWC_KDF_MAX_SCRYPT (1L << 22)
typedef struct hwc_kdf_budget {
    long left; /* start at HWC_KDF_MAX_TOTAL */
} hwc_kdf_budget;
/* Charges cost (iterations) against one run's cap and the file's budget;
 * 0 with an error naming `what` and the cap when over either. */
int hwc_kdf_spend(hwc_kdf_budget *b, int64_t cost, int64_t cap,
                  const char *what);
/* The same for a password-based encryption AlgorithmIdentifier (PBES2 with
 * PBKDF2 or scrypt, PBES1, the PKCS#12 PBEs); others pass (libcrypto
 * refuses them without deriving anything). */
int hwc_kdf_check(const X509_ALGOR *alg, hwc_kdf_budget *b, const char *what);
/* A PKCS#12 MAC (iterations, or PBMAC1's PBKDF2), runs times over. */
struct PKCS12_st;
int hwc_kdf_check_mac(const struct PKCS12_st *p12, int runs, hwc_kdf_budget *b);

/* The format-specific parts hwc_decode_keystore dispatches to. */
int hwc_jks_parse(const unsigned char *data, size_t len, const char *pass,
                  size_t passlen, hwc_objs *out); /* JKS and JCEKS */
int hwc_pkcs12_parse(const unsigned char *data, size_t len, const char *pass,
                     size_t passlen, OSSL_LIB_CTX *libctx, hwc_objs *out);

/* Tests only: the directory tried for the legacy provider when
 * OPENSSL_MODULES does not have it (NULL: libcrypto's modules dir). */
void hwc_pkcs12_set_legacy_fallback(const char *dir);

/*----------------------------------------------------- PEM-wrapped URI */

#define HWC_URI_PEM_LABEL "HWCLOUD PROVIDER URI"
#define HWC_URI_PEM_MAGIC "hwcloud-provider-uri-v1"

/*
 * DER of SEQUENCE { VisibleString magic, UTF8String uri }. uri must be
 * non-empty UTF-8 of at most 65535 bytes. *der is freed with OPENSSL_free.
 */
int hwc_uri_wrap_der(const char *uri, unsigned char **der, size_t *len);
/* The PEM text of that DER, label HWC_URI_PEM_LABEL, NUL-terminated, 64
 * base64 characters a line, LF line ends; free with OPENSSL_free. */
char *hwc_uri_wrap_pem(const char *uri);
/* The URI inside such a DER (strict DER: minimal lengths, exact magic,
 * exactly two elements, UTF-8 without NUL, no trailing bytes); NULL with an
 * HWC_R_DECODE error otherwise. Free with OPENSSL_free. */
char *hwc_uri_unwrap_der(const unsigned char *der, size_t len);

#endif /* HWC_DECODE_H */
