/* check_pem.c: hwc_pem_split, hwc_pem_blocks_free, hwc_looks_like_pem. */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <openssl/err.h>

#include "formats/pem.h"
#include "core/hwc.h"
#include "testutil.h"

/* "hello" and "world!" in base64 */
#define B_HELLO "aGVsbG8="
#define B_WORLD "d29ybGQh"

static int split(const char *text, hwc_pem_block **b)
{
    return hwc_pem_split(text, strlen(text), b);
}

static void expect_fail(const char *text, const char *msg)
{
    hwc_pem_block *b = (hwc_pem_block *)&b; /* must be reset */
    const char *err;

    ERR_clear_error();
    ck_assert_int_eq(split(text, &b), -1);
    ck_assert_ptr_null(b);
    err = tu_errors();
    ck_assert_msg(strstr(err, msg) != NULL, "want \"%s\" in \"%s\"", msg, err);
}

START_TEST(test_lf_single)
{
    hwc_pem_block *b = NULL;
    int n = split("-----BEGIN CERTIFICATE-----\n" B_HELLO
                  "\n-----END CERTIFICATE-----\n",
                  &b);

    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(b[0].label, "CERTIFICATE");
    ck_assert_uint_eq(b[0].der_len, 5);
    ck_assert_mem_eq(b[0].der, "hello", 5);
    hwc_pem_blocks_free(b, n);
}
END_TEST

START_TEST(test_crlf_multiline)
{
    hwc_pem_block *b = NULL;
    /* "hello world!" split over two lines */
    int n = split("\r\n-----BEGIN PUBLIC KEY-----\r\naGVsbG8g\r\nd29ybGQh\r\n"
                  "-----END PUBLIC KEY-----\r\n",
                  &b);

    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(b[0].label, "PUBLIC KEY");
    ck_assert_uint_eq(b[0].der_len, 12);
    ck_assert_mem_eq(b[0].der, "hello world!", 12);
    hwc_pem_blocks_free(b, n);
}
END_TEST

START_TEST(test_glued_and_text_between)
{
    hwc_pem_block *b = NULL;
    int n =
        split("subject=CN = x\nissuer=CN = y\n"
              "  \t-----BEGIN A-----\n" B_HELLO "\n-----END A----------BEGIN "
              "B-----" B_WORLD "-----END B-----"
              "\n\nsome text\n-----BEGIN X509 CRL-----\n  " B_HELLO
              "  \n-----END X509 CRL-----   \n\n",
              &b);

    ck_assert_int_eq(n, 3);
    ck_assert_str_eq(b[0].label, "A");
    ck_assert_str_eq(b[1].label, "B");
    ck_assert_mem_eq(b[1].der, "world!", 6);
    ck_assert_str_eq(b[2].label, "X509 CRL");
    ck_assert_mem_eq(b[2].der, "hello", 5);
    hwc_pem_blocks_free(b, n);
}
END_TEST

START_TEST(test_none_and_empty)
{
    hwc_pem_block *b = (hwc_pem_block *)&b;

    ck_assert_int_eq(hwc_pem_split("", 0, &b), 0);
    ck_assert_ptr_null(b);
    ck_assert_int_eq(hwc_pem_split(NULL, 0, &b), 0);
    ck_assert_int_eq(split("just text, -----BEGINX and -----BEGIN", &b), 0);
    ck_assert_ptr_null(b);
    hwc_pem_blocks_free(NULL, 0);
    hwc_pem_blocks_free(NULL, -1);
}
END_TEST

START_TEST(test_nul_bytes)
{
    static const char text[] =
        "\0\0-----BEGIN A-----\n" B_HELLO "\n-----END A-----\n\0junk";
    static const char bad[] =
        "-----BEGIN A-----\naGVs\0bG8=\n-----END A-----\n";
    static const char badlab[] =
        "-----BEGIN A\0B-----\n" B_HELLO "\n-----END A\0B-----\n";
    hwc_pem_block *b = NULL;
    int n = hwc_pem_split(text, sizeof(text) - 1, &b);

    ck_assert_int_eq(n, 1);
    ck_assert_mem_eq(b[0].der, "hello", 5);
    hwc_pem_blocks_free(b, n);
    ck_assert_int_eq(hwc_pem_split(bad, sizeof(bad) - 1, &b), -1);
    ck_assert_ptr_null(b);
    ck_assert_int_eq(hwc_pem_split(badlab, sizeof(badlab) - 1, &b), -1);
    tu_errors();
}
END_TEST

START_TEST(test_bad_base64)
{
    expect_fail(
        "-----BEGIN A-----\n" B_HELLO "\n-----END A-----\n"
        "-----BEGIN CERTIFICATE-----\nMII$\n-----END CERTIFICATE-----\n",
        "PEM block 2 (CERTIFICATE): invalid base64");
    /* truncated: 5 characters cannot be base64 */
    expect_fail("-----BEGIN A-----\naGVsb\n-----END A-----\n",
                "PEM block 1 (A): invalid base64");
    /* padding in the middle */
    expect_fail("-----BEGIN A-----\naGVsbG8=aGVs\n-----END A-----\n",
                "invalid base64");
    expect_fail("-----BEGIN A-----\n \r\n-----END A-----\n",
                "PEM block 1 (A): empty body");
}
END_TEST

START_TEST(test_structure_errors)
{
    static char huge[400];

    expect_fail("-----END A-----\n", "END line without BEGIN line");
    expect_fail("-----BEGIN A-----\n" B_HELLO "\n-----END A-----\n"
                "-----END A-----\n",
                "END line without BEGIN after block 1");
    expect_fail("-----BEGIN A-----\n" B_HELLO "\n-----END B-----\n",
                "END label \"B\" does not match BEGIN label \"A\"");
    expect_fail("-----BEGIN A-----\n" B_HELLO "\n", "(A): no END line");
    expect_fail("-----BEGIN A-----\n" B_HELLO "\n-----BEGIN A-----\n" B_HELLO
                "\n-----END A-----\n",
                "BEGIN line before END");
    expect_fail("-----BEGIN A\n" B_HELLO, "unterminated BEGIN line");
    expect_fail("-----BEGIN A-----\n" B_HELLO "\n-----END A",
                "unterminated END");
    expect_fail("-----BEGIN -----\n" B_HELLO "\n-----END -----\n",
                "invalid label");
    expect_fail("-----BEGIN A\nB-----\n" B_HELLO "\n-----END A\nB-----\n",
                "invalid label");
    strcpy(huge, "-----BEGIN ");
    memset(huge + strlen(huge), 'X', 300);
    strcat(huge, "-----\naGVsbG8=\n");
    expect_fail(huge, "invalid label");
}
END_TEST

START_TEST(test_label_limits)
{
    char text[256];
    hwc_pem_block *b = NULL;
    char lab[64];
    int n;

    memset(lab, 'L', 63);
    lab[63] = '\0';
    snprintf(text, sizeof(text), "-----BEGIN %s-----\n%s\n-----END %s-----\n",
             lab, B_HELLO, lab);
    n = split(text, &b);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(b[0].label, lab);
    hwc_pem_blocks_free(b, n);
    /* 64 characters do not fit the label field */
    snprintf(text, sizeof(text), "-----BEGIN %sL-----\n%s\n-----END %sL-----\n",
             lab, B_HELLO, lab);
    expect_fail(text, "invalid label");
}
END_TEST

START_TEST(test_encrypted_headers)
{
    hwc_pem_block *b = NULL;
    int n = split("-----BEGIN RSA PRIVATE KEY-----\r\n"
                  "Proc-Type: 4,ENCRYPTED\r\n"
                  "DEK-Info: AES-128-CBC,0123456789ABCDEF0123456789ABCDEF\r\n"
                  "\r\n" B_HELLO "\r\n-----END RSA PRIVATE KEY-----\r\n",
                  &b);

    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(b[0].label, "RSA PRIVATE KEY");
    ck_assert_uint_gt(b[0].der_len, 10);
    ck_assert_mem_eq(b[0].der, "Proc-Type:", 10);
    hwc_pem_blocks_free(b, n);
}
END_TEST

START_TEST(test_many_blocks)
{
    hwc_buf t = {0};
    hwc_pem_block *b = NULL;
    int n;

    for (int i = 0; i < 1000; i++) {
        ck_assert(hwc_buf_printf(
            &t, "-----BEGIN B%d-----\n%s\n-----END B%d-----", i, B_WORLD, i));
    }
    n = hwc_pem_split((const char *)t.data, t.len, &b);
    ck_assert_int_eq(n, 1000);
    ck_assert_str_eq(b[999].label, "B999");
    ck_assert_mem_eq(b[999].der, "world!", 6);
    hwc_pem_blocks_free(b, n);
    hwc_buf_free(&t);
}
END_TEST

START_TEST(test_looks_like_pem)
{
    static const unsigned char bom[] = "\xef\xbb\xbf-----BEGIN X-----";

    ck_assert(hwc_looks_like_pem((const unsigned char *)"-----BEGIN X", 12));
    ck_assert(
        hwc_looks_like_pem((const unsigned char *)" \r\n\t-----BEGIN ", 15));
    ck_assert(hwc_looks_like_pem(bom, sizeof(bom) - 1));
    ck_assert(!hwc_looks_like_pem((const unsigned char *)"-----BEGIN", 10));
    ck_assert(!hwc_looks_like_pem((const unsigned char *)"x-----BEGIN X", 13));
    ck_assert(!hwc_looks_like_pem((const unsigned char *)"\x30\x82", 2));
    ck_assert(!hwc_looks_like_pem((const unsigned char *)"", 0));
    ck_assert(!hwc_looks_like_pem(NULL, 5));
}
END_TEST

static Suite *pem_suite(void)
{
    Suite *s = suite_create("pem");
    TCase *tc = tcase_create("split");

    tcase_add_test(tc, test_lf_single);
    tcase_add_test(tc, test_crlf_multiline);
    tcase_add_test(tc, test_glued_and_text_between);
    tcase_add_test(tc, test_none_and_empty);
    tcase_add_test(tc, test_nul_bytes);
    tcase_add_test(tc, test_bad_base64);
    tcase_add_test(tc, test_structure_errors);
    tcase_add_test(tc, test_label_limits);
    tcase_add_test(tc, test_encrypted_headers);
    tcase_add_test(tc, test_many_blocks);
    tcase_add_test(tc, test_looks_like_pem);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(pem_suite());
}
