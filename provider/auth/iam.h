/*
 * iam.h: the IAM requests behind the login-based credentials: a password
 * token, an agency (assume_role) token, the project id of a region
 * (GET /v3/projects?name=) and the account id (GET /v3/auth/domains). Each
 * takes a prepared IAM call (base URL, transport options, retries, deadline;
 * auth only where IAM needs one) and knows nothing about caching, which auth.c
 * does.
 */
#ifndef HWC_IAM_H
#define HWC_IAM_H

#include <time.h>

#include "net/call.h"

typedef struct hwc_iam_token {
    char *token;         /* X-Subject-Token: secret, see hwc_iam_token_clear */
    time_t expires_at;   /* from the body's token.expires_at */
    long lifetime;       /* expires_at - issued_at: immune to clock skew */
    char project_id[33]; /* the scope IAM granted ("" for a domain token) */
    char project_name[65];
    char domain_id[33]; /* the account the token acts in, or "" */
} hwc_iam_token;

/* Project scope by id, else by name (a region); both NULL: domain scope
 * by domain_name. */
typedef struct hwc_iam_scope {
    const char *project_id;
    const char *project_name;
    const char *domain_name;
} hwc_iam_scope;

/* POST /v3/auth/tokens with the password method; base->auth_ops NULL. */
int hwc_iam_password_token(const hwc_call *base, const char *user,
                           const char *password, const char *domain,
                           const hwc_iam_scope *scope, hwc_iam_token *out);

/* POST /v3/auth/tokens with assume_role; base carries the auth that adds
 * the delegate user's X-Auth-Token. */
int hwc_iam_agency_token(const hwc_call *base, const char *agency_domain,
                         const char *agency_name, const hwc_iam_scope *scope,
                         hwc_iam_token *out);

/* GET /v3/projects?name=<region>: the id of the project named region. */
int hwc_iam_project_id(const hwc_call *base, const char *region, char out[33]);

/* GET /v3/auth/domains: the id of the account the credentials belong to
 * (the first domain listed, as the SDKs take it). */
int hwc_iam_domain_id(const hwc_call *base, char out[33]);

/* A token answer's body: expires_at (required), lifetime, granted
 * project, and the account: the project's domain, else the token's domain,
 * else the user's (for an agency that is the delegating account); out->token
 * is left alone (it comes in a header). Pure: fuzzed. */
int hwc_iam_parse_token_body(const char *what, const void *body, size_t len,
                             hwc_iam_token *out);
/* The id of the project named region in {"projects":[..]}. Pure: fuzzed. */
int hwc_iam_pick_project(const char *what, json_t *root, const char *region,
                         char out[33]);
/* The first valid domain id in {"domains":[..]}. Pure: fuzzed. */
int hwc_iam_pick_domain(const char *what, json_t *root, char out[33]);

/* "2015-11-09T01:42:57.527363Z" (fraction optional, Z or +00:00). */
int hwc_iam_parse_time(const char *s, time_t *out);

/* Appends s as a JSON string (quotes included) to b. */
int hwc_json_quote(hwc_buf *b, const char *s);

void hwc_iam_token_clear(hwc_iam_token *t);

#endif /* HWC_IAM_H */
