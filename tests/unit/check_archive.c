/*
 * check_archive.c: hwc_decode_archive_certs on zip, tar, tar.gz, a bare
 * gzip, plain PEM and DER built here with libarchive's writer, the
 * unpacked-size cap and damaged input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <check.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "formats/archive_certs.h"
#include "formats/objs.h"
#include "core/hwc.h"
#include "testutil.h"

static EVP_PKEY *ca_key, *leaf_key;
static X509 *ca, *leaf;
static unsigned char *ca_der, *leaf_der;
static size_t ca_der_len, leaf_der_len;
static char *ca_pem, *bundle_pem, *key_pem;

enum fmt { F_ZIP, F_TAR, F_TGZ, F_GZ /* raw + gzip: one member */ };

struct member {
    const char *name;
    const void *data; /* NULL: a directory */
    size_t len;
};

/*--------------------------------------------------------------- helpers */

static unsigned char *mk_archive(enum fmt f, const struct member *m, size_t nm,
                                 size_t *outlen)
{
    struct archive *a = archive_write_new();
    size_t cap = 65536, used = 0;
    unsigned char *buf;

    for (size_t i = 0; i < nm; i++) {
        cap += m[i].len + 1024;
    }
    buf = malloc(cap);
    ck_assert_ptr_nonnull(a);
    switch (f) {
    case F_ZIP:
        ck_assert_int_eq(archive_write_set_format_zip(a), ARCHIVE_OK);
        break;
    case F_TAR:
        ck_assert_int_eq(archive_write_set_format_ustar(a), ARCHIVE_OK);
        break;
    case F_TGZ:
        ck_assert_int_eq(archive_write_set_format_pax_restricted(a),
                         ARCHIVE_OK);
        ck_assert_int_eq(archive_write_add_filter_gzip(a), ARCHIVE_OK);
        break;
    case F_GZ:
        ck_assert_int_eq(archive_write_set_format_raw(a), ARCHIVE_OK);
        ck_assert_int_eq(archive_write_add_filter_gzip(a), ARCHIVE_OK);
        break;
    }
    ck_assert_int_eq(archive_write_set_bytes_in_last_block(a, 1), ARCHIVE_OK);
    ck_assert_int_eq(archive_write_open_memory(a, buf, cap, &used), ARCHIVE_OK);
    for (size_t i = 0; i < nm; i++) {
        struct archive_entry *e = archive_entry_new();

        archive_entry_set_pathname(e, m[i].name);
        archive_entry_set_mtime(e, 1700000000, 0);
        if (m[i].data == NULL) {
            archive_entry_set_filetype(e, AE_IFDIR);
            archive_entry_set_perm(e, 0755);
        } else {
            archive_entry_set_filetype(e, AE_IFREG);
            archive_entry_set_perm(e, 0644);
            archive_entry_set_size(e, (la_int64_t)m[i].len);
        }
        ck_assert_msg(archive_write_header(a, e) == ARCHIVE_OK, "%s",
                      archive_error_string(a));
        if (m[i].data != NULL && m[i].len > 0) {
            ck_assert_int_eq(archive_write_data(a, m[i].data, m[i].len),
                             (la_ssize_t)m[i].len);
        }
        archive_entry_free(e);
    }
    ck_assert_int_eq(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
    *outlen = used;
    return buf;
}

static void assert_cert_obj(const hwc_obj *o, const unsigned char *der,
                            size_t len, const char *label)
{
    ck_assert_int_eq(o->kind, HWC_OBJ_CERT);
    ck_assert_uint_eq(o->der_len, len);
    ck_assert_mem_eq(o->der, der, len);
    if (label == NULL) {
        ck_assert_ptr_null(o->label);
    } else {
        ck_assert_ptr_nonnull(o->label);
        ck_assert_str_eq(o->label, label);
    }
}

static void assert_err(const char *want)
{
    const char *err = tu_errors();

    ck_assert_msg(strstr(err, want) != NULL, "want \"%s\" in \"%s\"", want,
                  err);
}

static void setup(void)
{
    int len;
    char *leafp;
    OSSL_ENCODER_CTX *ectx;
    unsigned char *kd = NULL;
    size_t kl = 0;

    ca_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    leaf_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    ck_assert(ca_key && leaf_key);
    ca = tu_cert(ca_key, "DCS CA", NULL, NULL, 1, NID_basic_constraints,
                 "critical,CA:TRUE", NID_key_usage,
                 "critical,keyCertSign,cRLSign", 0);
    leaf = tu_cert(leaf_key, "redis.example.com", ca, ca_key, 2, 0);
    len = i2d_X509(ca, &ca_der);
    ck_assert_int_gt(len, 0);
    ca_der_len = (size_t)len;
    len = i2d_X509(leaf, &leaf_der);
    ck_assert_int_gt(len, 0);
    leaf_der_len = (size_t)len;
    ca_pem = tu_pem_armour("CERTIFICATE", ca_der, ca_der_len, "\r\n");
    leafp = tu_pem_armour("CERTIFICATE", leaf_der, leaf_der_len, "\n");
    bundle_pem = malloc(strlen(ca_pem) + strlen(leafp) + 1);
    sprintf(bundle_pem, "%s%s", leafp, ca_pem);
    free(leafp);
    ectx = OSSL_ENCODER_CTX_new_for_pkey(leaf_key, EVP_PKEY_KEYPAIR, "PEM",
                                         "PrivateKeyInfo", NULL);
    ck_assert(OSSL_ENCODER_to_data(ectx, &kd, &kl));
    OSSL_ENCODER_CTX_free(ectx);
    key_pem = strndup((const char *)kd, kl);
    OPENSSL_free(kd);
}

static void teardown(void)
{
    free(ca_pem);
    free(bundle_pem);
    free(key_pem);
    OPENSSL_free(ca_der);
    OPENSSL_free(leaf_der);
    X509_free(ca);
    X509_free(leaf);
    EVP_PKEY_free(ca_key);
    EVP_PKEY_free(leaf_key);
}

#define CAP (1024 * 1024)
#define BAD_CRT "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
#define WORSE_CRT "-----BEGIN CERTIFICATE-----\n!!\n"

/*----------------------------------------------------------------- tests */

START_TEST(test_zip)
{
    const struct member m[] = {
        {"ssl/", NULL, 0},
        {"ssl/README.txt", "Use ca.crt with redis-cli --tls --cacert\n", 41},
        {"ssl/ca.crt", ca_pem, strlen(ca_pem)},
        {"ssl/redis.key", key_pem, strlen(key_pem)},
        {"ssl/chain.pem", bundle_pem, strlen(bundle_pem)},
        {"ssl/ca.der", ca_der, ca_der_len},
    };
    size_t len;
    unsigned char *z = mk_archive(F_ZIP, m, 6, &len);
    hwc_objs l = {0};

    ck_assert(z[0] == 'P' && z[1] == 'K');
    ck_assert_msg(hwc_decode_archive_certs(z, len, CAP, &l), "%s", tu_errors());
    ck_assert_uint_eq(l.n, 4);
    assert_cert_obj(&l.v[0], ca_der, ca_der_len, "ssl/ca.crt");
    assert_cert_obj(&l.v[1], leaf_der, leaf_der_len, "ssl/chain.pem");
    assert_cert_obj(&l.v[2], ca_der, ca_der_len, "ssl/chain.pem");
    assert_cert_obj(&l.v[3], ca_der, ca_der_len, "ssl/ca.der");
    ck_assert_ptr_null(l.failed);
    hwc_objs_free(&l);
    free(z);
}
END_TEST

static void check_single_ca(enum fmt f, const char *name, const void *data,
                            size_t dlen, const char *want_label)
{
    const struct member m[] = {{name, data, dlen}};
    size_t len;
    unsigned char *z = mk_archive(f, m, 1, &len);
    hwc_objs l = {0};

    ck_assert_msg(hwc_decode_archive_certs(z, len, CAP, &l), "%s", tu_errors());
    ck_assert_uint_eq(l.n, 1);
    assert_cert_obj(&l.v[0], ca_der, ca_der_len, want_label);
    hwc_objs_free(&l);
    free(z);
}

START_TEST(test_tar_tgz)
{
    /* names say nothing: content decides */
    check_single_ca(F_TAR, "ca.crt", ca_pem, strlen(ca_pem), "ca.crt");
    check_single_ca(F_TAR, "ca.zip", ca_der, ca_der_len, "ca.zip");
    check_single_ca(F_TGZ, "dir/ca.crt", ca_pem, strlen(ca_pem), "dir/ca.crt");
    check_single_ca(F_TGZ, "x.pem", ca_der, ca_der_len, "x.pem");
}
END_TEST

START_TEST(test_tgz_many)
{
    const struct member m[] = {
        {"certs/", NULL, 0},
        {"certs/chain.pem", bundle_pem, strlen(bundle_pem)},
        {"certs/key.pem", key_pem, strlen(key_pem)},
    };
    size_t len;
    unsigned char *z = mk_archive(F_TGZ, m, 3, &len);
    hwc_objs l = {0};

    ck_assert(z[0] == 0x1f && z[1] == 0x8b);
    ck_assert(hwc_decode_archive_certs(z, len, CAP, &l));
    ck_assert_uint_eq(l.n, 2);
    assert_cert_obj(&l.v[0], leaf_der, leaf_der_len, "certs/chain.pem");
    assert_cert_obj(&l.v[1], ca_der, ca_der_len, "certs/chain.pem");
    hwc_objs_free(&l);
    free(z);
}
END_TEST

START_TEST(test_bare_gzip)
{
    const struct member pem[] = {{"ca.crt", ca_pem, strlen(ca_pem)}};
    const struct member der[] = {{"ca.der", ca_der, ca_der_len}};
    size_t len;
    unsigned char *z = mk_archive(F_GZ, pem, 1, &len);
    hwc_objs l = {0};

    ck_assert(z[0] == 0x1f && z[1] == 0x8b);
    ck_assert_msg(hwc_decode_archive_certs(z, len, CAP, &l), "%s", tu_errors());
    free(z);
    z = mk_archive(F_GZ, der, 1, &len);
    ck_assert_msg(hwc_decode_archive_certs(z, len, CAP, &l), "%s", tu_errors());
    ck_assert_uint_eq(l.n, 2);
    assert_cert_obj(&l.v[0], ca_der, ca_der_len, l.v[0].label);
    assert_cert_obj(&l.v[1], ca_der, ca_der_len, l.v[1].label);
    hwc_objs_free(&l);
    free(z);
}
END_TEST

START_TEST(test_plain_pem_der)
{
    hwc_objs l = {0};
    char *text = malloc(strlen(bundle_pem) + 20);

    sprintf(text, "\r\n  %s\r\n", bundle_pem);
    ck_assert(hwc_decode_archive_certs((const unsigned char *)text,
                                       strlen(text), CAP, &l));
    ck_assert(hwc_decode_archive_certs(ca_der, ca_der_len, CAP, &l));
    ck_assert_uint_eq(l.n, 3);
    assert_cert_obj(&l.v[0], leaf_der, leaf_der_len, NULL);
    assert_cert_obj(&l.v[1], ca_der, ca_der_len, NULL);
    assert_cert_obj(&l.v[2], ca_der, ca_der_len, NULL);
    hwc_objs_free(&l);
    free(text);
}
END_TEST

START_TEST(test_cap)
{
    size_t big = 4 * 1024 * 1024, len;
    unsigned char *zeros = calloc(1, big);
    const struct member bomb[] = {{"ca.crt", ca_pem, strlen(ca_pem)},
                                  {"zeros.bin", zeros, big}};
    const struct member two[] = {{"a.crt", ca_pem, strlen(ca_pem)},
                                 {"b.crt", ca_pem, strlen(ca_pem)}};
    enum fmt fmts[] = {F_ZIP, F_TAR, F_TGZ};
    hwc_objs l;
    unsigned char *z;

    memset(&l, 0, sizeof(l));
    ck_assert(hwc_objs_add(&l, HWC_OBJ_CERT, NULL, (const unsigned char *)"x",
                           1, "pre"));
    for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
        z = mk_archive(fmts[i], bomb, 2, &len);
        ck_assert(!hwc_decode_archive_certs(z, len, CAP, &l));
        assert_err("unpacked contents exceed the limit of 1048576 bytes (at "
                   "zeros.bin)");
        free(z);
    }
    /* a bare gzip bomb: 4 MiB of 'A' compress to a few KiB (zeros would
     * read as an empty tar) */
    {
        const struct member gz[] = {{"zeros", zeros, big}};

        memset(zeros, 'A', big);
        z = mk_archive(F_GZ, gz, 1, &len);
        ck_assert_uint_lt(len, 64 * 1024);
        ck_assert(!hwc_decode_archive_certs(z, len, CAP, &l));
        assert_err("unpacked contents exceed the limit");
        free(z);
    }
    /* the total counts, not each member alone */
    z = mk_archive(F_ZIP, two, 2, &len);
    ck_assert(!hwc_decode_archive_certs(z, len, strlen(ca_pem) * 2 - 1, &l));
    assert_err("(at b.crt)");
    ck_assert(hwc_decode_archive_certs(z, len, strlen(ca_pem) * 2, &l));
    ck_assert_uint_eq(l.n, 3);
    free(z);
    /* plain files too */
    ck_assert(!hwc_decode_archive_certs((const unsigned char *)ca_pem,
                                        strlen(ca_pem), 100, &l));
    assert_err("exceed the limit of 100");
    ck_assert(!hwc_decode_archive_certs(ca_der, ca_der_len, 100, &l));
    assert_err("exceed the limit of 100");
    ck_assert_uint_eq(l.n, 3);
    ck_assert_str_eq(l.v[0].label, "pre");
    hwc_objs_free(&l);
    free(zeros);
}
END_TEST

START_TEST(test_no_certificate)
{
    const struct member m[] = {
        {"README", "nothing here\n", 13},
        {"key.pem", key_pem, strlen(key_pem)},
        {"empty", "", 0},
    };
    const struct member broken[] = {
        {"bad.crt", BAD_CRT, sizeof(BAD_CRT) - 1},
        {"worse.crt", WORSE_CRT, sizeof(WORSE_CRT) - 1},
    };
    size_t len;
    unsigned char *z;
    hwc_objs l = {0};

    z = mk_archive(F_ZIP, m, 3, &len);
    ck_assert(!hwc_decode_archive_certs(z, len, CAP, &l));
    assert_err("certificate file: no certificate in 3 entries");
    free(z);
    z = mk_archive(F_TGZ, broken, 2, &len);
    ck_assert(!hwc_decode_archive_certs(z, len, CAP, &l));
    assert_err("bad.crt: PEM block 1 (CERTIFICATE): not a valid X.509 "
               "certificate; worse.crt: invalid PEM: PEM block 1 "
               "(CERTIFICATE): no END line");
    free(z);
    /* an empty archive */
    z = mk_archive(F_TAR, m, 0, &len);
    ck_assert(!hwc_decode_archive_certs(z, len, CAP, &l));
    assert_err("no certificate in 0 entries");
    free(z);
    ck_assert_uint_eq(l.n, 0);
}
END_TEST

START_TEST(test_partial_failure_noted)
{
    const struct member m[] = {
        {"bad.crt", BAD_CRT, sizeof(BAD_CRT) - 1},
        {"ca.crt", ca_pem, strlen(ca_pem)},
    };
    size_t len;
    unsigned char *z = mk_archive(F_TAR, m, 2, &len);
    hwc_objs l = {0};

    ck_assert(hwc_decode_archive_certs(z, len, CAP, &l));
    ck_assert_uint_eq(l.n, 1);
    assert_cert_obj(&l.v[0], ca_der, ca_der_len, "ca.crt");
    ck_assert_ptr_nonnull(l.failed);
    ck_assert_ptr_nonnull(strstr(l.failed, "bad.crt: PEM block 1"));
    hwc_objs_free(&l);
    free(z);
}
END_TEST

/* A tgz of 10000 broken members (the entry cap) and one good one: each
 * note used to copy all before it, minutes of work. The notes are now
 * bounded and the message says how many more there were. */
START_TEST(test_many_failures_bounded)
{
    enum { N = 9999 };
    struct member *m = calloc(N + 1, sizeof(*m));
    char(*names)[32] = calloc(N, sizeof(*names));
    size_t len;
    unsigned char *z;
    hwc_objs l = {0};

    for (size_t i = 0; i < N; i++) {
        snprintf(names[i], sizeof(names[i]), "broken-%05zu.crt", i);
        m[i] = (struct member){names[i], BAD_CRT, sizeof(BAD_CRT) - 1};
    }
    m[N] = (struct member){"ca.crt", ca_pem, strlen(ca_pem)};
    z = mk_archive(F_TGZ, m, N + 1, &len);
    ck_assert_msg(hwc_decode_archive_certs(z, len, 64 * CAP, &l), "%s",
                  tu_errors());
    ck_assert_uint_eq(l.n, 1);
    ck_assert_ptr_nonnull(l.failed);
    ck_assert_uint_le(strlen(l.failed), HWC_FAILED_MAX_LEN);
    ck_assert_uint_eq(l.failed_notes + l.failed_more, N);
    ck_assert_uint_le(l.failed_notes, HWC_FAILED_MAX_NOTES);
    ck_assert_msg(strstr(l.failed, "broken-00000.crt: PEM block 1") != NULL,
                  "%s", l.failed);
    ck_assert_msg(strstr(l.failed, "more") != NULL &&
                      strstr(l.failed, "; and 99") != NULL,
                  "%s", l.failed);
    hwc_objs_free(&l);
    free(z);
    free(names);
    free(m);
}
END_TEST

/* The bounds themselves: count, total length, one long note, merging. */
START_TEST(test_failure_note_bounds)
{
    hwc_objs a = {0}, b = {0};
    char big[5000], want[64];

    for (int i = 0; i < 100000; i++) {
        ck_assert(hwc_objs_note_failure(&a, "member", "broken"));
    }
    snprintf(want, sizeof(want), "; and %d more",
             100000 - HWC_FAILED_MAX_NOTES);
    ck_assert_msg(strstr(a.failed, want) != NULL, "%s", a.failed);
    ck_assert_uint_eq(a.failed_notes, HWC_FAILED_MAX_NOTES);
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    ck_assert(hwc_objs_note_failure(&b, big, "broken"));
    ck_assert_uint_eq(strlen(b.failed), HWC_FAILED_MAX_NOTE);
    ck_assert(hwc_objs_note_failure(&b, NULL, "second"));
    ck_assert(hwc_objs_move(&a, &b));
    ck_assert_ptr_null(b.failed);
    snprintf(want, sizeof(want), "; and %d more",
             100000 - HWC_FAILED_MAX_NOTES + 2);
    ck_assert_msg(strstr(a.failed, want) != NULL, "%s", a.failed);
    ck_assert_uint_le(strlen(a.failed), HWC_FAILED_MAX_LEN);
    hwc_objs_free(&a);
    /* A short list merged into an empty one keeps its text. */
    ck_assert(hwc_objs_note_failure(&b, "one", "bad"));
    ck_assert(hwc_objs_note_failure(&a, "zero", "bad"));
    ck_assert(hwc_objs_move(&a, &b));
    ck_assert_str_eq(a.failed, "zero: bad; one: bad");
    hwc_objs_free(&a);
}
END_TEST

START_TEST(test_garbage_and_damage)
{
    const struct member m[] = {{"ca.crt", ca_pem, strlen(ca_pem)},
                               {"chain.pem", bundle_pem, strlen(bundle_pem)}};
    enum fmt fmts[] = {F_ZIP, F_TAR, F_TGZ, F_GZ};
    hwc_objs l = {0};
    unsigned char junk[600];

    ck_assert(!hwc_decode_archive_certs((const unsigned char *)"", 0, CAP, &l));
    assert_err("certificate file: empty");
    ck_assert(!hwc_decode_archive_certs(NULL, 10, CAP, &l));
    tu_errors();
    memset(junk, 'A', sizeof(junk));
    ck_assert(!hwc_decode_archive_certs(junk, sizeof(junk), CAP, &l));
    assert_err("not a zip, tar, gzip, PEM or DER certificate file");
    junk[0] = 0x30;
    ck_assert(!hwc_decode_archive_certs(junk, sizeof(junk), CAP, &l));
    tu_errors();
    ck_assert(
        !hwc_decode_archive_certs((const unsigned char *)"PK\3\4", 4, CAP, &l));
    tu_errors();
    ck_assert(!hwc_decode_archive_certs((const unsigned char *)"\x1f\x8b", 2,
                                        CAP, &l));
    tu_errors();
    /* every truncation and some bit flips: no crash, no leak */
    for (size_t f = 0; f < sizeof(fmts) / sizeof(fmts[0]); f++) {
        size_t len;
        unsigned char *z =
            mk_archive(fmts[f], m, fmts[f] == F_GZ ? 1 : 2, &len);
        unsigned char *copy = malloc(len);
        size_t step = len / 37 + 1;

        for (size_t cut = 1; cut < len; cut += step) {
            hwc_objs_free(&l);
            (void)hwc_decode_archive_certs(z, cut, CAP, &l);
            tu_errors();
        }
        for (size_t i = 0; i < len; i += step) {
            memcpy(copy, z, len);
            copy[i] ^= 0x5a;
            hwc_objs_free(&l);
            (void)hwc_decode_archive_certs(copy, len, CAP, &l);
            tu_errors();
        }
        free(copy);
        free(z);
    }
    hwc_objs_free(&l);
}
END_TEST

static Suite *archive_suite(void)
{
    Suite *s = suite_create("archive");
    TCase *tc = tcase_create("dcs");

    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_zip);
    tcase_add_test(tc, test_tar_tgz);
    tcase_add_test(tc, test_tgz_many);
    tcase_add_test(tc, test_bare_gzip);
    tcase_add_test(tc, test_plain_pem_der);
    tcase_add_test(tc, test_cap);
    tcase_add_test(tc, test_no_certificate);
    tcase_add_test(tc, test_partial_failure_noted);
    tcase_add_test(tc, test_garbage_and_damage);
    tcase_add_test(tc, test_many_failures_bounded);
    tcase_add_test(tc, test_failure_note_bounds);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(archive_suite());
}
