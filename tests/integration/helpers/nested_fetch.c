/*
 * nested_fetch: opens OUTER_URI (a keystore that asks for its password)
 * and, from inside the password callback, while the provider is fetching,
 * tries to resolve more: NESTED is a key file (a PEM-wrapped URI) read
 * with PEM_read_bio_PrivateKey, or a provider URI opened as a store. The
 * provider must refuse the nested resolution and still finish the outer
 * load. Prints "nested: refused: <error>" or "nested: loaded", then
 * "outer: <n> objects".
 *
 *   nested_fetch OUTER_URI PASSWORD (file FILE | uri URI)
 */
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/store.h>
#include <openssl/ui.h>

#include "helpers.h"

static const char *mode, *nested, *password;

/* The nested attempt, with its errors kept apart from the outer load's. */
static void try_nested(void)
{
    EVP_PKEY *pk = NULL;
    char line[2048];

    ERR_set_mark();
    if (strcmp(mode, "file") == 0) {
        BIO *b = BIO_new_file(nested, "r");

        pk = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
        BIO_free(b);
    } else {
        OSSL_STORE_CTX *s = OSSL_STORE_open(nested, NULL, NULL, NULL, NULL);
        OSSL_STORE_INFO *i = s ? OSSL_STORE_load(s) : NULL;

        if (i != NULL && OSSL_STORE_INFO_get_type(i) == OSSL_STORE_INFO_PKEY) {
            pk = OSSL_STORE_INFO_get1_PKEY(i);
        }
        OSSL_STORE_INFO_free(i);
        OSSL_STORE_close(s);
    }
    /* One line with every error's text (the data carries the reason). */
    line[0] = '\0';
    for (;;) {
        const char *data = NULL;
        int flags = 0;
        unsigned long e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags);

        if (e == 0) {
            break;
        }
        strncat(line, " | ", sizeof(line) - strlen(line) - 1);
        ERR_error_string_n(e, line + strlen(line), sizeof(line) - strlen(line));
        if (data != NULL && (flags & ERR_TXT_STRING)) {
            strncat(line, ": ", sizeof(line) - strlen(line) - 1);
            strncat(line, data, sizeof(line) - strlen(line) - 1);
        }
    }
    ERR_pop_to_mark();
    if (pk != NULL) {
        printf("nested: loaded\n");
    } else {
        printf("nested: refused%s\n", line);
    }
    EVP_PKEY_free(pk);
}

static int pw_cb(char *buf, int size, int rwflag, void *u)
{
    (void)rwflag, (void)u;
    try_nested();
    fflush(stdout);
    snprintf(buf, (size_t)size, "%s", password);
    return (int)strlen(buf);
}

int main(int argc, char **argv)
{
    UI_METHOD *ui;
    OSSL_STORE_CTX *s = NULL;
    OSSL_STORE_INFO *i;
    int n = 0;

    if (argc != 5) {
        fprintf(stderr, "usage: nested_fetch OUTER_URI PASSWORD "
                        "(file FILE | uri URI)\n");
        return 2;
    }
    password = argv[2];
    mode = argv[3];
    nested = argv[4];
    if ((ui = UI_UTIL_wrap_read_pem_callback(pw_cb, 0)) == NULL ||
        (s = OSSL_STORE_open(argv[1], ui, NULL, NULL, NULL)) == NULL) {
        helper_die("nested_fetch", "cannot open the outer URI");
    }
    while ((i = OSSL_STORE_load(s)) != NULL) {
        n++;
        OSSL_STORE_INFO_free(i);
    }
    printf("outer: %d objects\n", n);
    OSSL_STORE_close(s);
    UI_destroy_method(ui);
    return n > 0 ? 0 : 1;
}
