/* tokens.c: the table of IAM tokens the emulator issued (and the static
 * EMU_TOKEN), with their scope, expiry and forced-expiry state. */
#include "emu.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#define TOKEN_BODY_LEN 1400

struct token {
    char *tok;
    char project[33];
    time_t expires; /* 0 = never */
    int forced;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct token *tokens;
static size_t ntokens, cap;

static char *new_token_string(void)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuv"
                            "wxyz0123456789-_";
    unsigned char rnd[TOKEN_BODY_LEN];
    emu_random(rnd, sizeof(rnd)); /* the static token: from the seed */
    char *t = malloc(TOKEN_BODY_LEN + 8);
    if (t == NULL)
        abort();
    memcpy(t, "MIIEhwc", 7);
    for (size_t i = 0; i < TOKEN_BODY_LEN; i++)
        t[7 + i] = a[rnd[i] % 64];
    t[7 + TOKEN_BODY_LEN] = '\0';
    return t;
}

static void add(char *tok, const char *project, time_t expires)
{
    pthread_mutex_lock(&lock);
    if (ntokens == cap) {
        cap = cap ? cap * 2 : 64;
        tokens = realloc(tokens, cap * sizeof(*tokens));
        if (tokens == NULL)
            abort();
    }
    struct token *t = &tokens[ntokens++];
    memset(t, 0, sizeof(*t));
    t->tok = tok;
    snprintf(t->project, sizeof(t->project), "%s", project ? project : "");
    t->expires = expires;
    pthread_mutex_unlock(&lock);
}

char *token_issue(const char *project_id, long lifetime, time_t *expires)
{
    char *tok = new_token_string();
    *expires = time(NULL) + lifetime;
    add(emu_strdup(tok), project_id, *expires);
    return tok;
}

int token_add_static(const char *tok, const char *project_id)
{
    add(emu_strdup(tok), project_id, 0);
    return 0;
}

char *token_new_static(void)
{
    return new_token_string();
}

int token_check(const char *tok, char project[33])
{
    int r = -1;
    project[0] = '\0';
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < ntokens; i++) {
        struct token *t = &tokens[i];
        if (strcmp(t->tok, tok) != 0)
            continue;
        int expired = t->forced || (t->expires && t->expires <= time(NULL));
        r = expired ? 1 : 0;
        memcpy(project, t->project, 33);
        break;
    }
    pthread_mutex_unlock(&lock);
    return r;
}

void token_expire(const char *tok)
{
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < ntokens; i++)
        if (strcmp(tokens[i].tok, tok) == 0)
            tokens[i].forced = 1;
    pthread_mutex_unlock(&lock);
}

static void set_all(int forced)
{
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < ntokens; i++)
        tokens[i].forced = forced;
    pthread_mutex_unlock(&lock);
}

void tokens_expire_all(void)
{
    set_all(1);
}

void tokens_revive_all(void)
{
    set_all(0);
}
